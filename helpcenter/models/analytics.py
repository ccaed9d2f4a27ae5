from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import BaseModel
from helpcenter.models.articles import Article, Language


class SearchQueryStat(BaseModel):
    """How often one normalised query was searched in one language in one ISO week.

    Written only by the flush task (helpcenter.analytics), never by a search request.
    """

    week = models.DateField(help_text="The Monday (UTC) of the ISO week.")
    lang = models.CharField(max_length=8, choices=Language.choices)
    query = models.CharField(max_length=100)
    searches = models.PositiveIntegerField(default=0)
    no_match = models.PositiveIntegerField(
        default=0, help_text="Searches where no result was confident (the no-match page)."
    )
    results = models.PositiveIntegerField(default=0, help_text="Results shown, summed.")
    clicks = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("search query statistic")
        verbose_name_plural = _("search query statistics")
        constraints = [
            models.UniqueConstraint(fields=["week", "lang", "query"], name="search_stat_one_row"),
        ]
        indexes = [models.Index(fields=["week", "lang", "-searches"])]

    def __str__(self) -> str:
        return f"{self.week} [{self.lang}] {self.query}: {self.searches}"


class SearchClickStat(BaseModel):
    """How often an article was opened from the results of one query in one week."""

    week = models.DateField()
    lang = models.CharField(max_length=8, choices=Language.choices)
    query = models.CharField(max_length=100)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    clicks = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["week", "lang", "query", "article"], name="search_click_one_row"
            ),
        ]
        indexes = [models.Index(fields=["week", "article"])]


class CounterFlush(models.Model):
    """A Redis hash of counters already applied (helpcenter.counters): a second flush of
    the same hash finds its name here and does not count it twice."""

    key = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return self.key
