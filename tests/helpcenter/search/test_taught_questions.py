"""Taught questions: what customers asked, filed under the article that answered them,
is evidence for the next customer who asks in other words (issue 18, seventh round)."""

from __future__ import annotations

import hashlib
from io import StringIO

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from helpcenter import services
from helpcenter.importing import ArticleSource
from helpcenter.models import Article
from helpcenter.search import engine, semantic, taught

pytestmark = pytest.mark.django_db

KYC_BODY = """Identity verification has three levels.

## Level 1

Upload the front and back of your ID card.

## Level 2

Take a selfie in good light, without a hat or glasses, holding your phone at eye level.
"""
FEES_BODY = "Maker and taker fees depend on your VIP level and your 30-day trading volume."
TAUGHT = "the app keeps rejecting my face when I verify"
ASKED = "face recognition failed three times, what now"


@pytest.fixture
def semantic_on(settings):
    settings.HELPCENTER_SEMANTIC_SEARCH = True
    assert semantic.enabled()


def _import(slug: str, title: str, body: str, questions: list[str] | None = None) -> Article:
    services.article_import(
        source=ArticleSource(
            slug=slug,
            lang="en",
            title=title,
            category="account",
            body=body,
            questions=questions or [],
        )
    )
    article = Article.objects.get(slug=slug, lang="en")
    services.article_embed(article_ids=[article.id])
    return article


def _signals(query: str, slug: str) -> dict:
    found, _ = engine.candidates(query, lang="en")
    return next(c.signals for c in found if c.slug == slug)


def _confidence(query: str, slug: str) -> float:
    return next(hit.confidence for hit in engine.search(query, lang="en") if hit.slug == slug)


def test_a_taught_question_is_evidence_for_a_question_in_other_words(semantic_on):
    # given: two articles, nobody has taught either
    kyc = _import("kyc-levels", "Identity verification levels", KYC_BODY)
    _import("trading-fees", "Trading fees", FEES_BODY)
    before = _confidence(ASKED, "kyc-levels")
    assert _signals(ASKED, "kyc-levels")["asked_none"] == 1.0
    # when: an editor files what a customer asked under the verification article
    kyc.questions = [TAUGHT]
    services.article_save(article=kyc)
    assert services.article_embed(article_ids=[kyc.id]) == 1
    # then: the question is stored as e5 reads a query
    kyc.refresh_from_db()
    stored = np.frombuffer(bytes(kyc.questions_embedding), dtype=np.float32).reshape(-1, 384)
    assert stored.shape == (1, 384)
    assert float(stored[0] @ np.asarray(semantic.embed_query(TAUGHT))) > 0.999
    # and another customer's words find it: near, and nearer than any other article's
    signals = _signals(ASKED, "kyc-levels")
    assert signals["asked_none"] == 0.0
    assert signals["asked"] > semantic.MIN_SIMILARITY
    assert signals["asked_margin"] > 0
    vector = semantic.embed_query(ASKED)
    assert semantic.taught_nearest(vector).signals("trading-fees")["asked_none"] == 1.0
    # and search (and so the bot) is surer of the article than before
    assert _confidence(ASKED, "kyc-levels") > before


def test_changing_the_questions_embeds_the_article_again_and_only_then(semantic_on):
    # given: an article embedded with one taught question
    kyc = _import("kyc-levels", "Identity verification levels", KYC_BODY, [TAUGHT])
    assert services.article_embed(article_ids=[kyc.id]) == 0  # nothing stale
    # when: a second question is filed
    kyc.refresh_from_db()
    kyc.questions = [TAUGHT, "selfie check failed"]
    services.article_save(article=kyc)
    # then: the worker embeds it once, with both questions
    assert services.article_embed(article_ids=[kyc.id]) == 1
    assert services.article_embed(article_ids=[kyc.id]) == 0
    kyc.refresh_from_db()
    assert len(bytes(kyc.questions_embedding)) == 2 * 384 * 4


def test_an_article_without_questions_keeps_its_vector_hash(semantic_on):
    # (articles embedded before taught questions existed are not embedded again)
    fees = _import("trading-fees", "Trading fees", FEES_BODY)
    fees.refresh_from_db()
    assert fees.questions == [] and bytes(fees.questions_embedding) == b""
    passages_only = hashlib.sha256("\x1e".join(semantic.passages(fees)).encode()).hexdigest()
    assert fees.embedding_hash == semantic.passage_hash(fees) == passages_only


@pytest.mark.parametrize(
    "value, cleaned",
    [
        (None, []),
        ("", []),
        (
            "  where is my\tdeposit \n\nwhere is my deposit\n提币没到账",
            ["where is my deposit", "提币没到账"],
        ),
        (["2FA lost", 2026], ["2FA lost", "2026"]),
    ],
)
def test_questions_are_cleaned_to_one_line_each_without_repeats(value, cleaned):
    assert taught.clean_questions(value) == cleaned


@pytest.mark.parametrize(
    "value, message",
    [
        ({"q": "a mapping"}, "list"),
        ([["nested"]], "line of text"),
        ([True], "line of text"),
        (["x" * 201], "longer than 200"),
        ([f"question {n}" for n in range(101)], "More than 100"),
    ],
)
def test_bad_questions_are_refused_with_a_reason(value, message):
    with pytest.raises(ValueError, match=message):
        taught.clean_questions(value)


ARTICLE_FILE = """---
id: kyc-levels
lang: en
title: Identity verification levels
category: account
updated: 2026-11-01
questions:
{questions}
---

{body}
"""


def test_import_reads_questions_from_the_front_matter(tmp_path):
    path = tmp_path / "kyc.en.md"
    path.write_text(
        ARTICLE_FILE.format(questions=f'  - "{TAUGHT}"\n  - "人脸识别一直不通过"', body=KYC_BODY),
        encoding="utf-8",
    )
    call_command("import_articles", str(tmp_path), stdout=StringIO())
    assert Article.objects.get(slug="kyc-levels").questions == [TAUGHT, "人脸识别一直不通过"]


def test_import_refuses_a_file_with_bad_questions_and_writes_nothing(tmp_path):
    path = tmp_path / "kyc.en.md"
    path.write_text(
        ARTICLE_FILE.format(questions=f'  - "{"x" * 300}"', body=KYC_BODY), encoding="utf-8"
    )
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_articles", str(tmp_path), stdout=StringIO(), stderr=err)
    assert "questions: A question is longer than 200 characters" in err.getvalue()
    assert not Article.objects.exists()


@pytest.fixture
def admin_client(client, user_factory):
    client.force_login(user_factory(email="ops@example.test", is_staff=True, is_superuser=True))
    return client


def _form(category_id: int, questions: str) -> dict:
    return {
        "slug": "kyc-levels",
        "lang": "en",
        "title": "Identity verification levels",
        "summary": "",
        "category": category_id,
        "tags": "[]",
        "status": "published",
        "updated_on": "2026-11-01",
        "body_markdown": KYC_BODY,
        "questions": questions,
    }


def test_an_editor_files_questions_one_per_line(admin_client, category_factory):
    category = category_factory(slug="account")
    response = admin_client.post(
        "/admin/helpcenter/article/add/",
        _form(category.id, f"{TAUGHT}\r\n\r\n  selfie   check failed \r\n{TAUGHT}"),
    )
    assert response.status_code == 302
    article = Article.objects.get(slug="kyc-levels")
    assert article.questions == [TAUGHT, "selfie check failed"]
    page = admin_client.get(f"/admin/helpcenter/article/{article.id}/change/").content.decode()
    assert f"{TAUGHT}\nselfie check failed</textarea>" in page


def test_an_editor_is_told_what_is_wrong_and_nothing_is_saved(admin_client, category_factory):
    category = category_factory(slug="account")
    response = admin_client.post("/admin/helpcenter/article/add/", _form(category.id, "y" * 201))
    assert response.status_code == 200
    assert "A question is longer than 200 characters." in response.content.decode()
    assert not Article.objects.exists()
