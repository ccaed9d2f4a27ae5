"""The console's websocket, `/ws/console/`: live queue counts and collision warnings.

An exception to STYLE's "consumers in livechat only": these events are about tickets,
and putting them in livechat would make livechat a dependency of the console.

Who may hold it open is the console pages' rule (tickets.permissions.CONSOLE, asked
through accounts.sockets). `ticket.watch` answers one `not_found` for
a number that is not one, a ticket that does not exist and one the person may not see,
so the socket cannot be used to learn which tickets exist.
"""

from __future__ import annotations

import re

from django.http import Http404
from django.utils.translation import gettext as _

from accounts.sockets import AccountSocket
from core.converters import TicketNumberConverter
from core.sockets import FrameError
from tickets import selectors
from tickets.groups import queues_group, ticket_group
from tickets.permissions import CONSOLE

_NUMBER = re.compile(TicketNumberConverter.regex)


class ConsoleConsumer(AccountSocket):
    area = CONSOLE

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.watching: str | None = None

    def groups_to_join(self) -> list[str]:
        return [queues_group()]

    def admit(self) -> int | None:
        # Asked again when the account changes: a ticket no longer visible (a role or a
        # team taken away) is no longer watched.
        if self.watching and not self._visible(self.watching):
            self._stop_watching()
        return None

    async def on_disconnect(self) -> None:
        if self.watching:
            await self.channel_layer.group_send(
                ticket_group(self.watching), self._presence("left", self.watching)
            )

    # ---- client frames

    def on_ticket_watch(self, frame: dict) -> None:
        number = frame.get("number")
        if not isinstance(number, str) or not self._visible(number):
            raise FrameError("not_found", _("No such ticket."))
        if number == self.watching:
            return
        self._stop_watching()
        self.watching = number
        self.join(ticket_group(number))
        self.send_to_group(ticket_group(number), self._presence("viewing", number))

    def on_ticket_typing(self, frame: dict) -> None:
        if not self.watching:
            raise FrameError("bad_frame", _("Watch a ticket before typing on it."))
        self.send_to_group(ticket_group(self.watching), self._presence("typing", self.watching))

    def _visible(self, number: str) -> bool:
        if not _NUMBER.fullmatch(number):
            return False  # before SQL: the same answer as a ticket that does not exist
        try:
            selectors.ticket_get_for_user(user=self.user, number=number)
        except Http404:
            return False
        return True

    def _stop_watching(self) -> None:
        if self.watching:
            self.send_to_group(ticket_group(self.watching), self._presence("left", self.watching))
            self.leave(ticket_group(self.watching))
            self.watching = None

    def _presence(self, state: str, number: str, **extra) -> dict:
        return {
            "type": "presence.update",
            "number": number,
            "state": state,
            "agent_id": self.user.id,
            "agent": self.user.display_name,
            "reply_to": self.channel_name,
            **extra,
        }

    # ---- events from the channel layer, named after their type

    def queues_changed(self, event: dict) -> None:
        self.send_json({"type": "queues.changed"})

    def presence_update(self, event: dict) -> None:
        if event["agent_id"] == self.user.id or event["number"] != self.watching:
            return
        self.send_json({key: event[key] for key in ("type", "number", "state", "agent")})
        if event["state"] == "viewing" and not event.get("echo"):  # tell the newcomer we're here
            self.send_to_channel(
                event["reply_to"], self._presence("viewing", self.watching, echo=True)
            )
