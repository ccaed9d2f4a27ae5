from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import BaseModel


class Announcement(BaseModel):
    """A notice on the announcements board; an active maintenance one also shows as a banner."""

    class Kind(models.TextChoices):
        MAINTENANCE = "maintenance", _("Maintenance")
        LISTING = "listing", _("New listing")
        CAMPAIGN = "campaign", _("Campaign")
        NOTICE = "notice", _("Notice")

    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.NOTICE)
    title_en = models.CharField(_("title (English)"), max_length=200)
    title_zh_hans = models.CharField(_("title (Chinese)"), max_length=200)
    body_en = models.TextField(_("body (English, Markdown)"), blank=True)
    body_zh_hans = models.TextField(_("body (Chinese, Markdown)"), blank=True)
    body_en_html = models.TextField(editable=False, default="")
    body_zh_hans_html = models.TextField(editable=False, default="")
    pinned = models.BooleanField(default=False)
    starts_at = models.DateTimeField(help_text=_("Shown from this moment."))
    ends_at = models.DateTimeField(
        null=True, blank=True, help_text=_("Hidden after; empty: no end.")
    )

    class Meta:
        ordering = ["-pinned", "-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__isnull=True)
                | models.Q(ends_at__gt=models.F("starts_at")),
                name="announcement_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["kind", "starts_at", "ends_at"])]

    def __str__(self) -> str:
        return self.title_en

    def title(self, lang: str) -> str:
        return self.title_zh_hans if lang == "zh-hans" else self.title_en

    def body_html(self, lang: str) -> str:
        return self.body_zh_hans_html if lang == "zh-hans" else self.body_en_html


class GlossaryTerm(BaseModel):
    term_en = models.CharField(_("term (English)"), max_length=120, unique=True)
    term_zh_hans = models.CharField(_("term (Chinese)"), max_length=120)
    definition_en = models.TextField(_("definition (English)"))
    definition_zh_hans = models.TextField(_("definition (Chinese)"))

    class Meta:
        ordering = ["term_en"]

    def __str__(self) -> str:
        return self.term_en
