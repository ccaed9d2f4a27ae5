"""Beacon's own help-centre content for `make run`: loaded from demo_content/, idempotently."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml
from django.db import transaction
from django.utils import timezone

from helpcenter import services
from helpcenter.importing import article_files, read_article_file
from helpcenter.models import (
    Announcement,
    ArticleCategory,
    BusinessCalendar,
    BusinessHours,
    ContactChannel,
    GlossaryTerm,
    Holiday,
    SearchSynonym,
)
from helpcenter.tasks import article_embeddings_refresh

CONTENT = Path(__file__).resolve().parent / "demo_content"


def _categories(rows: list[dict]) -> None:
    for row in sorted(rows, key=lambda r: bool(r.get("parent"))):  # parents first
        row = dict(row)
        parent = row.pop("parent", None)
        ArticleCategory.objects.update_or_create(
            slug=row.pop("slug"),
            defaults={
                **row,
                "parent": ArticleCategory.objects.get(slug=parent) if parent else None,
            },
        )


def _calendars(rows: list[dict]) -> None:
    for row in rows:
        calendar, _ = BusinessCalendar.objects.update_or_create(
            slug=row["slug"],
            defaults={
                "name": row["name"],
                "time_zone": row["time_zone"],
                "always_open": row.get("always_open", False),
            },
        )
        calendar.hours.all().delete()
        calendar.holidays.all().delete()
        for hours in row.get("hours") or []:
            BusinessHours(
                calendar=calendar,
                weekday=hours["weekday"],
                opens=dt.time.fromisoformat(hours["opens"]),
                closes=dt.time.fromisoformat(hours["closes"]),
            ).save()
        for holiday in row.get("holidays") or []:
            Holiday(
                calendar=calendar,
                date=dt.date.fromisoformat(str(holiday["date"])),
                name=holiday["name"],
            ).save()


def _channels(rows: list[dict]) -> None:
    # Keyed by kind and English label, not value: a value the content changes (the live
    # chat's was a sentence, now its address) updates the channel instead of adding one.
    for row in rows:
        row = dict(row)
        calendar = row.pop("calendar", None)
        ContactChannel.objects.update_or_create(
            kind=row.pop("kind"),
            label_en=row.pop("label_en"),
            defaults={
                **row,
                "calendar": BusinessCalendar.objects.get(slug=calendar) if calendar else None,
            },
        )


def _announcements(rows: list[dict]) -> None:
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    for row in rows:
        row = dict(row)
        starts, ends = row.pop("starts_in_hours"), row.pop("ends_in_hours", None)
        announcement = (
            Announcement.objects.filter(title_en=row["title_en"]).first() or Announcement()
        )
        for name, value in row.items():
            setattr(announcement, name, value)
        announcement.starts_at = now + dt.timedelta(hours=starts)
        announcement.ends_at = None if ends is None else now + dt.timedelta(hours=ends)
        services.announcement_save(announcement=announcement)


def _glossary(rows: list[dict]) -> None:
    for row in rows:
        row = dict(row)
        GlossaryTerm.objects.update_or_create(term_en=row.pop("term_en"), defaults=row)


def _synonyms(groups: list[list[str]]) -> None:
    existing = {synonym.terms for synonym in SearchSynonym.objects.all()}
    for group in groups:
        terms = ", ".join(dict.fromkeys(str(term).strip() for term in group))
        if terms not in existing:
            services.synonym_save(synonym=SearchSynonym(terms=terms))


@transaction.atomic
def seed_site(site: dict, synonyms: list[list[str]]) -> None:
    _categories(site.get("categories") or [])
    _calendars(site.get("calendars") or [])
    _channels(site.get("channels") or [])
    _announcements(site.get("announcements") or [])
    _glossary(site.get("glossary") or [])
    _synonyms(synonyms)


def load_synonyms() -> list[list[str]]:
    return yaml.safe_load((CONTENT / "synonyms.yaml").read_text(encoding="utf-8")) or []


def seed(out) -> None:
    site = yaml.safe_load((CONTENT / "site.yaml").read_text(encoding="utf-8"))
    seed_site(site, load_synonyms())
    outcomes: dict[str, int] = {}
    for path in article_files([CONTENT / "articles"]):
        outcome = services.article_import(source=read_article_file(path))
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    out.write(f"  articles: {outcomes}")
    # The worker embeds them for semantic search as soon as it starts (beat repeats it).
    article_embeddings_refresh.delay()
