"""Every write to the help centre goes through these functions."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError
from core.text import plain_text
from helpcenter import banner, caching, counters, rendering
from helpcenter.importing import ArticleSource
from helpcenter.models import Announcement, Article, ArticleCategory, ArticleFeedback, SearchSynonym
from helpcenter.search import backends, engine, indexing, semantic, synonyms, taught, typos
from helpcenter.search.cache import generation_bump

MAX_FEEDBACK_COMMENT = 1000


def _content_hash(source: ArticleSource) -> str:
    parts = [
        source.title,
        source.category,
        "|".join(source.tags),
        str(source.updated),
        source.body,
        source.status,
        "\x1e".join(source.questions),
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


@transaction.atomic
def category_ensure(*, slug: str) -> ArticleCategory:
    """The category with this slug, created with a readable name if it is new."""
    name = slug.replace("-", " ").replace("_", " ").capitalize()
    category, _ = ArticleCategory.objects.get_or_create(
        slug=slug, defaults={"name_en": name, "name_zh_hans": name}
    )
    return category


def article_prepare(*, article: Article) -> None:
    """Render, sanitise and tokenise an article's text; the caller saves it."""
    article.body_html = rendering.markdown_to_html(
        rendering.without_leading_title(article.body_markdown)
    )
    article.body_text = rendering.html_to_text(article.body_html)
    if not article.summary:
        article.summary = rendering.summary_from_markdown(article.body_markdown)
    if article.status == Article.Status.PUBLISHED and article.published_at is None:
        article.published_at = timezone.now()
    indexing.fill_tokens(article)


@transaction.atomic
def article_save(*, article: Article) -> Article:
    """Validate, render and index one article version (admin and importer alike)."""
    try:
        article.questions = taught.clean_questions(article.questions)
    except ValueError as exc:
        raise ValidationError({"questions": str(exc)}) from exc
    article_prepare(article=article)
    article.full_clean()
    article.save()
    indexing.refresh_vectors([article.id])
    transaction.on_commit(search_caches_clear)
    if article.status == Article.Status.PUBLISHED and semantic.enabled():
        # Semantic search finds the new text once the worker has embedded it, seconds
        # after the commit; the periodic refresh stays as the net for a lost task.
        transaction.on_commit(_embed_later(article.id), robust=True)
    return article


@transaction.atomic
def article_question_file(*, slug: str, lang: str, question: str) -> Article:
    """File a customer's question under a published article (a taught question): on the
    version in `lang` when there is one, else on any; saved as an editor's change is, so
    it is embedded at commit. Raises ValidationError when the article cannot take it."""
    versions = Article.objects.select_for_update().filter(
        slug=slug, status=Article.Status.PUBLISHED
    )
    article = versions.filter(lang=lang).first() or versions.order_by("lang").first()
    if article is None:
        raise ValidationError({"article": _("No published article has that address.")})
    if question not in article.questions:
        article.questions = [*article.questions, question]
        article_save(article=article)
    return article


def _embed_later(article_id: int) -> Callable[[], None]:
    """The on_commit callback; a named function, so a failed robust callback (Redis down)
    is logged by name instead of failing the request that made the change."""

    def enqueue() -> None:
        from helpcenter.tasks import article_embed

        article_embed.apply_async(
            ([article_id],),
            retry_policy={"max_retries": 2, "interval_start": 0, "interval_step": 0.5},
        )

    return enqueue


def search_caches_clear() -> None:
    """Make this process see content changes at once, and the others within a second
    (search/cache.py's generation)."""
    generation_bump()
    caching.forget_all()
    backends.clear_cache()
    engine.clear_cache()
    typos.clear_cache()
    synonyms.clear_cache()
    semantic.clear_cache()
    banner.forget()


@transaction.atomic
def article_import(*, source: ArticleSource) -> str:
    """Create or update the version `source` describes; returns created, updated or unchanged."""
    if source.status not in Article.Status.values:
        raise ApplicationError(f"unknown status {source.status!r}", code="bad_status")
    digest = _content_hash(source)
    article = Article.objects.select_for_update().filter(slug=source.slug, lang=source.lang).first()
    if article is not None and article.source_hash == digest:
        return "unchanged"
    outcome = "created" if article is None else "updated"
    article = article or Article(slug=source.slug, lang=source.lang)
    article.title, article.tags, article.updated_on = source.title, source.tags, source.updated
    article.body_markdown, article.status, article.summary = source.body, source.status, ""
    article.questions = source.questions
    article.category = category_ensure(slug=source.category)
    article.source_hash = digest
    article_save(article=article)
    return outcome


ARTICLE_VIEWS = "helpcenter:article-views"


def article_view_record(*, article_id: int) -> None:
    """Count a reading of an article: in Redis, no database write on the page (issue 19);
    article_views_flush adds the counts to view_count."""
    counters.counters_add(name=ARTICLE_VIEWS, counts={str(article_id): 1}, apply=_views_add)


def _views_add(counts: counters.Counts) -> None:
    # update() leaves updated_at alone: a view must not look like an edit to the caches.
    for article_id, n in counts.items():
        Article.objects.filter(id=int(article_id)).update(view_count=F("view_count") + n)


def article_views_flush() -> int:
    """Add the views counted in Redis to the articles; safe to run twice."""
    return counters.counters_flush(name=ARTICLE_VIEWS, apply=_views_add)


def _recount_feedback(article_id: int) -> None:
    counts = ArticleFeedback.objects.filter(article_id=article_id).aggregate(
        yes=Count("id", filter=Q(helpful=True)), no=Count("id", filter=Q(helpful=False))
    )
    Article.objects.filter(id=article_id).update(
        helpful_count=counts["yes"], not_helpful_count=counts["no"]
    )


@transaction.atomic
def article_feedback_record(
    *, article: Article, user, session_key: str, helpful: bool, comment: str = ""
) -> ArticleFeedback:
    """One vote per signed-in user or browser session; voting again changes the vote."""
    comment = plain_text(comment).strip()
    if len(comment) > MAX_FEEDBACK_COMMENT:
        raise ApplicationError(
            f"Comments are limited to {MAX_FEEDBACK_COMMENT} characters.", code="too_long"
        )
    voter = (
        {"user": user}
        if user is not None and user.is_authenticated
        else {"user": None, "session_key": session_key}
    )
    if not voter.get("user") and not session_key:
        raise ApplicationError("Cannot record a vote without a session.", code="no_session")
    Article.objects.select_for_update().filter(id=article.id).first()  # serialise votes
    try:
        with transaction.atomic():
            feedback, _ = ArticleFeedback.objects.update_or_create(
                article=article, **voter, defaults={"helpful": helpful, "comment": comment}
            )
    except IntegrityError as exc:
        raise ApplicationError("Your vote was already recorded.", code="duplicate_vote") from exc
    _recount_feedback(article.id)
    return feedback


@transaction.atomic
def announcement_save(*, announcement: Announcement) -> Announcement:
    announcement.body_en_html = rendering.markdown_to_html(announcement.body_en)
    announcement.body_zh_hans_html = rendering.markdown_to_html(announcement.body_zh_hans)
    announcement.full_clean()
    announcement.save()
    transaction.on_commit(generation_bump)  # cached pages show the banner and the list
    return announcement


@transaction.atomic
def synonym_save(*, synonym: SearchSynonym) -> SearchSynonym:
    synonym.full_clean()
    synonym.terms = ", ".join(dict.fromkeys(synonym.term_list()))
    synonym.save()
    transaction.on_commit(search_caches_clear)
    return synonym


def _embed(articles: list[Article]) -> None:
    vectors = semantic.embed_articles(articles)
    for article, (vector, questions_vector) in zip(articles, vectors, strict=True):
        Article.objects.filter(id=article.id).update(  # updated_at tells processes to reload
            embedding=vector,
            questions_embedding=questions_vector,
            embedding_hash=semantic.passage_hash(article),
            updated_at=timezone.now(),
        )


def _embedding_fields() -> tuple[str, ...]:
    return (
        "id",
        "title",
        "tags",
        "summary",
        "body_text",
        "body_html",
        "questions",
        "embedding_hash",
    )


def article_embed(*, article_ids: list[int]) -> int:
    """Embed these articles if they are published and their text changed since their
    vector was made; returns how many were embedded.

    Safe to run twice (the second run finds nothing stale) and beside the periodic refresh
    (both would write the same vector).
    """
    if not semantic.enabled() or not article_ids:
        return 0
    stale = [
        article
        for article in Article.objects.filter(
            id__in=article_ids, status=Article.Status.PUBLISHED
        ).only(*_embedding_fields())
        if article.embedding_hash != semantic.passage_hash(article)
    ]
    if stale:
        _embed(stale)
        search_caches_clear()
    return len(stale)


def article_embeddings_refresh(*, batch_size: int, max_batches: int) -> int:
    """Embed published articles whose passage text changed; returns how many were embedded.

    Safe to run twice or in parallel: a second run finds nothing stale, and two runs
    racing write the same vector.
    """
    if not semantic.enabled():
        return 0
    done = 0
    for _batch in range(max_batches):
        stale = [
            article
            for article in Article.objects.filter(status=Article.Status.PUBLISHED)
            .only(*_embedding_fields())
            .iterator()
            if article.embedding_hash != semantic.passage_hash(article)
        ][:batch_size]
        if not stale:
            break
        _embed(stale)
        done += len(stale)
    if done:
        search_caches_clear()
    return done
