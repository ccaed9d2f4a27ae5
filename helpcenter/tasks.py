from __future__ import annotations

from celery import shared_task

# One batch of short passages embeds in about 30 ms each on one core: 64 ≈ 2 s per batch.
EMBEDDING_BATCH = 64


@shared_task(acks_late=True, time_limit=600, soft_time_limit=540, ignore_result=True)
def article_embeddings_refresh(max_batches: int = 50) -> int:
    """Embed published articles whose text changed since their vector was made; idempotent."""
    from helpcenter.services import article_embeddings_refresh as refresh

    return refresh(batch_size=EMBEDDING_BATCH, max_batches=max_batches)


@shared_task(
    acks_late=True,
    time_limit=120,
    soft_time_limit=100,
    ignore_result=True,
    autoretry_for=(OSError,),
    max_retries=3,
    retry_backoff=True,
)
def article_embed(article_ids: list[int]) -> int:
    """Embed the articles just saved (queued on commit); a no-op for ones already current."""
    from helpcenter.services import article_embed as embed

    return embed(article_ids=[int(i) for i in article_ids[:EMBEDDING_BATCH]])


@shared_task(acks_late=True, time_limit=120, soft_time_limit=100, ignore_result=True)
def search_stats_flush() -> int:
    """Move the searches and clicks counted in Redis into the database; idempotent."""
    from helpcenter.analytics import search_stats_flush as flush

    return flush()


@shared_task(acks_late=True, time_limit=120, soft_time_limit=100, ignore_result=True)
def article_views_flush() -> int:
    """Add the article views counted in Redis to view_count; idempotent."""
    from helpcenter.services import article_views_flush as flush

    return flush()
