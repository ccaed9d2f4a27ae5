"""Agents' availability for chat: who is online, with how much room, for what."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AgentPresence(models.Model):
    class Status(models.TextChoices):
        ONLINE = "online", _("Online")
        AWAY = "away", _("Away")
        OFFLINE = "offline", _("Offline")

    agent = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="chat_presence",
    )
    # Shown on every message the agent sends; customers check it on the verification panel.
    staff_id = models.CharField(_("staff ID"), max_length=16, unique=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OFFLINE)
    capacity = models.PositiveSmallIntegerField(_("chats at once"), default=3)
    languages = models.JSONField(default=list, blank=True)  # ["en", "zh-hans"]
    skills = models.JSONField(default=list, blank=True)  # Conversation.Skill values
    last_seen = models.DateTimeField(default=timezone.now)
    # Set when the last socket closed; their chats go back to the queue after a grace period.
    disconnected_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("agent presence")

    def __str__(self) -> str:
        return f"{self.staff_id} ({self.status})"
