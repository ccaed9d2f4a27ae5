from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from helpcenter import services
from helpcenter.models import Announcement, ArticleFeedback

pytestmark = pytest.mark.django_db


def test_home_lists_only_categories_with_articles_in_the_viewers_language(
    client, article_factory, category_factory
):
    # given
    wallets = category_factory(slug="wallets", name_en="Wallets", name_zh_hans="钱包")
    category_factory(slug="empty", name_en="Empty topic")
    article_factory(category=wallets, lang="zh-hans", title="冷钱包")
    # when
    zh = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    en = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # then
    assert "钱包" in zh and "Empty topic" not in zh
    assert "Wallets" not in en


def test_article_page_shows_the_viewers_language_and_links_the_translation(client, article_factory):
    # given
    article_factory(
        slug="fees", lang="en", title="Fees explained", body_markdown="Maker and taker."
    )
    article_factory(slug="fees", lang="zh-hans", title="手续费说明", body_markdown="挂单和吃单。")
    # when
    page = client.get("/help/articles/fees/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    # then
    assert "手续费说明" in page and "挂单和吃单" in page
    assert "/help/articles/fees/?lang=en" in page


def test_article_page_is_404_for_drafts_and_unknown_slugs(client, article_factory):
    article_factory(slug="secret", status="draft")
    assert client.get("/help/articles/secret/").status_code == 404
    assert client.get("/help/articles/nothing-here/").status_code == 404


def test_article_page_counts_each_view_once_flushed(client, article_factory):
    # (counted in Redis, no write on the page; tests/helpcenter/test_cacheable_pages.py)
    article = article_factory(slug="count-me")
    client.get("/help/articles/count-me/")
    client.get("/help/articles/count-me/")
    services.article_views_flush()
    article.refresh_from_db()
    assert article.view_count == 2


def test_article_page_renders_stored_script_as_text(client, article_factory):
    article_factory(
        slug="xss",
        title="<script>alert(1)</script>",
        body_markdown="<script>alert(2)</script> [x](javascript:alert(3))",
    )
    page = client.get("/help/articles/xss/").content.decode()
    assert "<script>alert" not in page
    assert 'javascript:alert(3)"' not in page


def test_feedback_without_javascript_records_one_vote_per_session(client, article_factory):
    # given
    article = article_factory(slug="vote")
    # when: vote yes, then change to no with a comment
    first = client.post("/help/articles/vote/feedback", {"helpful": "yes", "lang": "en"})
    second = client.post(
        "/help/articles/vote/feedback", {"helpful": "no", "comment": "Too short", "lang": "en"}
    )
    # then
    assert first.status_code == 302 and second.status_code == 302
    assert ArticleFeedback.objects.count() == 1
    article.refresh_from_db()
    assert (article.helpful_count, article.not_helpful_count) == (0, 1)


def test_feedback_rejects_bad_input_without_writing(client, article_factory):
    article_factory(slug="vote", title="Vote here")
    maybe = client.post("/help/articles/vote/feedback", {"helpful": "maybe"})
    assert maybe.status_code == 400
    assert (
        "Vote here" in maybe.content.decode()
        and "Please check your answer" in maybe.content.decode()
    )
    assert (
        client.post(
            "/help/articles/vote/feedback", {"helpful": "yes", "comment": "x" * 5000}
        ).status_code
        == 400
    )
    assert client.get("/help/articles/vote/feedback").status_code == 405
    assert ArticleFeedback.objects.count() == 0


def test_feedback_by_two_sessions_counts_two_votes(
    client, django_user_model, article_factory, customer
):
    # given
    article = article_factory(slug="vote")
    client.post("/help/articles/vote/feedback", {"helpful": "yes"})
    # when: a signed-in user votes too
    client.force_login(customer)
    client.post("/help/articles/vote/feedback", {"helpful": "yes"})
    # then
    article.refresh_from_db()
    assert article.helpful_count == 2


def test_search_page_shows_results_and_clear_errors(client, article_factory):
    article_factory(slug="dep", title="Deposit not credited")
    ok = client.get("/help/search/", {"q": "deposit"})
    too_long = client.get("/help/search/", {"q": "x" * 10_000})
    bad_lang = client.get("/help/search/", {"q": "deposit", "lang": "xx"})
    nul = client.get("/help/search/", {"q": "depo\x00sit"})
    assert ok.status_code == 200 and "Deposit not credited" in ok.content.decode()
    assert too_long.status_code == 400 and "at most 200" in too_long.content.decode()
    assert bad_lang.status_code == 400
    assert nul.status_code == 400  # refused before any view: core.input_guard


def test_maintenance_banner_shows_only_while_active(client, announcement_factory):
    # given
    now = timezone.now()
    announcement_factory(
        kind=Announcement.Kind.MAINTENANCE,
        title_en="Old work",
        starts_at=now - dt.timedelta(days=2),
        ends_at=now - dt.timedelta(days=1),
    )
    announcement_factory(kind=Announcement.Kind.LISTING, title_en="New coin")
    assert "maintenance-banner" not in client.get("/").content.decode()
    # when
    announcement_factory(
        kind=Announcement.Kind.MAINTENANCE,
        title_en="Wallet upgrade",
        starts_at=now - dt.timedelta(minutes=5),
        ends_at=now + dt.timedelta(hours=1),
    )
    # then
    page = client.get("/contact/").content.decode()
    assert "maintenance-banner" in page and "Wallet upgrade" in page


def test_announcements_hide_future_ones(client, announcement_factory):
    announcement_factory(title_en="Coming soon", starts_at=timezone.now() + dt.timedelta(days=1))
    future_id = Announcement.objects.get().id
    assert "Coming soon" not in client.get("/announcements/").content.decode()
    assert client.get(f"/announcements/{future_id}/").status_code == 404


def test_contact_page_says_open_now_or_when_it_opens(client, channel_factory):
    from zoneinfo import ZoneInfo

    from helpcenter.models import BusinessCalendar, BusinessHours

    # given: one channel always open; one open only tomorrow (Shanghai time) 09:00-09:30
    always = BusinessCalendar.objects.create(slug="always", name="24/7", always_open=True)
    office = BusinessCalendar.objects.create(
        slug="office", name="Office", time_zone="Asia/Shanghai"
    )
    tomorrow = timezone.now().astimezone(ZoneInfo("Asia/Shanghai")) + dt.timedelta(days=1)
    BusinessHours.objects.create(
        calendar=office, weekday=tomorrow.weekday(), opens=dt.time(9), closes=dt.time(9, 30)
    )
    channel_factory(label_en="Chat", calendar=always)
    channel_factory(label_en="Phone", calendar=office, kind="hotline", value="+86 400 820 8888")
    # when: the viewer's browser is in London
    client.cookies["beacon_tz"] = "Europe/London"
    page = client.get("/contact/").content.decode()
    # then: the opening is shown in London time
    london_opening = dt.datetime.combine(
        tomorrow.date(), dt.time(9), tzinfo=ZoneInfo("Asia/Shanghai")
    )
    expected = london_opening.astimezone(ZoneInfo("Europe/London")).strftime("%Y-%m-%d %H:%M")
    assert "Open now" in page
    assert "Closed now" in page and expected in page
    assert "Europe/London" in page


def test_verify_page_copes_with_any_string(client, channel_factory):
    channel_factory(value="support@beacon.test")
    official = client.get("/verify/", {"value": "SUPPORT@beacon.test "}).content.decode()
    stranger = client.get("/verify/", {"value": "help@beacon-support.io"}).content.decode()
    hostile = client.get("/verify/", {"value": "🚀" * 3000 + "\u202e<script>"})
    assert "Official Beacon channel" in official
    assert "Not an official Beacon channel" in stranger
    assert (
        hostile.status_code == 200
        and "<script>" not in hostile.content.decode().split("</form>")[1]
    )


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/help/search/?q=fee",
        "/announcements/",
        "/guide/",
        "/glossary/",
        "/contact/",
        "/verify/",
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/password/reset/",
    ],
)
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_every_page_renders_in_both_languages(client, path, language):
    response = client.get(path, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    assert f'<html lang="{language}">' in response.content.decode()


def test_the_kept_banner_opens_and_closes_with_the_window_and_costs_no_query(
    announcement_factory, django_assert_num_queries
):
    from helpcenter import banner

    # given: a maintenance window from an hour from now, for an hour (no save after)
    now = timezone.now()
    start, end = now + dt.timedelta(hours=1), now + dt.timedelta(hours=2)
    announcement_factory(
        kind=Announcement.Kind.MAINTENANCE, title_en="Wallet upgrade", starts_at=start, ends_at=end
    )
    # then: before it, no banner, and asking again reads nothing
    assert banner.maintenance_banner(now) is None
    with django_assert_num_queries(0):
        assert banner.maintenance_banner(now + dt.timedelta(minutes=59)) is None
    # and the window opens and closes on time, though nothing was saved
    assert banner.maintenance_banner(start + dt.timedelta(seconds=1)).title_en == "Wallet upgrade"
    with django_assert_num_queries(0):
        assert banner.maintenance_banner(end - dt.timedelta(seconds=1)) is not None
    assert banner.maintenance_banner(end + dt.timedelta(seconds=1)) is None
