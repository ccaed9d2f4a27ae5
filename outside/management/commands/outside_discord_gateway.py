"""`manage.py outside_discord_gateway`: hold Discord's Gateway open and take the DMs
people type to the bot into live chat, as the webhooks do for everything else.

One process per bot (Discord has one session per token and shard; a second process
would take every DM twice, stored once). Stops on SIGTERM / SIGINT: the message being
handled is finished, the connection closed. The replies go out through the outbox, as
every platform's do (outside.tasks, the Celery worker).
"""

from __future__ import annotations

import asyncio
import signal

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import InterfaceError, OperationalError, close_old_connections, connections

from outside import services
from outside.adapters import adapter_for
from outside.discord_gateway import DiscordGateway, GatewayFatal, Unavailable


def take_message(message: dict, bot_user_id: str) -> str:
    """A MESSAGE_CREATE into the webhooks' path (a thread of its own: the ORM blocks);
    what became of it. Unavailable when the database is away: it is replayed later."""
    inbound = adapter_for("discord").gateway_message(message, bot_user_id=bot_user_id)
    if inbound is None:
        return "ignored"  # a guild's, the bot's own, another bot's
    close_old_connections()  # a long-lived process: a connection the server dropped
    try:
        return services.inbound_receive(message=inbound)
    except (OperationalError, InterfaceError) as error:
        raise Unavailable(str(error)) from error
    finally:
        close_old_connections()


async def serve(stop: asyncio.Event, **options) -> None:
    """Run the gateway until `stop` is set. `options` (tests): DiscordGateway's pacing."""
    handler = sync_to_async(take_message, thread_sensitive=True)

    async def on_message(message: dict, bot_user_id: str) -> None:
        await handler(message, bot_user_id)

    gateway = DiscordGateway(
        url=settings.OUTSIDE_DISCORD_GATEWAY_URL,
        token=settings.OUTSIDE_DISCORD_BOT_TOKEN,
        on_message=on_message,
        stop=stop,
        **options,
    )
    try:
        await gateway.run()
    finally:
        await sync_to_async(connections.close_all, thread_sensitive=True)()


class Command(BaseCommand):
    help = "Hold Discord's Gateway open: DMs to the bot become live chats."

    def handle(self, *args, **options) -> None:
        if not adapter_for("discord").configured():
            raise CommandError("discord is not configured (see README, 'Telegram, X and Discord')")
        try:
            asyncio.run(self._main())
        except GatewayFatal as fatal:
            raise CommandError(str(fatal)) from fatal
        self.stdout.write("Discord gateway stopped.")

    async def _main(self) -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        await serve(stop)
