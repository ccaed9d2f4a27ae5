"""Every read of the help centre that a page or the API makes."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Min, Prefetch, Q, QuerySet
from django.http import Http404

from core.exceptions import ApplicationError
from helpcenter import hours, verification
from helpcenter.models import (
    Announcement,
    Article,
    ArticleCategory,
    BusinessCalendar,
    ContactChannel,
    GlossaryTerm,
)
from helpcenter.search import engine
from helpcenter.search.engine import SearchHit

MAX_QUERY_CHARS = 200
LANGUAGES = engine.LANGUAGES


def published_articles() -> QuerySet[Article]:
    return Article.objects.filter(status=Article.Status.PUBLISHED)


def search_input_clean(
    *, query: str | None, lang: str | None, default_lang: str
) -> tuple[str, str]:
    """Validate what a person typed; raises ApplicationError with a message fit to show."""
    lang = (lang or default_lang).strip()
    if lang not in LANGUAGES:
        raise ApplicationError(
            f"Unknown language. Use one of: {', '.join(LANGUAGES)}.", code="unknown_language"
        )
    query = (query or "").replace("\x00", "").strip()
    if len(query) > MAX_QUERY_CHARS:
        raise ApplicationError(f"Search for at most {MAX_QUERY_CHARS} characters.", code="too_long")
    return query, lang


def article_search(*, query: str, lang: str, limit: int = 10) -> list[SearchHit]:
    """Published articles matching `query` in either language, best first, each shown in
    `lang` when it has that version; [] when nothing is a good match (the page then says
    so), rather than a list of weak results."""
    query, lang = search_input_clean(query=query, lang=lang, default_lang=lang)
    if not query:
        return []
    hits = engine.search(query, lang=lang, limit=limit)
    if not hits or max(hit.confidence for hit in hits) < search_threshold():
        return []
    return hits


def article_candidates(*, query: str, lang: str, limit: int) -> list[SearchHit]:
    """Ranked hits with their confidence, however weak (the bot applies its own bar)."""
    query, lang = search_input_clean(query=query, lang=lang, default_lang=lang)
    if not query:
        return []
    return engine.search(query, lang=lang, limit=limit)


def semantic_search_enabled() -> bool:
    from helpcenter.search import semantic

    return semantic.enabled()


def search_threshold(*, semantic: bool | None = None) -> float:
    """Confidence below which search shows "no good match"."""
    from helpcenter.search import confidence

    on = semantic_search_enabled() if semantic is None else semantic
    return confidence.SEARCH_THRESHOLD[confidence.mode(on)]


def bot_threshold(lang: str, *, semantic: bool | None = None) -> float:
    """Confidence below which the bot offers a person instead of an answer, in a chat
    whose UI language is `lang`."""
    from helpcenter.search import confidence

    on = semantic_search_enabled() if semantic is None else semantic
    return confidence.bot_threshold(lang, semantic_on=on)


def category_tree(*, lang: str) -> list[ArticleCategory]:
    """Top-level categories holding published articles in `lang`, with such children.

    `article_count` of a top-level category includes its children's articles.
    """
    counted = ArticleCategory.objects.annotate(
        article_count=Count("articles", filter=Q(articles__status="published", articles__lang=lang))
    )
    tops = list(
        counted.filter(parent__isnull=True).prefetch_related(
            Prefetch(
                "children", queryset=counted.filter(article_count__gt=0), to_attr="live_children"
            )
        )
    )
    for top in tops:
        top.article_count += sum(child.article_count for child in top.live_children)
    return [top for top in tops if top.article_count]


def category_get(*, slug: str) -> ArticleCategory:
    category = ArticleCategory.objects.select_related("parent").filter(slug=slug).first()
    if category is None:
        raise Http404
    return category


def article_list_for_category(*, category: ArticleCategory, lang: str) -> QuerySet[Article]:
    return (
        published_articles()
        .filter(Q(category=category) | Q(category__parent=category), lang=lang)
        .only("slug", "title", "summary", "updated_on", "lang")
        .order_by("title")
    )


def article_get_published(*, slug: str, lang: str) -> Article:
    """The version in `lang`, else any published version; 404 when there is none."""
    versions = list(published_articles().select_related("category").filter(slug=slug))
    if not versions:
        raise Http404
    return next((a for a in versions if a.lang == lang), versions[0])


def article_translations(*, article: Article) -> list[Article]:
    return list(
        published_articles().filter(slug=article.slug).exclude(id=article.id).only("slug", "lang")
    )


def article_related(*, article: Article, limit: int = 5) -> list[Article]:
    """Same language and category, most shared tags first, then the most read."""
    candidates = (
        published_articles()
        .filter(lang=article.lang, category=article.category)
        .exclude(id=article.id)
        .only("slug", "title", "tags", "lang")
        .order_by("-view_count")[:200]
    )
    tags = set(article.tags or [])
    ranked = sorted(candidates, key=lambda other: -len(tags & set(other.tags or [])))
    return ranked[:limit]


def article_popular(*, lang: str, limit: int = 8) -> QuerySet[Article]:
    return (
        published_articles()
        .filter(lang=lang)
        .only("slug", "title", "lang")
        .order_by("-view_count", "slug")[:limit]
    )


def _current(now: dt.datetime) -> Q:
    return Q(starts_at__lte=now) & (Q(ends_at__isnull=True) | Q(ends_at__gt=now))


def announcement_list(*, now: dt.datetime) -> QuerySet[Announcement]:
    """Started ones, pinned first, newest first (ended ones stay readable in the archive)."""
    return Announcement.objects.filter(starts_at__lte=now).order_by("-pinned", "-starts_at")


def announcement_get(*, announcement_id: int, now: dt.datetime) -> Announcement:
    announcement = announcement_list(now=now).filter(id=announcement_id).first()
    if announcement is None:
        raise Http404
    return announcement


def announcement_active_maintenance(*, now: dt.datetime) -> Announcement | None:
    return (
        Announcement.objects.filter(_current(now), kind=Announcement.Kind.MAINTENANCE)
        .order_by("-pinned", "-starts_at")
        .first()
    )


def maintenance_next_change(*, now: dt.datetime) -> dt.datetime | None:
    """The next moment after `now` a maintenance announcement starts or ends: until then,
    which one is active cannot change by itself."""
    found = Announcement.objects.filter(kind=Announcement.Kind.MAINTENANCE).aggregate(
        start=Min("starts_at", filter=Q(starts_at__gt=now)),
        end=Min("ends_at", filter=Q(ends_at__gt=now)),
    )
    return min((moment for moment in found.values() if moment is not None), default=None)


def glossary_terms() -> QuerySet[GlossaryTerm]:
    return GlossaryTerm.objects.all()


def calendar_schedule(calendar: BusinessCalendar) -> hours.Schedule:
    """The pure schedule of a calendar whose hours and holidays are prefetched."""
    return hours.Schedule(
        time_zone=calendar.time_zone,
        always_open=calendar.always_open,
        intervals=tuple(hours.Interval(h.weekday, h.opens, h.closes) for h in calendar.hours.all()),
        holidays=frozenset(holiday.date for holiday in calendar.holidays.all()),
    )


def contact_channels_with_state(
    *, now: dt.datetime
) -> list[tuple[ContactChannel, hours.OpenState | None]]:
    """Contact-page channels with whether each is open at `now` (None: no hours apply)."""
    channels = (
        ContactChannel.objects.filter(is_active=True, show_on_contact_page=True)
        .select_related("calendar")
        .prefetch_related("calendar__hours", "calendar__holidays")
    )
    return [
        (
            channel,
            hours.open_state(calendar_schedule(channel.calendar), now)
            if channel.calendar
            else None,
        )
        for channel in channels
    ]


def community_channel() -> ContactChannel | None:
    """The official community the help centre points to when it has no answer."""
    return (
        ContactChannel.objects.filter(is_active=True, kind=ContactChannel.Kind.COMMUNITY)
        .exclude(link="")
        .order_by("id")
        .first()
    )


def channel_verify(*, raw: str) -> tuple[verification.Verdict, dict[int, ContactChannel]]:
    """Check a pasted string against every active official channel."""
    channels = {channel.id: channel for channel in ContactChannel.objects.filter(is_active=True)}
    registry = [
        verification.RegistryEntry(id=c.id, kind=c.kind, value=c.value, link=c.link)
        for c in channels.values()
    ]
    return verification.verify(raw, registry), channels
