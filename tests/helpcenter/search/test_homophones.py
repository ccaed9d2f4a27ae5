"""Homophone slips of a pinyin input method are read as the help centre's words
(helpcenter/search/homophones.py); correct questions are left as typed."""

from __future__ import annotations

import pytest

from helpcenter.search import engine, homophones
from helpcenter.selectors import article_search

pytestmark = pytest.mark.django_db


@pytest.fixture
def help_centre(article_factory):
    """A few Chinese articles, as the help centre writes them."""
    articles = [
        (
            "withdraw",
            "提币一直在处理中怎么办",
            "提币需要经过安全审核和区块确认，卖单和买单不受影响。",
        ),
        ("deposit", "充值没有到账", "充值需要区块确认，请核对网络。"),
        ("frozen", "账户冻结与解冻", "冻结后提交解冻申请，审核通过后恢复。"),
        ("code", "收不到验证码", "检查短信拦截；验证码十分钟内有效。"),
        ("close", "如何注销账户", "注销前请提走资产，注销后无法恢复。"),
    ]
    for slug, title, body in articles:
        article_factory(slug=slug, lang="zh-hans", title=title, body_markdown=body)
    article_factory(
        slug="withdraw",
        lang="en",
        title="Withdrawal pending: what to check",
        body_markdown="Withdrawals pass a security review.",
    )
    homophones.clear_cache()
    yield
    homophones.clear_cache()


@pytest.mark.usefixtures("help_centre")
@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("提笔一直在处理中", "提币一直在处理中"),  # a dictionary word, far rarer than 提币
        ("充直没到账", "充值没到账"),
        ("账户冻洁了怎么办", "账户冻结了怎么办"),
        ("收不到验证马", "收不到验证码"),
        ("注消账户以后还能注册吗", "注销账户以后还能注册吗"),
        ("账户解东要多久", "账户解冻要多久"),
    ],
)
def test_a_homophone_slip_is_read_as_the_help_centres_word(typed, meant):
    assert homophones.corrected(typed) == meant


@pytest.mark.usefixtures("help_centre")
@pytest.mark.parametrize(
    "question",
    [
        "提币一直在处理中",
        "我的卖单一直没成交",  # 卖单 is written in an article: not a slip for 买单
        "对方一直不回消息",  # 不回 for 不会 would change a grammar word only
        "这是用什么验证的",  # 是用 for 使用 likewise
        "可以用手机号注册吗",
        "withdrawal not received",
        "",
    ],
)
def test_a_correct_question_is_left_as_typed(question):
    assert homophones.corrected(question) == question


@pytest.mark.usefixtures("help_centre")
@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("tibi meidaozhang", "提币 meidaozhang"),  # the input method left off
        ("TiBi", "提币"),
        ("yzm收不到", "验证码收不到"),  # initials
        ("yzm", "验证码"),
        ("账户dongjie了", "账户冻结了"),
    ],
)
def test_pinyin_typed_in_latin_letters_is_read_as_the_word(typed, meant):
    assert homophones.corrected(typed) == meant


@pytest.mark.usefixtures("help_centre")
@pytest.mark.parametrize(
    "question",
    [
        "huobi withdrawal pending",  # English words of the articles: Huobi, not 货币
        "withdrawal tibi",
    ],
)
def test_latin_words_of_an_english_question_are_left_as_typed(question):
    assert homophones.corrected(question) == question


@pytest.mark.usefixtures("help_centre")
def test_a_mistyped_question_finds_the_article_it_meant():
    # when: 冻结 typed as 冻洁, 解冻 as 解东
    question = "冻洁了怎么解东"
    hits = article_search(query=question, lang="zh-hans")
    plain = engine.search(question, lang="zh-hans", features=engine.Features(by_sound=False))
    # then: the freeze article, which the words as typed do not find
    assert [hit.slug for hit in hits][:1] == ["frozen"]
    assert [hit.slug for hit in plain][:1] != ["frozen"]


@pytest.mark.usefixtures("help_centre")
def test_a_new_article_word_is_known_after_the_article_is_published(article_factory):
    # given: no article says 赎回 (redeem) yet
    assert homophones.corrected("理财提前熟回") == "理财提前熟回"
    # when
    article_factory(
        slug="earn", lang="zh-hans", title="理财如何赎回", body_markdown="到期自动赎回。"
    )
    homophones.clear_cache()
    # then
    assert homophones.corrected("理财提前熟回") == "理财提前赎回"


@pytest.mark.usefixtures("help_centre")
@pytest.mark.parametrize("question", ["笔" * 200, "提笔" * 100, "冻洁 " * 66, "😀提笔\x00充直"])
def test_long_or_odd_input_is_read_without_error(question):
    corrected = homophones.corrected(question)
    assert len(corrected) == len(question)


def test_without_articles_only_the_tokenizers_domain_words_are_known():
    homophones.clear_cache()
    assert homophones.corrected("提笔一直在处理中") == "提币一直在处理中"
    assert homophones.corrected("理财提前熟回") == "理财提前熟回"


@pytest.mark.usefixtures("help_centre")
def test_a_question_of_many_slips_costs_a_bounded_number_of_reads(django_assert_max_num_queries):
    # given: the vocabulary already read (as in a running portal)
    homophones.corrected("提币")
    slips = "提笔，充直，冻洁，验证马，注消，解东，手续非，理才，返拥，维户，绑顶，止赢，熟回，费律，白明单，冲币，再线"
    # when / then: a few reads of the articles at most, however many slips
    with django_assert_max_num_queries(homophones.MAX_LOOKUPS + 1):
        corrected = homophones.corrected(slips)
    assert corrected.startswith("提币，充值，冻结")
