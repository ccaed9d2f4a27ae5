from __future__ import annotations

from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import BaseModel


class BusinessCalendar(BaseModel):
    """Opening hours in one time zone; contact channels and (later) SLA clocks follow it."""

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120)
    time_zone = models.CharField(max_length=64, default="UTC")
    always_open = models.BooleanField(default=False, help_text=_("Around the clock, every day."))

    def __str__(self) -> str:
        return self.name


class BusinessHours(models.Model):
    """One opening interval on one weekday; several per day are allowed (e.g. a lunch break)."""

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField(
        validators=[MaxValueValidator(6)], help_text=_("0 = Monday … 6 = Sunday")
    )
    opens = models.TimeField()
    closes = models.TimeField(help_text=_("00:00 means midnight at the end of the day."))

    class Meta:
        ordering = ["weekday", "opens"]
        verbose_name_plural = _("business hours")
        constraints = [
            models.CheckConstraint(condition=models.Q(weekday__lte=6), name="hours_weekday_0_6"),
            models.CheckConstraint(
                condition=models.Q(closes__gt=models.F("opens")) | models.Q(closes="00:00"),
                name="hours_close_after_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.weekday}: {self.opens:%H:%M}-{self.closes:%H:%M}"


class Holiday(models.Model):
    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="holidays"
    )
    date = models.DateField()
    name = models.CharField(max_length=120)

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="holiday_once_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class ContactChannel(BaseModel):
    """An official way to reach Beacon; also the registry the verification page checks."""

    class Kind(models.TextChoices):
        LIVE_CHAT = "live_chat", _("Live chat")
        REQUEST_FORM = "request_form", _("Request form")
        EMAIL = "email", _("Email")
        HOTLINE = "hotline", _("Phone hotline")
        TELEGRAM = "telegram", _("Telegram")
        X = "x", _("X (Twitter)")
        DISCORD = "discord", _("Discord")
        COMMUNITY = "community", _("Community")
        WEBSITE = "website", _("Website")

    kind = models.CharField(max_length=14, choices=Kind.choices)
    label_en = models.CharField(_("label (English)"), max_length=120)
    label_zh_hans = models.CharField(_("label (Chinese)"), max_length=120)
    value = models.CharField(
        max_length=300, help_text=_("What people see and verify: a number, address, URL or handle.")
    )
    link = models.CharField(
        max_length=300, blank=True, help_text=_("Where the contact page links.")
    )
    region = models.CharField(max_length=60, blank=True)
    region_zh_hans = models.CharField(_("region (Chinese)"), max_length=60, blank=True)
    languages = models.JSONField(default=list, blank=True, help_text=_('e.g. ["en", "zh-hans"]'))
    calendar = models.ForeignKey(
        BusinessCalendar,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="channels",
        help_text=_("Empty: no service hours apply (always available)."),
    )
    show_on_contact_page = models.BooleanField(default=True)
    is_active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["position", "kind"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"

    def label(self, lang: str) -> str:
        return self.label_zh_hans if lang == "zh-hans" else self.label_en

    def region_in(self, lang: str) -> str:
        return self.region_zh_hans if lang == "zh-hans" else self.region
