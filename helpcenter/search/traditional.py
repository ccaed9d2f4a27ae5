"""Questions typed in Traditional Chinese, read in Simplified.

The help centre's Chinese articles are written in Simplified characters, and so are
jieba's dictionary, the synonym groups and the taught questions: "帳號被凍結" shares no
token with "账号被冻结", and e5 rates the two further apart than a paraphrase. Customers
from Taiwan, Hong Kong and Macau type Traditional, so a query is converted before it is
read, character by character with OpenCC's `t2s` table (its phrases only choose between
characters: 乾淨 → 干净, 乾隆 stays). A Simplified query comes back unchanged. OpenCC's
Taiwan table with word replacements (`tw2sp`: 軟體 → 软件) was not used: it rewrites
Simplified words too (程序 → 进程, 停用 → 禁用, 布林 → 布尔).
"""

from __future__ import annotations

import re
import threading

import opencc

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# OpenCC writes 帳 as 帐, a standard variant; the articles (and most mainland customers)
# write 账 in these words, so they are put the articles' way.
_ACCOUNT_WORDS = re.compile(r"帐(?=[号户单本目])|(?<=[到转对记])帐")
_local = threading.local()


def _converter() -> opencc.OpenCC:
    # One per thread: the binding does not say its converter may be shared.
    converter = getattr(_local, "converter", None)
    if converter is None:
        converter = _local.converter = opencc.OpenCC("t2s")
    return converter


def to_simplified(query: str) -> str:
    """`query` with its Chinese in Simplified characters (and 账 in the account words)."""
    if not _CJK.search(query):
        return query
    return _ACCOUNT_WORDS.sub("账", _converter().convert(query))
