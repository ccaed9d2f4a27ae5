"""Traditional Chinese questions are read in Simplified (helpcenter/search/traditional.py)."""

from __future__ import annotations

import pytest

from helpcenter.search.traditional import to_simplified


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("我的帳號被凍結了", "我的账号被冻结了"),
        ("提幣沒到帳", "提币没到账"),
        ("軟體更新後無法登入", "软体更新后无法登入"),
        ("2FA 驗證碼收不到, memo 漏填", "2FA 验证码收不到, memo 漏填"),
        ("帐户 转帐 记帐", "账户 转账 记账"),
    ],
)
def test_traditional_characters_and_words_are_read_the_articles_way(typed, read):
    assert to_simplified(typed) == read


@pytest.mark.parametrize(
    "query",
    [
        "提币一直在处理中怎么办",
        "我的API程序也会停吗",
        "邮箱已经停用了",
        "withdrawal not received",
        "著名 干净 了解 后台",
        "",
        "🚀",
    ],
)
def test_simplified_and_latin_queries_are_unchanged(query):
    assert to_simplified(query) == query
