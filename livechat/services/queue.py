"""The waiting line for agents (placeholder until the routing package fills it).

Interface others rely on:
- `conversation_enqueue(*, conversation, skill=None, priority=None, reason="")`: hand the
  chat from the bot to the queue (status QUEUED, queued_at now), then try to assign it.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from livechat.models import Conversation


@transaction.atomic
def conversation_enqueue(
    *, conversation: Conversation, skill: str | None = None, priority: int | None = None, reason=""
) -> Conversation:
    locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
    if locked.status == Conversation.Status.BOT:
        locked.status = Conversation.Status.QUEUED
        locked.queued_at = timezone.now()
    if skill:
        locked.skill = skill
    if priority is not None:
        locked.priority = max(locked.priority, priority)
    locked.save(update_fields=["status", "queued_at", "skill", "priority"])
    return locked
