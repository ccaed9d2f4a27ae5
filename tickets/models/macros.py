from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import BaseModel


class Macro(BaseModel):
    """A canned reply in one language; placeholders are filled in for each ticket."""

    title = models.CharField(max_length=120)
    language = models.CharField(max_length=8, choices=[("en", "English"), ("zh-hans", "简体中文")])
    body = models.TextField(
        max_length=5000,
        help_text=_("Placeholders: {customer_name} {uid} {ticket_number} {agent_name}"),
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["language", "title"]

    def __str__(self) -> str:
        return f"[{self.language}] {self.title}"
