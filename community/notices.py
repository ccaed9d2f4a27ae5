"""What moderators hear of the forum: a bell when a post waits for review (held by the
scam checks, or reported for the first time). Written in the transaction that holds or
reports the post, as every notification is (notifications' outbox)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

import notifications
from accounts.models import Role, User
from community.models import Post

REVIEW_NEEDED = "community.review_needed"


def _queue_link(context: Mapping[str, Any]) -> str:
    return reverse("community:moderation")


KINDS = [
    notifications.NotificationKind(
        name=REVIEW_NEEDED,
        label=_("Community posts to review"),
        subject=_("Community post to review: %(title)s"),
        link=_queue_link,
        channels=frozenset({notifications.BELL}),
        staff_only=True,
    )
]  # listed in community/notification_kinds.py


def _moderators() -> list[User]:
    """Supervisors and admins (the `community.moderate_forum` permission's holders read
    the queue page; a bell for them would need a permission query per post)."""
    names = [Role.SUPERVISOR.value, Role.ADMIN.value]
    return list(User.objects.filter(groups__name__in=names, is_active=True).distinct())


def review_needed(*, post: Post, why: str) -> None:
    """Tell moderators once per post and reason (`held`, or `report:<first report id>`)."""
    notes = [
        notifications.Note(
            kind=REVIEW_NEEDED,
            recipient=person,
            context={"title": post.topic.title[:80], "post_id": post.pk},
            dedupe_key=f"{REVIEW_NEEDED}:{post.pk}:{why}:{person.id}",
            channels=(notifications.BELL,),
        )
        for person in _moderators()
    ]
    notifications.notify_many(notes)
