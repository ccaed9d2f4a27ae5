"""The new text of an email reply, without the quoted history and the signature below it.

Mail clients mark where the quoted original starts in a handful of ways: an attribution
line ("On <date>, <name> wrote:", Gmail's Chinese "在 … 写道："), a separator
("-----Original Message-----", QQ's "------------------ 原始邮件 ------------------"), or
an Outlook header block ("From: … Sent: … To: … Subject:"). The earliest marker wins;
everything from it on is the cut part, kept so that nothing the customer sent is lost.
"""

from __future__ import annotations

import re

# How far an attribution wrapped over two lines, or an Outlook block, may reach.
_ATTRIBUTION_MAX_CHARS = 400
_OUTLOOK_BLOCK_LINES = 8

_SEPARATOR = re.compile(
    r"^\s*(?:"
    r"-{2,}\s*(?:Original Message|原始邮件|原始郵件)\s*-{2,}"
    r"|-{5,}\s*Reply message\s*-{5,}"
    r")\s*$",
    re.IGNORECASE,
)
_ON_WROTE_START = re.compile(r"^\s*On\s\S", re.IGNORECASE)
_WROTE_END = re.compile(r"\bwrote\s*:\s*$", re.IGNORECASE)
# "在 2024年1月2日 周二 10:00，张三 <a@b> 写道：" and "张三 <a@b> 于2024年1月2日周二 10:00写道："
_ZH_WROTE_END = re.compile(r"(?:写道|寫道)\s*[:：]\s*$")
_ZH_WROTE_START = re.compile(r"^\s*(?:在\s*\S|.+?于\s*\d)")
_HEADER_FIELD = re.compile(
    r"^\s*\*?\s*(From|Sent|Date|To|Cc|Subject|发件人|發件人|发送时间|發送時間|时间|日期|"
    r"收件人|抄送|主题|主旨)\s*\*?\s*[:：]",
    re.IGNORECASE,
)
_FROM_FIELDS = {"from", "发件人", "發件人"}
_WHEN_FIELDS = {"sent", "date", "发送时间", "發送時間", "时间", "日期"}
_ABOUT_FIELDS = {"to", "subject", "收件人", "主题", "主旨"}
# Attributions carry a date or an address; prose that happens to end in "wrote:" does not.
_LOOKS_DATED = re.compile(r"\d|@")
_UNDERSCORES = re.compile(r"^\s*_{5,}\s*$")
_SIGNATURE_DELIMITER = re.compile(r"^--\s?$")
_MOBILE_SIGNATURE = re.compile(
    r"^\s*(?:Sent from my \S.*|Sent from (?:Mail|Outlook|Yahoo Mail|Samsung)\b.*"
    r"|Get Outlook for \S.*|发自我的\s*\S.*|來自我的\s*\S.*|来自我的\s*\S.*|发自\s*网易邮箱.*"
    r"|从我的\s*\S+\s*发送)\s*$",
    re.IGNORECASE,
)


def split_reply(text: str) -> tuple[str, str]:
    """(the new part of a reply, the quoted history and signature that were cut).

    When cutting would leave nothing (a forward with no comment, a message that is all
    quote), the whole text is the new part: better too much than an empty message.
    """
    lines = text.split("\n")
    cut = _first_marker(lines)
    if cut is None:
        return text, ""
    new = "\n".join(lines[:cut]).rstrip()
    if not new.strip():
        return text, ""
    return new, "\n".join(lines[cut:]).strip("\n")


def _first_marker(lines: list[str]) -> int | None:
    quote_start = _trailing_quote_start(lines)
    for index, line in enumerate(lines):
        if quote_start is not None and index >= quote_start:
            return _with_attribution(lines, quote_start)
        if not line.strip():
            continue
        if (
            _SEPARATOR.match(line)
            or _SIGNATURE_DELIMITER.match(line)
            or _MOBILE_SIGNATURE.match(line)
            or _is_attribution(lines, index)
        ):
            return index
        if _is_outlook_block(lines, index):
            return _with_underscores(lines, index)
        if _UNDERSCORES.match(line) and _is_outlook_block(lines, _next_filled(lines, index)):
            return index
    return None


def _is_attribution(lines: list[str], index: int) -> bool:
    line = lines[index]
    joined = line
    if index + 1 < len(lines) and not _WROTE_END.search(line) and not _ZH_WROTE_END.search(line):
        joined = f"{line} {lines[index + 1]}"
    if len(joined) > _ATTRIBUTION_MAX_CHARS:
        return False
    if _ON_WROTE_START.match(line) and _WROTE_END.search(joined) and _LOOKS_DATED.search(joined):
        return True
    return bool(_ZH_WROTE_START.match(line) and _ZH_WROTE_END.search(joined))


def _is_outlook_block(lines: list[str], index: int | None) -> bool:
    """A "From:" line followed closely by a date field and a To/Subject field."""
    if index is None or index >= len(lines):
        return False
    first = _HEADER_FIELD.match(lines[index])
    if not first or first.group(1).lower() not in _FROM_FIELDS:
        return False
    seen: set[str] = set()
    for line in lines[index + 1 : index + 1 + _OUTLOOK_BLOCK_LINES]:
        field = _HEADER_FIELD.match(line)
        if field:
            seen.add(field.group(1).lower())
    return bool(seen & _WHEN_FIELDS) and bool(seen & _ABOUT_FIELDS)


def _with_underscores(lines: list[str], index: int) -> int:
    """Outlook draws a line of underscores above its header block: cut from there."""
    previous = index - 1
    while previous >= 0 and not lines[previous].strip():
        previous -= 1
    if previous >= 0 and _UNDERSCORES.match(lines[previous]):
        return previous
    return index


def _next_filled(lines: list[str], index: int) -> int | None:
    for following in range(index + 1, len(lines)):
        if lines[following].strip():
            return following
    return None


def _trailing_quote_start(lines: list[str]) -> int | None:
    """The first line of a ">"-quoted block that runs to the end of the text."""
    end = len(lines)
    while end > 0 and not lines[end - 1].strip():
        end -= 1
    start = end
    while start > 0 and (lines[start - 1].lstrip().startswith(">") or not lines[start - 1].strip()):
        start -= 1
    while start < end and not lines[start].strip():
        start += 1
    return start if start < end else None


def _with_attribution(lines: list[str], quote_start: int) -> int:
    """Take the "Someone wrote:" line above a quoted block along with it, in any language:
    a short line right above the quote that ends in a colon and has a date or address."""
    previous = quote_start - 1
    while previous >= 0 and not lines[previous].strip():
        previous -= 1
    if previous >= 0:
        line = lines[previous].rstrip()
        if (
            line.endswith((":", "："))
            and len(line) <= _ATTRIBUTION_MAX_CHARS
            and _LOOKS_DATED.search(line)
        ):
            return previous
    return quote_start
