from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import User
from helpcenter.models import Announcement, Article, ContactChannel, GlossaryTerm, SearchSynonym
from helpcenter.selectors import article_search
from tickets.models import InboundEmail

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, user_factory):
    admin = user_factory(email="ops@example.test", is_staff=True, is_superuser=True)
    client.force_login(admin)
    return client


def test_admin_article_save_renders_sanitises_and_indexes(admin_client, category_factory):
    # given
    category = category_factory(slug="wallets")
    # when
    response = admin_client.post(
        "/admin/helpcenter/article/add/",
        {
            "slug": "cold-wallet",
            "lang": "en",
            "title": "Cold wallets",
            "summary": "",
            "category": category.id,
            "tags": '["storage"]',
            "status": "published",
            "updated_on": "2026-11-01",
            "body_markdown": "Keep coins offline. <script>x()</script>",
        },
    )
    # then
    assert response.status_code == 302
    article = Article.objects.get(slug="cold-wallet")
    assert "<script>" not in article.body_html and article.published_at is not None
    assert [hit.slug for hit in article_search(query="offline coins", lang="en")] == ["cold-wallet"]
    preview = admin_client.get(f"/admin/helpcenter/article/{article.id}/change/").content.decode()
    assert "Keep coins offline." in preview


def test_admin_rejects_a_synonym_group_of_one_term(admin_client):
    response = admin_client.post(
        "/admin/helpcenter/searchsynonym/add/", {"terms": "提币", "note": ""}
    )
    assert response.status_code == 200
    assert "at least two terms" in response.content.decode()
    assert not SearchSynonym.objects.exists()


def test_seed_demo_is_idempotent(settings, tmp_path, monkeypatch):
    # given: demo credentials go to a scratch folder
    monkeypatch.setattr("accounts.demo.CREDENTIALS_FILE", tmp_path / "demo.json")
    monkeypatch.setattr("accounts.demo.VAR_DIR", tmp_path)
    monkeypatch.setattr("helpcenter.demo.article_embeddings_refresh.delay", lambda: None)
    # when
    call_command("seed_demo", stdout=StringIO())
    counts = [
        m.objects.count()
        for m in (User, Article, Announcement, ContactChannel, GlossaryTerm, SearchSynonym)
    ]
    call_command("seed_demo", stdout=StringIO())
    # then
    assert [
        m.objects.count()
        for m in (User, Article, Announcement, ContactChannel, GlossaryTerm, SearchSynonym)
    ] == counts
    # seven demo people, and the contact account of the stranger in the demo emails
    assert counts[0] == 8 and counts[1] == 48  # 24 demo articles, each in zh-hans and en
    assert InboundEmail.objects.count() == 3  # the demo emails, once each
    assert (
        Article.objects.filter(lang="zh-hans").count() == Article.objects.filter(lang="en").count()
    )


def test_semantic_search_finds_a_paraphrase_keywords_miss(settings, article_factory):
    from helpcenter import services
    from helpcenter.search.engine import Features, search

    # given
    settings.HELPCENTER_SEMANTIC_SEARCH = True
    article_factory(
        slug="freeze",
        title="Freeze your account if it is compromised",
        body_markdown="Lock everything at once when a thief has your login.",
    )
    article_factory(slug="fees", title="Trading fees", body_markdown="Maker and taker rates.")
    # when
    embedded = services.article_embeddings_refresh(batch_size=8, max_batches=2)
    services.search_caches_clear()
    keyword_only = search("somebody hacked me", lang="en", features=Features(semantic=False))
    blended = search("somebody hacked me", lang="en")
    # then
    assert embedded == 2
    assert keyword_only == []
    assert blended[0].slug == "freeze"
    assert services.article_embeddings_refresh(batch_size=8, max_batches=2) == 0  # idempotent
