from __future__ import annotations

import pytest

from core.exceptions import ApplicationError
from helpcenter.models import Article, SearchSynonym
from helpcenter.selectors import article_search
from helpcenter.services import synonym_save

pytestmark = pytest.mark.django_db


def slugs(hits):
    return [hit.slug for hit in hits]


def test_article_search_finds_chinese_article_by_segmented_words(article_factory):
    # given
    article_factory(
        slug="withdraw",
        lang="zh-hans",
        title="提币一直在处理中怎么办",
        body_markdown="提币需要经过安全审核和区块确认。",
    )
    article_factory(
        slug="kyc", lang="zh-hans", title="身份认证需要多久", body_markdown="审核需要一到三天。"
    )
    # when
    hits = article_search(query="我的提币为什么还在处理", lang="zh-hans")
    # then
    assert slugs(hits)[0] == "withdraw"


def test_a_question_in_traditional_characters_finds_the_simplified_article(article_factory):
    # given: articles written in Simplified, as the help centre's are
    article_factory(
        slug="frozen",
        lang="zh-hans",
        title="账号被冻结怎么解冻",
        body_markdown="账户冻结后，提交解冻申请，审核通过后恢复登录。",
    )
    article_factory(
        slug="deposit",
        lang="zh-hans",
        title="充币没有到账",
        body_markdown="请核对网络和区块确认数。",
    )
    # when: a customer from Taiwan or Hong Kong types Traditional
    hits = article_search(query="我的帳號被凍結了 怎麼解凍", lang="zh-hans")
    # then: the same article as the Simplified question, its words marked in the snippet
    assert slugs(hits) == slugs(article_search(query="我的账号被冻结了 怎么解冻", lang="zh-hans"))
    assert slugs(hits)[0] == "frozen"
    assert "<mark>" in hits[0].snippet


def test_a_question_in_cantonese_finds_the_article_in_mandarin(article_factory):
    # given: the SMS article, and an email one that says "验证码" more often
    article_factory(
        slug="sms",
        lang="zh-hans",
        title="收不到短信验证码",
        body_markdown="检查手机信号，关闭短信拦截。",
    )
    article_factory(
        slug="email",
        lang="zh-hans",
        title="收不到邮件验证码",
        body_markdown="验证码邮件可能在垃圾箱；验证码十分钟内有效。",
    )
    # when: a Hong Kong customer asks in Cantonese, with Hong Kong's word for SMS
    hits = article_search(query="收唔到簡訊驗證碼，點算？", lang="zh-hans")
    # then: the SMS article first
    assert slugs(hits)[0] == "sms"


def test_article_search_stems_english_words(article_factory):
    # given
    article_factory(
        slug="withdraw", title="Withdrawal pending", body_markdown="Withdrawals are reviewed."
    )
    article_factory(
        slug="deposit", title="Deposit basics", body_markdown="Deposits arrive after confirmations."
    )
    # when
    hits = article_search(query="withdrawing", lang="en")
    # then
    assert slugs(hits) == ["withdraw"]


def test_article_search_uses_synonyms_not_in_the_text(article_factory):
    # given
    article_factory(
        slug="withdraw", lang="zh-hans", title="提币指南", body_markdown="如何提币到外部钱包。"
    )
    synonym_save(synonym=SearchSynonym(terms="提币, 提现, 出金"))
    # when
    hits = article_search(query="出金", lang="zh-hans")
    # then
    assert slugs(hits) == ["withdraw"]


def test_article_search_multi_word_synonym_needs_all_its_words(article_factory):
    # given
    article_factory(slug="withdraw", title="How to withdraw", body_markdown="Send coins out.")
    article_factory(slug="cash", title="Cash vouchers", body_markdown="Vouchers are cash.")
    synonym_save(synonym=SearchSynonym(terms="withdraw, cash out"))
    # when
    hits = article_search(query="how do I cash out", lang="en")
    # then
    assert slugs(hits)[0] == "withdraw"


def test_article_search_tolerates_typos_in_title_words(article_factory):
    # given
    article_factory(slug="verify", title="Identity verification levels", body_markdown="Levels.")
    # when
    hits = article_search(query="identiy verifcation", lang="en")
    # then
    assert slugs(hits) == ["verify"]


def test_article_search_puts_query_language_first_and_shows_one_version(article_factory):
    # given: both versions mention 2FA; only one hit per article, in the asked language
    article_factory(
        slug="twofa", lang="en", title="Enable 2FA", body_markdown="2FA keeps you safe."
    )
    article_factory(slug="twofa", lang="zh-hans", title="开启 2FA", body_markdown="2FA 保护账户。")
    article_factory(
        slug="other", lang="en", title="2FA and 2FA again", body_markdown="2FA 2FA 2FA."
    )
    # when
    hits = article_search(query="2fa", lang="zh-hans")
    # then
    assert [(h.slug, h.lang) for h in hits] == [("twofa", "zh-hans"), ("other", "en")]


def test_article_search_ignores_drafts_and_archived(article_factory):
    # given
    article_factory(slug="draft", title="Margin draft", status=Article.Status.DRAFT)
    article_factory(slug="old", title="Margin old", status=Article.Status.ARCHIVED)
    article_factory(slug="live", title="Margin live")
    # when
    hits = article_search(query="margin", lang="en")
    # then
    assert slugs(hits) == ["live"]


def test_article_search_snippet_marks_matches_and_escapes_html(article_factory):
    # given
    article_factory(
        slug="a", title="Fees", body_markdown="Network <b>fees</b> depend on the chain."
    )
    # when
    hit = article_search(query="fee", lang="en")[0]
    # then
    assert "<mark>fees</mark>" in hit.snippet
    assert "<b>" not in hit.snippet


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        "& | ! ( ) : * ' \" \\",
        "🚀🔥",
        "a\x00b",
        "'; DROP TABLE helpcenter_article; --",
        "提币:* & !",
        "<script>alert(1)</script>",
    ],
)
def test_article_search_survives_hostile_queries(article_factory, query):
    # given
    article_factory(slug="a", title="Deposit", body_markdown="Deposit text.")
    # when
    hits = article_search(query=query, lang="en")
    # then
    assert isinstance(hits, list)
    assert Article.objects.count() == 1


def test_article_search_rejects_overlong_query_and_unknown_language():
    with pytest.raises(ApplicationError, match="at most 200"):
        article_search(query="x" * 10_000, lang="en")
    with pytest.raises(ApplicationError, match="Unknown language"):
        article_search(query="deposit", lang="klingon")
