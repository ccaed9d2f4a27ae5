"""The in-console bell: a user's bell rows, read state, and the live push per user.

Bell rows are written by `notify` as already sent (the row *is* the delivery); the push
over Channels after commit only saves the console a reload, so a lost push loses nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation

from core.realtime import broadcast_on_commit, group_name
from notifications.models import Notification
from notifications.registry import kind_get

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)

BELL_RECENT_LIMIT = 20
# A console marks what it shows; more ids than a bell list holds is a malformed request.
MARK_READ_MAX_IDS = 200


def user_group(user_id: int) -> str:
    """The channel-layer group of one person's sockets (every tab, every device)."""
    return group_name("user", user_id)


def bell_unread(*, user: User) -> QuerySet[Notification]:
    """The user's unread bell items, newest first (notification_bell_unread_idx)."""
    return Notification.objects.filter(
        recipient=user,
        channel=Notification.Channel.BELL,
        status=Notification.Status.SENT,
        read_at__isnull=True,
    ).order_by("-created_at")


def bell_recent(*, user: User, limit: int = BELL_RECENT_LIMIT) -> QuerySet[Notification]:
    """The user's latest bell items, read or not (notification_bell_recent_idx)."""
    return Notification.objects.filter(
        recipient=user, channel=Notification.Channel.BELL, status=Notification.Status.SENT
    ).order_by("-created_at")[:limit]


def bell_unread_count(*, user: User) -> int:
    return bell_unread(user=user).count()


@transaction.atomic
def bell_mark_read(*, user: User, ids: Collection[int] | None = None) -> int:
    """Mark `user`'s bell items read (every unread one when `ids` is None).

    Ids of other people's items are ignored. Every open console of the user hears the
    new unread count after commit.
    """
    unread = bell_unread(user=user)
    if ids is not None:
        if len(ids) > MARK_READ_MAX_IDS or not all(_is_id(value) for value in ids):
            raise ValueError(f"ids must be at most {MARK_READ_MAX_IDS} notification ids")
        unread = unread.filter(id__in=ids)
    marked = unread.order_by().update(read_at=timezone.now())
    if marked:
        broadcast_on_commit(
            user_group(user.id),
            {"type": "notification.unread", "count": bell_unread_count(user=user)},
        )
    return marked


def bell_item(notification: Notification) -> dict[str, Any]:
    """A bell row as the console shows it, in the active language; no database access."""
    title, url = notification.kind, ""
    try:
        kind = kind_get(notification.kind)
        title = " ".join((str(kind.subject) % notification.context).split())
        url = kind.link(notification.context) if kind.link else ""
    except Exception:  # an old row of a kind since renamed or changed: show what we have
        logger.warning("bell item %s could not be rendered", notification.id, exc_info=True)
    return {
        "id": notification.id,
        "kind": notification.kind,
        "title": title,
        "url": url,
        "created_at": notification.created_at.isoformat(),
        "read": notification.read_at is not None,
    }


def bell_push_on_commit(notification: Notification) -> None:
    """Send a new bell row to the recipient's open consoles once the caller commits."""
    with translation.override(notification.language):
        item = bell_item(notification)
    unread = bell_unread_count(user=notification.recipient)
    broadcast_on_commit(
        user_group(notification.recipient_id),
        {"type": "notification.new", "notification": item, "unread": unread},
    )


def _is_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0
