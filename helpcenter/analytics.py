"""Search analytics for the people who write articles: what customers search, what finds
nothing confident, which articles nobody opens from the results.

A search adds to Redis counters (helpcenter.counters); `search_stats_flush`, a beat task,
moves them into SearchQueryStat and SearchClickStat. Queries are normalised (case, width,
spaces) and whatever looks like a secret (a seed phrase, a private key, a password: the
guard chat and requests use) or personal data (an email, a phone number, a TXID or
address, a long number) is replaced by a placeholder before it is counted, so it never
reaches Redis, the database or the CSV.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import F
from django.utils import timezone

from helpcenter import counters
from helpcenter.models import Article, SearchClickStat, SearchQueryStat
from tickets.sensitive.guard import MASK_EN, MASK_ZH, scan

LIVE = "helpcenter:search-stats"
MAX_QUERY = 100
_SEP = "\x1f"

# What a query may hold that must never be stored, with the placeholder kept in its place
# (writers still learn that people search by TXID). Order matters: an email first.
_EMAIL = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+")
# TXIDs and wallet addresses: hex (0x…, 64 characters) or base58/bech32, 25 or more.
_TXID = re.compile(r"\b(?=[a-z0-9]*[0-9])[a-z0-9]{25,}\b")
# Phone numbers, UIDs, order and card numbers: a run of 6 digits or more, spaces, dashes,
# dots or brackets allowed between them.
_NUMBER = re.compile(r"\+?\(?\d[\d\s().-]*\d")
_MIN_DIGITS = 6


def _redact_number(match: re.Match[str]) -> str:
    digits = sum(char.isdigit() for char in match.group())
    return "[number]" if digits >= _MIN_DIGITS else match.group()


_SPACES = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _secrets_hidden(text: str) -> str:
    """Seed phrases, private keys and passwords, found by the guard chat and requests use
    (tickets.sensitive), each replaced by one placeholder."""
    found = scan(text)
    if not found.found:
        return text
    return found.body.replace(MASK_EN, "[hidden]").replace(MASK_ZH, "[hidden]")


def query_for_stats(query: str) -> str:
    """The query as counted: NFKC, lower case, single spaces, secrets and personal data
    replaced."""
    text = unicodedata.normalize("NFKC", query or "")
    text = _SPACES.sub(" ", _CONTROL.sub(" ", text)).strip()
    text = _secrets_hidden(text).casefold()
    text = _NUMBER.sub(_redact_number, _TXID.sub("[txid]", _EMAIL.sub("[email]", text)))
    return text[:MAX_QUERY].strip()


def week_of(moment: dt.datetime | None = None) -> dt.date:
    day = (moment or timezone.now()).astimezone(dt.UTC).date()
    return day - dt.timedelta(days=day.weekday())


def _field(*parts: object) -> str:
    return _SEP.join(str(part) for part in parts)


def search_record(*, query: str, lang: str, results: int, confident: bool) -> None:
    """Count one search of the help centre (no database write)."""
    text = query_for_stats(query)
    if not text:
        return
    key = _field("q", week_of(), lang, text)
    counts = {_field(key, "n"): 1, _field(key, "r"): results, _field(key, "m"): int(not confident)}
    counters.counters_add(name=LIVE, counts=counts, apply=_apply)


def click_record(*, query: str, lang: str, article_id: int) -> None:
    """Count one article opened from the results of `query` (no database write)."""
    text = query_for_stats(query)
    if not text:
        return
    counts = {_field("c", week_of(), lang, text, article_id): 1}
    counters.counters_add(name=LIVE, counts=counts, apply=_apply)


def search_stats_flush() -> int:
    """Move the counted searches and clicks into the database; idempotent."""
    return counters.counters_flush(name=LIVE, apply=_apply)


def _apply(counts: counters.Counts) -> None:
    """Add counters (fields as search_record and click_record make them) to the tables.

    Must run inside a transaction (counters_flush's)."""
    searches: dict[tuple[str, str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    clicks: dict[tuple[str, str, str, int], int] = defaultdict(int)
    for field, n in counts.items():
        parts = field.split(_SEP)
        if parts[0] == "q" and len(parts) == 5:
            searches[(parts[1], parts[2], parts[3])][parts[4]] += n
        elif parts[0] == "c" and len(parts) == 5 and parts[4].isdigit():
            clicks[(parts[1], parts[2], parts[3], int(parts[4]))] += n
            searches[(parts[1], parts[2], parts[3])]["c"] += n
    _add_searches(searches)
    _add_clicks(clicks)


def _add_searches(searches: dict[tuple[str, str, str], dict[str, int]]) -> None:
    if not searches:
        return
    columns = {"n": "searches", "m": "no_match", "r": "results", "c": "clicks"}
    existing = {
        (str(row.week), row.lang, row.query): row
        for row in SearchQueryStat.objects.select_for_update().filter(
            week__in={w for w, _, _ in searches}, query__in={q for _, _, q in searches}
        )
    }
    new, changed = [], []
    for (week, lang, query), added in searches.items():
        row = existing.get((week, lang, query))
        if row is None:
            row = SearchQueryStat(week=dt.date.fromisoformat(week), lang=lang, query=query)
            new.append(row)
        else:
            changed.append(row)
        for short, n in added.items():
            setattr(row, columns[short], getattr(row, columns[short]) + n)
    SearchQueryStat.objects.bulk_update(changed, [*columns.values(), "updated_at"])
    SearchQueryStat.objects.bulk_create(new)


def _add_clicks(clicks: dict[tuple[str, str, str, int], int]) -> None:
    if not clicks:
        return
    alive = set(Article.objects.filter(id__in={a for *_, a in clicks}).values_list("id", flat=True))
    for (week, lang, query, article_id), n in clicks.items():
        if article_id not in alive:  # deleted since
            continue
        row, created = SearchClickStat.objects.get_or_create(
            week=week, lang=lang, query=query, article_id=article_id, defaults={"clicks": n}
        )
        if not created:
            SearchClickStat.objects.filter(id=row.id).update(clicks=F("clicks") + n)


# ---------------------------------------------------------------- the staff page's reads


@dataclass(frozen=True)
class ReportFilter:
    week: dt.date
    lang: str  # "" for both languages


def _stats(flt: ReportFilter):
    rows = SearchQueryStat.objects.filter(week=flt.week)
    return rows.filter(lang=flt.lang) if flt.lang else rows


def top_queries(flt: ReportFilter, limit: int = 50) -> list[SearchQueryStat]:
    return list(_stats(flt).order_by("-searches", "query")[:limit])


def unanswered_queries(flt: ReportFilter, limit: int = 50) -> list[SearchQueryStat]:
    """Queries that found no confident article at least once: what to write next."""
    return list(_stats(flt).filter(no_match__gt=0).order_by("-no_match", "query")[:limit])


def never_clicked(flt: ReportFilter, limit: int = 200) -> list[Article]:
    """Published articles nobody opened from search results in that week."""
    clicked = SearchClickStat.objects.filter(week=flt.week).values("article_id")
    articles = Article.objects.filter(status=Article.Status.PUBLISHED).exclude(id__in=clicked)
    if flt.lang:
        articles = articles.filter(lang=flt.lang)
    return list(articles.only("id", "slug", "lang", "title").order_by("slug", "lang")[:limit])
