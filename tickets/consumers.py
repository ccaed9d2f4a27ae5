"""The console's websocket: live queue counts and collision warnings.

An exception to STYLE's "consumers in livechat only": these events are about tickets,
and putting them in livechat would make livechat a dependency of the console.
"""

from __future__ import annotations

from asgiref.sync import async_to_sync
from channels.generic.websocket import JsonWebsocketConsumer
from django.http import Http404

from tickets import selectors
from tickets.permissions import may_use_console
from tickets.realtime import QUEUES_GROUP, ticket_group

PRESENCE_STATES = {"viewing", "typing", "left"}


class ConsoleConsumer(JsonWebsocketConsumer):
    def connect(self) -> None:
        self.user = self.scope.get("user")
        if self.user is None or not may_use_console(self.user):
            self.close(code=4403)
            return
        self.watching: str | None = None
        async_to_sync(self.channel_layer.group_add)(QUEUES_GROUP, self.channel_name)
        self.accept()

    def disconnect(self, code: int) -> None:
        if getattr(self, "watching", None):
            self._announce("left")
            async_to_sync(self.channel_layer.group_discard)(
                ticket_group(self.watching), self.channel_name
            )
        async_to_sync(self.channel_layer.group_discard)(QUEUES_GROUP, self.channel_name)

    def receive_json(self, content, **kwargs) -> None:
        kind = content.get("type") if isinstance(content, dict) else None
        if kind == "ticket.watch":
            self._watch(content.get("number"))
        elif kind == "ticket.typing" and self.watching:
            self._announce("typing")
        else:
            self.send_json({"type": "error", "message": "unknown or malformed frame"})

    def _watch(self, number: object) -> None:
        if not isinstance(number, str) or len(number) > 20:
            self.send_json({"type": "error", "message": "number must be a ticket number"})
            return
        try:
            selectors.ticket_get_for_user(user=self.user, number=number)
        except Http404:
            self.send_json({"type": "error", "message": "no such ticket"})
            return
        if self.watching:
            self._announce("left")
            async_to_sync(self.channel_layer.group_discard)(
                ticket_group(self.watching), self.channel_name
            )
        self.watching = number
        async_to_sync(self.channel_layer.group_add)(ticket_group(number), self.channel_name)
        self._announce("viewing")

    def _announce(self, state: str) -> None:
        async_to_sync(self.channel_layer.group_send)(
            ticket_group(self.watching),
            {
                "type": "presence.update",
                "number": self.watching,
                "state": state,
                "agent_id": self.user.id,
                "agent": self.user.display_name,
                "reply_to": self.channel_name,
            },
        )

    # ---- events from the channel layer, named after their type

    def queues_changed(self, event: dict) -> None:
        self.send_json({"type": "queues.changed"})

    def presence_update(self, event: dict) -> None:
        if event["agent_id"] == self.user.id:
            return
        self.send_json({key: event[key] for key in ("type", "number", "state", "agent")})
        if event["state"] == "viewing" and not event.get("echo"):  # tell the newcomer we're here
            async_to_sync(self.channel_layer.send)(
                event["reply_to"],
                {
                    "type": "presence.update",
                    "number": self.watching,
                    "state": "viewing",
                    "agent_id": self.user.id,
                    "agent": self.user.display_name,
                    "reply_to": self.channel_name,
                    "echo": True,
                },
            )
