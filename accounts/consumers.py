"""The bell's websocket, `/ws/notifications/`: a signed-in person's new notifications and
unread count, live.

Transport only: the outbox decides what is pushed (notifications.bell). Who may
hold it open is the notifications page's rule (signed in, active; accounts.sockets).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

import notifications
from accounts.access import SIGNED_IN
from accounts.sockets import AccountSocket
from core.sockets import FrameError
from notifications.bell import MARK_READ_MAX_IDS


class NotificationConsumer(AccountSocket):
    area = SIGNED_IN  # the person's own group (standing_groups) carries their bell

    def on_connect(self) -> None:
        self.send_json(
            {
                "type": "notification.unread",
                "count": notifications.bell_unread_count(user=self.user),
            }
        )

    # ---- client frames

    def on_notification_read(self, frame: dict) -> None:
        ids = frame.get("ids")
        try:
            if ids != "all" and not isinstance(ids, list):
                raise ValueError(ids)
            # The new count reaches every open console through the user's group.
            notifications.bell_mark_read(user=self.user, ids=None if ids == "all" else ids)
        except ValueError:
            raise FrameError(
                "bad_frame",
                _('ids must be a list of at most %(count)d notification ids, or "all".')
                % {"count": MARK_READ_MAX_IDS},
            ) from None

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
