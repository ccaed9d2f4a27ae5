"""Tokens for the forum's full-text search, stored per post and matched with PostgreSQL's
'simple' configuration: Chinese cut into words by jieba (search mode, which also emits
the short words inside long ones), Latin words lower-cased. The same function reads the
query, so both sides agree."""

from __future__ import annotations

import re

import jieba

_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_LATIN = re.compile(r"[a-z0-9]+")
# Words too common to tell answers apart.
_STOP = frozenset(
    "a an the and or of to in on at for is are was be it i my me you your how what why "
    "can do does not with 的 了 吗 呢 吧 我 你 您 是 在 有 和 怎么 如何 什么".split()
)


def tokens(text: str) -> list[str]:
    lowered = text.casefold()
    found = [word for word in _LATIN.findall(lowered) if word not in _STOP]
    for run in _CJK_RUN.findall(lowered):
        found.extend(
            word for word in jieba.cut_for_search(run) if word.strip() and word not in _STOP
        )
    return found


def token_string(text: str) -> str:
    return " ".join(tokens(text))
