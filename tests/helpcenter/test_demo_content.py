"""The demo help centre (helpcenter/demo_content/) as `make run` loads it (seed_demo).

Conventions the articles follow, checked here:

- every article exists in zh-hans and en;
- links are internal paths of this project (no scheme, no host) and open (200 or 302);
- a topic of the request form is always written as a link to the form with the topic
  chosen, its label in bold and exactly as the form's list shows it in that language:
  ``[**Deposit without memo/tag**](/requests/new/?type=deposit-missing-memo)``;
  "with the topic" / "问题类型选择" is always followed by such a link, and a bold menu path
  (``**A > B**``) never names a form topic;
- the articles agree with each other and with the site data: KYC before deposits, the
  withdrawal limits, the hotlines and their hours.
"""

from __future__ import annotations

import html
import re
from collections import defaultdict
from io import StringIO

import pytest
import yaml
from django.conf import settings
from django.core.management import call_command
from django.urls import Resolver404, resolve

from helpcenter.demo import CONTENT
from helpcenter.importing import ArticleSource, article_files, read_article_file
from helpcenter.models import Article
from tickets.models import TicketType
from tickets.selectors import ticket_types_for_customers

LANGS = ("en", "zh-hans")
LINK = re.compile(r"(?<!!)\[([^\]\n]+)\]\(([^)\s]+)\)")
TOPIC = re.compile(r"\[\*\*([^*\]\n]+)\*\*\]\(/requests/new/\?type=([a-z0-9-]+)\)")
TOPIC_PHRASE = {"en": "with the topic ", "zh-hans": "问题类型选择"}
BOLD = re.compile(r"\*\*([^*\n]+?)\*\*")


def _sources() -> dict[tuple[str, str], ArticleSource]:
    sources = {}
    for path in article_files([CONTENT / "articles"]):
        source = read_article_file(path)
        assert path.name == f"{source.slug}.{source.lang}.md", path.name
        sources[(source.slug, source.lang)] = source
    return sources


SOURCES = _sources()
SLUGS = sorted({slug for slug, _ in SOURCES})
SITE = yaml.safe_load((CONTENT / "site.yaml").read_text(encoding="utf-8"))


def _body(slug: str, lang: str) -> str:
    return SOURCES[(slug, lang)].body


# ------------------------------------------------------------------ the files alone


def test_every_article_is_written_in_both_languages_in_a_known_category():
    categories = {row["slug"] for row in SITE["categories"]}
    assert len(SLUGS) >= 24
    for slug in SLUGS:
        for lang in LANGS:
            assert (slug, lang) in SOURCES, f"{slug} has no {lang} version"
            assert SOURCES[(slug, lang)].category in categories, (slug, lang)
        # the same category, so the two versions sit side by side
        assert SOURCES[(slug, "en")].category == SOURCES[(slug, "zh-hans")].category, slug


def test_links_are_internal_paths_without_old_addresses():
    for (slug, lang), source in SOURCES.items():
        for _text, target in LINK.findall(source.body):
            assert target.startswith("/") and not target.startswith("//"), (slug, lang, target)
        assert "/contact/#request" not in source.body, (slug, lang)


def test_the_articles_agree_that_deposits_need_level_1_verification():
    # One rule, said the same way where it matters, never contradicted anywhere.
    required = {
        "en": re.compile(r"at least Level 1 \(Basic\)"),
        "zh-hans": re.compile(r"至少需要完成一级（基础）认证"),
    }
    contradictions = {
        "en": re.compile(
            r"crypto deposits only|deposits? only|deposit without (?:kyc|verification|verifying)"
            r"|no (?:kyc|verification) (?:is )?(?:needed|required) (?:to|for) deposit"
            r"|unverified[^.\n|]*\bcan deposit|(?:kyc|verification) is not (?:needed|required)",
            re.IGNORECASE,
        ),
        "zh-hans": re.compile(
            r"无需(?:实名)?认证即可充|不用(?:实名)?认证.{0,6}充|充值无需(?:实名)?认证"
            r"|未认证[^。\n|]{0,12}(?:可以|即可|可)充|仅(?:支持|可)充值"
        ),
    }
    for slug in ("beacon-kyc-levels", "beacon-first-steps", "beacon-deposit-not-credited"):
        for lang in LANGS:
            assert required[lang].search(_body(slug, lang)), (slug, lang)
    for (slug, lang), source in SOURCES.items():
        assert not contradictions[lang].search(source.body), (slug, lang)
    # the unverified row of the levels table says so too
    assert "no deposits" in _body("beacon-kyc-levels", "en")
    assert "不能充值" in _body("beacon-kyc-levels", "zh-hans")


def test_the_withdrawal_limits_are_the_same_in_the_kyc_and_fees_articles():
    for lang in LANGS:
        for limit in ("10,000 USDT", "1,000,000 USDT", "5,000,000 USDT"):
            for slug in ("beacon-kyc-levels", "beacon-fees-limits"):
                assert limit in _body(slug, lang), (slug, lang, limit)


def _hours(calendar: dict) -> set[str]:
    return {f"{row['opens']}–{row['closes']}" for row in calendar["hours"]}


def test_the_hotlines_article_matches_the_contact_channels_and_their_hours():
    calendars = {row["slug"]: row for row in SITE["calendars"]}
    hotlines = [row for row in SITE["channels"] if row["kind"] == "hotline"]
    assert len(hotlines) == 3
    for lang in LANGS:
        body = _body("beacon-hotlines-hours", lang)
        for channel in hotlines:
            assert channel["value"] in body, (lang, channel["value"])
            assert channel["value"] in _body("beacon-contact-support-safely", lang)
            for hours in _hours(calendars[channel["calendar"]]):
                line = next(line for line in body.splitlines() if channel["value"] in line)
                assert hours in line, (lang, channel["value"], hours)
        # chat, requests and email are on the always-open calendar, and the article says so
        always = [row for row in SITE["channels"] if row.get("calendar") == "support-24-7"]
        assert {row["kind"] for row in always} == {"live_chat", "request_form", "email"}
        assert all(calendars["support-24-7"]["always_open"] for _ in always)
        assert ("24/7" if lang == "en" else "7×24") in body
        assert "support@beacon.test" in body


# ------------------------------------------------------------------ the loaded demo


@pytest.fixture
def demo(db, tmp_path, monkeypatch):
    """What `make prepare` runs after migrating: seed_demo, every app's demo module."""
    monkeypatch.setattr("accounts.demo.CREDENTIALS_FILE", tmp_path / "demo.json")
    monkeypatch.setattr("accounts.demo.VAR_DIR", tmp_path)
    monkeypatch.setattr("helpcenter.demo.article_embeddings_refresh.delay", lambda: None)
    call_command("seed_demo", stdout=StringIO())


@pytest.fixture
def signed_in(client, user_factory):
    """A customer's client, in the language asked for (the language cookie wins)."""
    client.force_login(user_factory(email="reader@example.test"))

    def use(lang: str):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
        return client

    return use


def test_every_article_is_published_in_both_languages_and_renders_cleanly(demo):
    for slug in SLUGS:
        for lang in LANGS:
            article = Article.objects.get(slug=slug, lang=lang)
            assert article.status == Article.Status.PUBLISHED, (slug, lang)
            # Markdown left over in the HTML is emphasis that did not render (e.g. ** next
            # to Chinese punctuation) or a broken link.
            assert "**" not in article.body_html, (slug, lang)
            assert "](" not in article.body_html, (slug, lang)


def test_every_link_in_every_article_opens(demo, signed_in):
    pages: dict[tuple[str, str], tuple[int, str]] = {}
    for (slug, lang), source in sorted(SOURCES.items()):
        client = signed_in(lang)
        for _text, target in LINK.findall(source.body):
            path, _, fragment = target.partition("#")
            try:
                match = resolve(path.split("?")[0])
            except Resolver404:
                pytest.fail(f"{slug} ({lang}) links to {target}, which is no page")
            if match.url_name == "article":
                linked = match.kwargs["slug"]
                assert Article.objects.filter(
                    slug=linked, lang=lang, status=Article.Status.PUBLISHED
                ).exists(), f"{slug} ({lang}) links to {linked}, missing in {lang}"
            if (path, lang) not in pages:
                response = client.get(path)
                pages[(path, lang)] = (response.status_code, response.content.decode())
            status, content = pages[(path, lang)]
            assert status in (200, 302), f"{slug} ({lang}): {target} answers {status}"
            if fragment:
                assert f'id="{fragment}"' in content, f"{slug} ({lang}): no #{fragment}"


def test_every_form_topic_an_article_names_is_offered_with_that_label(demo, signed_in):
    offered = {ticket_type.slug: ticket_type for ticket_type in ticket_types_for_customers()}
    names = {
        name
        for ticket_type in TicketType.objects.all()
        for name in (ticket_type.name_en, ticket_type.name_zh_hans)
    }
    named: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for (slug, lang), source in sorted(SOURCES.items()):
        body = source.body
        links_to_a_topic = [t for _x, t in LINK.findall(body) if t.startswith("/requests/new/?")]
        topics = TOPIC.findall(body)
        assert len(topics) == len(links_to_a_topic), f"{slug} ({lang}): a form link not as a topic"
        for label, type_slug in topics:
            assert type_slug in offered, f"{slug} ({lang}): the form has no topic {type_slug}"
            assert label == offered[type_slug].name(lang), (slug, lang, label)
            named[type_slug].add((lang, label))
        # "with the topic X" is always a link to the form with X chosen
        phrase = TOPIC_PHRASE[lang]
        for found in re.finditer(re.escape(phrase), body):
            assert TOPIC.match(body, found.end()), f"{slug} ({lang}): {phrase!r} without a topic"
        # a bold path such as **Deposits > Missing memo/tag** is a menu, never a form topic
        for bold in BOLD.findall(body):
            if ">" in bold:
                segments = {part.strip() for part in bold.split(">")}
                assert not segments & names, f"{slug} ({lang}): **{bold}** names a form topic"
    assert "deposit-missing-memo" in named and "asset-recovery" in named
    # and the form shows each one, chosen, under that label
    for type_slug, labels in sorted(named.items()):
        for lang, label in sorted(labels):
            response = signed_in(lang).get(f"/requests/new/?type={type_slug}")
            assert response.status_code == 200, (type_slug, lang)
            content = response.content.decode()
            option = re.search(
                rf'<option value="{re.escape(type_slug)}"[^>]*>([^<]*)</option>', content
            )
            assert option and "selected" in option.group(0), (type_slug, lang)
            assert html.unescape(option.group(1)) == label, (type_slug, lang)


def test_the_guide_page_agrees_with_the_articles_on_kyc_for_deposits(demo, client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get("/guide/").content.decode()
    assert "unlocks deposits" in page
    assert "unlocks deposits" in _body("beacon-kyc-levels", "en")
