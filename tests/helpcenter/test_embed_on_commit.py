"""An article saved (admin, importer) is queued for embedding when its change commits."""

from __future__ import annotations

import pytest
from django.db import transaction

from helpcenter import services
from helpcenter.importing import ArticleSource
from helpcenter.models import Article
from helpcenter.search import engine, semantic

pytestmark = pytest.mark.django_db

# Shares no word with the article below: only the meaning can find it.
QUERY = "somebody stole my cold storage device, can I still get my coins back"


@pytest.fixture
def semantic_on(settings):
    settings.HELPCENTER_SEMANTIC_SEARCH = True
    assert semantic.enabled()


def _semantic_nearest(query: str) -> int | None:
    found, _ = semantic.similarities(semantic.embed_query_soon(query).result(), top=1)
    return found[0][0] if found else None


def _import(slug: str, title: str, body: str) -> Article:
    services.article_import(
        source=ArticleSource(slug=slug, lang="en", title=title, category="wallets", body=body)
    )
    return Article.objects.get(slug=slug, lang="en")


def test_an_imported_article_is_found_by_meaning_right_after_its_commit(
    semantic_on, task_queue, django_capture_on_commit_callbacks
):
    # given: another article, already embedded
    with django_capture_on_commit_callbacks(execute=True):
        other = _import("fees", "Trading fees", "Maker and taker fees by VIP level.")
    task_queue.run()
    # when
    with django_capture_on_commit_callbacks(execute=True):
        article = _import(
            "lost-hardware-wallet",
            "Lost hardware wallet",
            "If a hardware wallet is lost, restore the funds from its recovery phrase.",
        )
    queued = task_queue.run()
    # then: one task for this article, run as the worker would, and semantic matching finds it
    assert queued == [{"task": "helpcenter.tasks.article_embed", "args": [[article.id]]}]
    assert _semantic_nearest(QUERY) == article.id != other.id
    hits = engine.search(
        QUERY, lang="en", features=engine.Features(synonyms=False, typos=False, semantic=True)
    )
    assert hits and hits[0].article_id == article.id


def test_an_edit_is_queued_and_a_second_run_of_the_task_does_nothing(
    semantic_on, task_queue, django_capture_on_commit_callbacks
):
    # given
    with django_capture_on_commit_callbacks(execute=True):
        article = _import("fees", "Trading fees", "Maker and taker fees by VIP level.")
    task_queue.run()
    # when: edited in the admin (same service)
    article.title, article.body_markdown = (
        "Lost hardware wallet",
        "If a hardware wallet is lost, restore the funds from its recovery phrase.",
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.article_save(article=article)
    assert [task["task"] for task in task_queue.run()] == ["helpcenter.tasks.article_embed"]
    # then
    assert _semantic_nearest(QUERY) == article.id
    assert services.article_embed(article_ids=[article.id]) == 0


def test_a_rolled_back_edit_queues_nothing(
    semantic_on, task_queue, django_capture_on_commit_callbacks
):
    # when
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            _import("fees", "Trading fees", "Maker and taker fees by VIP level.")
            raise RuntimeError("the import failed later")
    # then
    assert callbacks == [] and task_queue.take() == []
    assert not Article.objects.exists()


def test_nothing_is_queued_when_semantic_search_is_off(
    settings, task_queue, django_capture_on_commit_callbacks
):
    settings.HELPCENTER_SEMANTIC_SEARCH = False
    with django_capture_on_commit_callbacks(execute=True):
        _import("fees", "Trading fees", "Maker and taker fees by VIP level.")
    assert task_queue.take() == []
