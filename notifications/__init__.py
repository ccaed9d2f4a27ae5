"""Notifications for every app: the outbox (email), the in-console bell, preferences.

The bottom layer under accounts, tickets and livechat: it imports nothing of theirs but
the user model's type. An app lists its kinds in `<app>/notification_kinds.py`, which
this app discovers when Django is ready (registry.kinds_discover):

    # tickets/notification_kinds.py
    KINDS = [
        NotificationKind(
            name="ticket.received",
            label=_("We received your request"),
            subject=_("[Beacon] We received your request %(number)s"),
            template="tickets/email/ticket_received",
            build_context=ticket_email_context,   # stored context -> template context
            link=lambda context: reverse("tickets:detail", args=[context["number"]]),
        ),
    ]

then calls `notify` inside the transaction that makes the change:

    import notifications

    notifications.notify(
        kind="ticket.received", recipient=ticket.requester,
        context={"ticket_id": ticket.id, "number": ticket.number},
        dedupe_key=f"ticket.received:{ticket.id}",
    )

The names below are imported on first use (PEP 562): this package is also the Django
app, which Django imports before any model may be, and most of them need the models.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

# name -> the module that defines it
_PUBLIC = {
    "bell_item": "bell",
    "bell_mark_read": "bell",
    "bell_recent": "bell",
    "bell_unread": "bell",
    "bell_unread_count": "bell",
    "user_group": "bell",
    "Note": "bulk",
    "notify_many": "bulk",
    "load_or_obsolete": "contexts",
    "NotificationObsolete": "errors",
    "TransientSendError": "errors",
    "notification_send": "outbox",
    "notifications_requeue_unsent": "outbox",
    "notify": "outbox",
    "KindChoice": "preferences",
    "channels_enabled": "preferences",
    "notification_preferences_for": "preferences",
    "notification_preferences_update": "preferences",
    "BELL": "registry",
    "CHANNELS": "registry",
    "EMAIL": "registry",
    "NotificationKind": "registry",
    "kind_get": "registry",
    "kinds_all": "registry",
    "kinds_for_user": "registry",
    "register": "registry",
    "unregister": "registry",
}

__all__ = sorted(_PUBLIC)


def __getattr__(name: str) -> Any:
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # once found, an ordinary attribute
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_PUBLIC])
