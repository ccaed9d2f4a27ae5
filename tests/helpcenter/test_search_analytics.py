"""Search analytics: counted in Redis on the search, flushed into tables by a beat task,
shown to supervisors with a CSV; personal data is never stored."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Role
from accounts.services import user_role_grant
from helpcenter import analytics, counters
from helpcenter.models import CounterFlush, SearchClickStat, SearchQueryStat
from helpcenter.tasks import search_stats_flush

pytestmark = pytest.mark.django_db

PAGE = "/console/help/search-analytics/"
CSV = "/console/help/search-analytics.csv"


@pytest.fixture
def fees(article_factory):
    return article_factory(
        slug="fees", title="Trading fees", body_markdown="Maker and taker fees by VIP level."
    )


@pytest.fixture
def supervisor(user_factory):
    user = user_factory(email="supervisor@example.test")
    user_role_grant(user=user, role=Role.SUPERVISOR)
    return user


def _stat(query: str, lang: str = "en") -> SearchQueryStat:
    return SearchQueryStat.objects.get(week=analytics.week_of(), lang=lang, query=query)


def test_two_searches_flushed_count_two_and_the_search_writes_nothing(client, fees):
    # when
    with CaptureQueriesContext(connection) as queries:
        client.get("/help/search/", {"q": "Trading  FEES", "lang": "en"})
    client.get("/help/search/", {"q": "trading fees", "lang": "en"})
    flushed = search_stats_flush.apply().get()
    # then
    assert not [q for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE"))]
    stat = _stat("trading fees")
    assert flushed and (stat.searches, stat.no_match) == (2, 0) and stat.results >= 2


def test_a_search_with_no_confident_result_is_counted_as_such(client, fees):
    client.get("/help/search/", {"q": "忘记资金密码", "lang": "zh-hans"})
    analytics.search_stats_flush()
    stat = _stat("忘记资金密码", lang="zh-hans")
    assert (stat.searches, stat.no_match, stat.results) == (1, 1, 0)


def test_the_flush_run_twice_does_not_count_twice(client, fees):
    # given
    client.get("/help/search/", {"q": "trading fees", "lang": "en"})
    client.get("/help/search/", {"q": "trading fees", "lang": "en"})
    # when
    analytics.search_stats_flush()
    analytics.search_stats_flush()
    # then
    assert _stat("trading fees").searches == 2


def test_a_flush_that_died_after_its_commit_is_not_applied_again(client, fees, monkeypatch):
    # given: the first flush commits, then Redis fails before the hash is deleted
    client.get("/help/search/", {"q": "trading fees", "lang": "en"})
    real = counters._client()

    class DeleteFails:
        def __getattr__(self, name):
            return getattr(real, name)

        def delete(self, *keys):
            raise ConnectionError("Redis went away")

    monkeypatch.setattr(counters, "_client", lambda: DeleteFails())
    with pytest.raises(ConnectionError):
        analytics.search_stats_flush()
    monkeypatch.undo()
    # when: the next run finds the pending hash, already recorded
    client.get("/help/search/", {"q": "trading fees", "lang": "en"})
    analytics.search_stats_flush()
    # then
    assert _stat("trading fees").searches == 2 and CounterFlush.objects.count() == 2


def test_personal_data_never_reaches_redis_or_the_table(client, fees):
    # when
    for query in (
        "my email is Mei.Chen@example.com",
        "txid 5c504ed432cb51138bcf09aa5e8a410dd4a1e204ef84bfed1be16dfba1b22060",
        "call me +86 138 1234 5678",
        "UID 12345678 frozen",
    ):
        client.get("/help/search/", {"q": query, "lang": "en"})
    counters.counters_push()
    raw = counters._client().hgetall(counters.cache.make_key(analytics.LIVE))
    analytics.search_stats_flush()
    # then
    stored = b" ".join(raw).decode()
    for secret in ("mei.chen", "example.com", "5c504ed4", "1234", "12345678"):
        assert secret not in stored
    assert set(SearchQueryStat.objects.values_list("query", flat=True)) == {
        "my email is [email]",
        "txid [txid]",
        "call me [number]",
        "uid [number] frozen",
    }


def test_a_seed_phrase_or_password_typed_into_search_is_never_stored(client, fees):
    phrase = "abandon ability able about above absent absorb abstract absurd abuse access accident"
    for query, lang in (
        (f"restore wallet {phrase}", "en"),
        ("my password is Tr0ub4dor&3xyz cannot login", "en"),
        (f"助记词 {phrase} 怎么恢复", "zh-hans"),
    ):
        client.get("/help/search/", {"q": query, "lang": lang})
    counters.counters_push()
    raw = b" ".join(counters._client().hgetall(counters.cache.make_key(analytics.LIVE)))
    analytics.search_stats_flush()

    stored = raw.decode() + " ".join(SearchQueryStat.objects.values_list("query", flat=True))
    for secret in ("abandon", "absurd", "accident", "tr0ub4dor"):
        assert secret not in stored.lower()
    assert "restore wallet [hidden]" in set(SearchQueryStat.objects.values_list("query", flat=True))


def test_a_click_from_the_results_is_counted_and_leads_to_the_article(client, fees):
    # given
    page = client.get("/help/search/", {"q": "trading fees", "lang": "en"}).content.decode()
    link = f"/help/search/go/{fees.id}/?lang=en&amp;q=trading%20fees"
    assert link in page
    # when
    response = client.get(link.replace("&amp;", "&"))
    analytics.search_stats_flush()
    # then
    assert response.status_code == 302 and response["Location"] == "/help/articles/fees/?lang=en"
    assert SearchClickStat.objects.get().clicks == 1 and _stat("trading fees").clicks == 1
    never = analytics.never_clicked(analytics.ReportFilter(week=analytics.week_of(), lang=""))
    assert fees not in never


def test_the_click_link_goes_only_to_published_articles(client, article_factory):
    draft = article_factory(slug="secret", status="draft")
    assert client.get(f"/help/search/go/{draft.id}/?lang=en&q=x").status_code == 404


def test_the_page_shows_top_and_unanswered_queries_and_never_clicked_articles(
    client, fees, supervisor
):
    # given
    client.get("/help/search/", {"q": "trading fees", "lang": "en"})
    client.get("/help/search/", {"q": "how to mint an nft", "lang": "en"})
    analytics.search_stats_flush()
    client.force_login(supervisor)
    # when
    page = client.get(PAGE, {"lang": "en"}).content.decode()
    supervisor.language = "zh-hans"
    supervisor.save(update_fields=["language"])
    zh = client.get(PAGE).content.decode()
    # then
    top = page.split('data-testid="top-queries"')[1].split("</table>")[0]
    unanswered = page.split('data-testid="unanswered-queries"')[1].split("</table>")[0]
    never = page.split('data-testid="never-clicked"')[1].split("</ul>")[0]
    assert "trading fees" in top and "how to mint an nft" in top
    assert "how to mint an nft" in unanswered and "trading fees" not in unanswered
    assert "Trading fees" in never
    assert "搜索分析" in zh and "没有可靠结果的搜索" in zh


def test_the_filters_choose_the_week_and_language(client, fees, supervisor):
    client.get("/help/search/", {"q": "trading fees", "lang": "en"})
    analytics.search_stats_flush()
    client.force_login(supervisor)
    assert "trading fees" not in client.get(PAGE, {"lang": "zh-hans"}).content.decode()
    assert "trading fees" not in client.get(PAGE, {"week": "2020-W01"}).content.decode()
    assert client.get(PAGE, {"week": "last week"}).status_code == 400
    assert client.get(PAGE, {"lang": "fr"}).status_code == 400
    assert client.get(CSV, {"week": "2020-W99"}).status_code == 400


def test_signed_out_visitors_sign_in_and_other_people_are_refused(client, customer, user_factory):
    # given
    agent = user_factory(email="agent@example.test")
    user_role_grant(user=agent, role=Role.AGENT)
    # then
    assert (
        client.get(PAGE).status_code == 302 and "/accounts/login/" in client.get(PAGE)["Location"]
    )
    for person in (customer, agent):
        client.force_login(person)
        assert client.get(PAGE).status_code == 403 and client.get(CSV).status_code == 403


def test_the_csv_never_carries_a_formula(client, fees, supervisor):
    # given: queries a spreadsheet would run
    for query in ('=HYPERLINK("http://evil.test","x")', "+1+2", "-2+3", "@SUM(A1)"):
        client.get("/help/search/", {"q": query, "lang": "en"})
    analytics.search_stats_flush()
    client.force_login(supervisor)
    # when
    response = client.get(CSV, {"lang": "en"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    # then
    assert response["Content-Type"].startswith("text/csv")
    queries = {row[3] for row in rows[1:] if row[0] == "top"}
    assert queries == {'\'=hyperlink("http://evil.test","x")', "'+1+2", "'-2+3", "'@sum(a1)"}
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


TEACH = "/console/help/search-analytics/teach/"
NFT = "how to mint an nft"


@pytest.fixture
def nft_searched(client, fees):
    """Customers searched for something no article answered; then an editor wrote one."""
    client.get("/help/search/", {"q": NFT, "lang": "en"})
    analytics.search_stats_flush()
    return fees


def _file(client, article: str, query: str = NFT, lang: str = "en"):
    form = {"query": query, "lang": lang, "article": article, "week": "", "shown_lang": "en"}
    return client.post(TEACH, form)


def test_a_supervisor_files_an_unanswered_query_under_the_article_that_answers_it(
    client, nft_searched, supervisor, article_factory
):
    # given: the article written for it, and the page offering to file the query
    nft = article_factory(slug="nft-market", title="The NFT market", body_markdown="Mint here.")
    client.force_login(supervisor)
    page = client.get(PAGE, {"lang": "en"}).content.decode()
    unanswered = page.split('data-testid="unanswered-queries"')[1].split("</table>")[0]
    assert 'name="article" list="articles-en"' in unanswered
    assert '<option value="nft-market">The NFT market</option>' in page
    # when
    response = _file(client, "nft-market")
    # then: the query is a taught question of the article, and the supervisor is told
    assert response.status_code == 302 and response["Location"].startswith(PAGE)
    nft.refresh_from_db()
    assert nft.questions == [NFT]
    shown = client.get(response["Location"]).content.decode()
    assert "is filed under “The NFT market”" in shown
    # and filing it again adds nothing
    assert _file(client, "nft-market").status_code == 302
    nft.refresh_from_db()
    assert nft.questions == [NFT]


@pytest.mark.parametrize(
    "form, message",
    [
        ({"query": "never searched", "lang": "en", "article": "fees"}, "not one customers"),
        ({"query": NFT, "lang": "zh-hans", "article": "fees"}, "not one customers"),
        ({"query": NFT, "lang": "fr", "article": "fees"}, "not one customers"),
        ({"query": NFT, "lang": "en", "article": "no-such-article"}, "No published article"),
        ({"query": NFT, "lang": "en", "article": "draft-one"}, "No published article"),
        ({"query": NFT, "lang": "en", "article": "full"}, "More than 100 questions."),
    ],
)
def test_filing_what_cannot_be_filed_says_why_and_changes_nothing(
    client, nft_searched, supervisor, article_factory, form, message
):
    # given
    article_factory(slug="draft-one", status="draft")
    full = article_factory(slug="full")
    full.questions = [f"question {n}" for n in range(100)]
    full.save(update_fields=["questions"])
    client.force_login(supervisor)
    # when
    response = client.post(TEACH, form)
    # then
    assert response.status_code == 400
    assert message in response.content.decode()
    nft_searched.refresh_from_db()
    full.refresh_from_db()
    assert nft_searched.questions == [] and len(full.questions) == 100


def test_only_supervisors_and_admins_file_queries(client, nft_searched, customer, user_factory):
    agent = user_factory(email="agent@example.test")
    user_role_grant(user=agent, role=Role.AGENT)
    assert _file(client, "fees").status_code == 302  # to sign in
    for person in (customer, agent):
        client.force_login(person)
        assert _file(client, "fees").status_code == 403
    assert client.get(TEACH).status_code in (403, 405)
    nft_searched.refresh_from_db()
    assert nft_searched.questions == []
