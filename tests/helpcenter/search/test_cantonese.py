"""Cantonese and Taiwan/Hong Kong words are read in the articles' Mandarin
(helpcenter/search/cantonese.py), after the Traditional characters (traditional.py)."""

from __future__ import annotations

import pytest

from helpcenter.search.cantonese import to_mandarin
from helpcenter.search.traditional import to_simplified


def read(typed: str) -> str:
    return to_mandarin(to_simplified(typed))


@pytest.mark.parametrize(
    ("typed", "mandarin"),
    [
        ("收唔到驗證碼，係咪要搵客服？", "收不到验证码，是不是要找客服？"),
        ("我冇填memo，而家啲幣點算？", "我没有填memo，现在些币怎么办？"),
        ("審核咗幾耐都仲係審核中", "审核了多久都还是审核中"),
        ("佢哋點解凍結我嘅賬戶", "他们为什么冻结我的账户"),
        # written in Simplified characters, as mainland Cantonese speakers type it
        ("提币系咪要等24个钟？我喺香港", "提币是不是要等24个钟？我在香港"),
    ],
)
def test_cantonese_is_read_in_mandarin(typed, mandarin):
    assert read(typed) == mandarin


@pytest.mark.parametrize(
    ("typed", "mandarin"),
    [
        ("登入後簡訊驗證碼收不到", "登录后短信验证码收不到"),
        ("軟體更新後網路很慢", "软件更新后网络很慢"),
    ],
)
def test_taiwan_and_hong_kong_words_are_read_the_mainland_way(typed, mandarin):
    assert read(typed) == mandarin


@pytest.mark.parametrize(
    ("typed", "mandarin"),
    [
        # Mandarin words that hold a Cantonese "is" or "still" keep their meaning
        ("系统提示冻结，唔知点解", "系统提示冻结，不知为什么"),
        ("P2P 仲裁要几耐", "P2P 仲裁要多久"),
        ("关系户唔可以开户", "关系户不可以开户"),
    ],
)
def test_mandarin_words_inside_cantonese_questions_are_kept(typed, mandarin):
    assert read(typed) == mandarin


@pytest.mark.parametrize(
    "query",
    [
        "系统维护期间可以提币吗",  # 系 and 仲 in a Mandarin question are not touched
        "P2P 仲裁需要多久",
        "充币还没到账怎么办",
        "withdrawal not received",
        "",
    ],
)
def test_mandarin_and_latin_questions_are_unchanged(query):
    assert to_mandarin(query) == query
