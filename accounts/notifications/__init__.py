"""Notifications for every app: the outbox (email), the in-console bell, preferences.

Register a kind once at import (AppConfig.ready), then call `notify` inside the
transaction that makes the change:

    from accounts import notifications

    notifications.register(notifications.NotificationKind(
        name="ticket.received",
        label=_("We received your request"),
        subject=_("[Beacon] We received your request %(number)s"),
        template="tickets/email/ticket_received",
        build_context=ticket_email_context,   # stored context -> template context
        link=lambda context: reverse("tickets:detail", args=[context["number"]]),
    ))

    notifications.notify(
        kind="ticket.received", recipient=ticket.requester,
        context={"ticket_id": ticket.id, "number": ticket.number},
        dedupe_key=f"ticket.received:{ticket.id}",
    )
"""

from accounts.notifications.bell import (
    bell_item,
    bell_mark_read,
    bell_recent,
    bell_unread,
    bell_unread_count,
    user_group,
)
from accounts.notifications.bulk import Note, notify_many
from accounts.notifications.errors import NotificationObsolete, TransientSendError
from accounts.notifications.outbox import notification_send, notifications_requeue_unsent, notify
from accounts.notifications.preferences import (
    KindChoice,
    channels_enabled,
    notification_preferences_for,
    notification_preferences_update,
)
from accounts.notifications.registry import (
    BELL,
    CHANNELS,
    EMAIL,
    NotificationKind,
    kind_get,
    kinds_all,
    kinds_for_user,
    register,
    unregister,
)

__all__ = [
    "BELL",
    "CHANNELS",
    "EMAIL",
    "KindChoice",
    "Note",
    "NotificationKind",
    "NotificationObsolete",
    "TransientSendError",
    "bell_item",
    "bell_mark_read",
    "bell_recent",
    "bell_unread",
    "bell_unread_count",
    "channels_enabled",
    "kind_get",
    "kinds_all",
    "kinds_for_user",
    "notification_preferences_for",
    "notification_preferences_update",
    "notification_send",
    "notifications_requeue_unsent",
    "notify",
    "notify_many",
    "register",
    "unregister",
    "user_group",
]
