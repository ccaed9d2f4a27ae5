"""Cantonese and Taiwan/Hong Kong words in a question, read in the articles' Mandarin.

Runs after traditional.to_simplified, so every table here is in Simplified characters.
A Hong Kong customer writes "收唔到验证码，系咪要揾客服" where the articles say
"收不到验证码，是不是要找客服": the function words (唔, 系咪, 冇, 嘅, 喺, 咗) share no token
with the articles' and blur e5's reading of the sentence. Two tables:

- REGION_WORDS, always: words of Taiwan and Hong Kong that mainland Chinese does not use
  for anything else (登入 for 登录, 软体 for 软件, 短讯 for 短信), so no mainland question
  changes;
- CANTONESE_WORDS, only in a question that holds a word no Mandarin sentence holds
  (CANTONESE_MARKERS): 系 is "is" in Cantonese but "system" in 系统, 仲 is "still" but
  "arbitration" in 仲裁, so they are read the Cantonese way only where the question is
  Cantonese, and never inside those Mandarin words.
"""

from __future__ import annotations

import re

REGION_WORDS = {
    "登入": "登录",
    "软体": "软件",
    "网路": "网络",
    "短讯": "短信",
    "简讯": "短信",
    "萤幕": "屏幕",
}

# Words only Cantonese writes (as typed in either script, read after conversion).
CANTONESE_MARKERS = re.compile(
    r"[唔咩冇嘅喺咗啲佢嘢噉嚟睇揾搵畀攞啱]|系咪|点样|点解|点算|几耐|边度|乜嘢|而家|琴日"
)

# Longest first: 系咪 before 系, 唔该 before 唔.
CANTONESE_WORDS = {
    "系唔系": "是不是",
    "系咪": "是不是",
    "系咩": "是什么",
    "唔该": "请",
    "唔使": "不用",
    "唔得": "不行",
    "佢哋": "他们",
    "我哋": "我们",
    "你哋": "你们",
    "乜嘢": "什么",
    "点样": "怎样",
    "点解": "为什么",
    "点算": "怎么办",
    "几耐": "多久",
    "几多": "多少",
    "边度": "哪里",
    "边个": "谁",
    "而家": "现在",
    "琴日": "昨天",
    "听日": "明天",
    "今日": "今天",
    "啱啱": "刚刚",
    "呢个": "这个",
    "呢度": "这里",
    "𠮶个": "那个",
    "好似": "好像",
    "入面": "里面",
    "成日": "经常",
    "揿": "按",
    "唔": "不",
    "冇": "没有",
    "嘅": "的",
    "喺": "在",
    "咗": "了",
    "啲": "些",
    "佢": "他",
    "嘢": "东西",
    "咩": "什么",
    "咁": "这么",
    "噉": "这样",
    "嚟": "来",
    "睇": "看",
    "揾": "找",
    "搵": "找",
    "畀": "给",
    "俾": "给",
    "攞": "拿",
    "啱": "对",
}
# 系 and 仲 alone, outside the Mandarin words they are part of.
_IS = re.compile(r"(?<![关联体派直世星水])系(?![统列数])")
_STILL = re.compile(r"仲(?!裁)")


def _table(words: dict[str, str]) -> tuple[re.Pattern, dict[str, str]]:
    alternatives = sorted(words, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, alternatives))), words


_REGION = _table(REGION_WORDS)
_CANTONESE = _table(CANTONESE_WORDS)


def _replace(text: str, table: tuple[re.Pattern, dict[str, str]]) -> str:
    pattern, words = table
    return pattern.sub(lambda match: words[match.group(0)], text)


def to_mandarin(query: str) -> str:
    """`query` (Simplified) with Taiwan/Hong Kong words, and Cantonese if it is Cantonese,
    in the articles' Mandarin; any other question comes back unchanged."""
    query = _replace(query, _REGION)
    if not CANTONESE_MARKERS.search(query):
        return query
    query = _replace(query, _CANTONESE)
    return _STILL.sub("还", _IS.sub("是", query))
