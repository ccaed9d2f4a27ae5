"""A short excerpt of an article around the words that matched, with those words marked."""

from __future__ import annotations

import re
from html import escape

from helpcenter.search import text
from helpcenter.search.synonyms import Unit

_WORD = re.compile(r"[A-Za-z0-9]+")
WIDTH = 160


def _match_spans(body: str, units: list[Unit]) -> list[tuple[int, int]]:
    tokens = {token for unit in units for token in unit}
    stems = {token for token in tokens if token.isascii()}
    spans = [
        (match.start(), match.end())
        for match in _WORD.finditer(body)
        if text.stem(match.group().lower()) in stems
    ]
    for token in tokens - stems:
        start = body.find(token)
        while start != -1 and len(spans) < 200:
            spans.append((start, start + len(token)))
            start = body.find(token, start + len(token))
    return _merge(sorted(spans))


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _best_window(spans: list[tuple[int, int]]) -> int:
    """Start of the WIDTH-character window holding the most matches."""
    best_start, best_count = 0, 0
    for index, (start, _) in enumerate(spans):
        count = sum(1 for other, _ in spans[index:] if other < start + WIDTH)
        if count > best_count:
            best_start, best_count = start, count
    return max(0, best_start - 30)


def snippet(body: str, units: list[Unit]) -> str:
    """HTML: escaped text with <mark> around matches; '…' where the text is cut."""
    spans = _match_spans(body, units)
    start = _best_window(spans) if spans else 0
    end = min(len(body), start + WIDTH)
    parts = ["…" if start > 0 else ""]
    cursor = start
    for span_start, span_end in spans:
        if span_end <= start or span_start >= end:
            continue
        span_start, span_end = max(span_start, start), min(span_end, end)
        parts.append(escape(body[cursor:span_start]))
        parts.append(f"<mark>{escape(body[span_start:span_end])}</mark>")
        cursor = span_end
    parts.append(escape(body[cursor:end]))
    parts.append("…" if end < len(body) else "")
    return "".join(parts)
