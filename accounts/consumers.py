"""The bell's websocket: a signed-in person's new notifications and unread count, live.

Transport only: the outbox decides what is pushed (accounts.notifications.bell).
"""

from __future__ import annotations

import json
from typing import Any

from asgiref.sync import async_to_sync
from channels.generic.websocket import JsonWebsocketConsumer

from accounts import notifications


class NotificationConsumer(JsonWebsocketConsumer):
    def connect(self) -> None:
        self.user = self.scope.get("user")
        self.group: str | None = None
        if self.user is None or not self.user.is_authenticated:
            self.close(code=4401)
            return
        self.group = notifications.user_group(self.user.id)
        async_to_sync(self.channel_layer.group_add)(self.group, self.channel_name)
        self.accept()
        self.send_json(
            {
                "type": "notification.unread",
                "count": notifications.bell_unread_count(user=self.user),
            }
        )

    def disconnect(self, code: int) -> None:
        if self.group:
            async_to_sync(self.channel_layer.group_discard)(self.group, self.channel_name)

    def receive(self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs):
        if text_data is None:
            self._error("frames must be JSON text")
            return
        super().receive(text_data=text_data, **kwargs)

    @classmethod
    def decode_json(cls, text_data: str) -> Any:
        try:
            return json.loads(text_data)
        except ValueError:
            return None

    def receive_json(self, content: Any, **kwargs) -> None:
        kind = content.get("type") if isinstance(content, dict) else None
        if kind != "notification.read":
            self._error("unknown or malformed frame")
            return
        ids = content.get("ids")
        if ids != "all" and not isinstance(ids, list):
            self._error('ids must be a list of notification ids, or "all"')
            return
        try:
            # The new count reaches every open console through the user's group.
            notifications.bell_mark_read(user=self.user, ids=None if ids == "all" else ids)
        except ValueError as exc:
            self._error(str(exc))

    def _error(self, message: str) -> None:
        self.send_json({"type": "error", "message": message})

    # ---- events from the channel layer, named after their type

    def notification_new(self, event: dict) -> None:
        self.send_json(
            {
                "type": "notification.new",
                "notification": event["notification"],
                "unread": event["unread"],
            }
        )

    def notification_unread(self, event: dict) -> None:
        self.send_json({"type": "notification.unread", "count": event["count"]})

    def account_closed(self, event: dict) -> None:
        """The account was frozen (accounts.freeze): hang up at once."""
        self.close(code=4403)
