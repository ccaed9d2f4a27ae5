"""Acronyms as a phone's speech-to-text writes them, read back as the articles' words.

A customer dictating "USDT" gets "you ess dee tea", "TRC20" comes out as "tea are see
twenty", "API" as "a p i", "UID" as "you ID". Each piece is a word (or a stop word)
the index drops or matches to the wrong article. A run of two or more letter names,
single letters and number words ("you", "ess", "B", "twenty") is joined into the
acronym it spells when that acronym is a word of the articles (usdt, trc20, txid, api);
"id" joins as itself (tee ex ID is txid).

Words the recogniser split ("with drawl" for withdrawal) are not joined: without a
model of English, "for good" joined looks as much like "forgot" as "with drawl" like
"withdrawal" (tried on the fitting pool: most joins were wrong).
"""

from __future__ import annotations

import re

from helpcenter.search import typos

_WORD = re.compile(r"(?<![A-Za-z0-9])[A-Za-z0-9]+(?![A-Za-z0-9])")

LETTERS = {
    **{letter: letter for letter in "abcdefghijklmnopqrstuvwxyz"},
    "ay": "a", "bee": "b", "cee": "c", "see": "c", "sea": "c", "dee": "d", "ee": "e",
    "ef": "f", "eff": "f", "gee": "g", "aitch": "h", "eye": "i", "jay": "j", "kay": "k",
    "el": "l", "em": "m", "en": "n", "oh": "o", "pee": "p", "pea": "p", "cue": "q",
    "queue": "q", "are": "r", "ar": "r", "ess": "s", "es": "s", "tea": "t", "tee": "t",
    "you": "u", "vee": "v", "ex": "x", "why": "y", "wye": "y", "zee": "z", "zed": "z",
    "id": "id",
}  # fmt: skip
NUMBERS = {
    "zero": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
    "seven": "7", "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12",
    "twenty": "20", "thirty": "30", "forty": "40", "fifty": "50",
}  # fmt: skip
# Acronyms are short: a run of letter names longer than this is a sentence.
LONGEST_RUN = 6


def _spelled(words: list[str]) -> str | None:
    pieces = [
        LETTERS.get(word) or NUMBERS.get(word) or (word if word.isdigit() else None)
        for word in words
    ]
    if any(piece is None for piece in pieces):
        return None
    return "".join(pieces)


def _read_spelled(words: list[str]) -> list[str]:
    """Runs of letter names joined into the acronyms of the articles they spell."""
    out: list[str] = []
    start = 0
    while start < len(words):
        joined = None
        for end in range(min(len(words), start + LONGEST_RUN), start + 1, -1):
            acronym = _spelled([w.lower() for w in words[start:end]])
            if acronym and len(acronym) >= 3 and typos.is_article_word(acronym):
                joined = (acronym, end)
                break
        if joined is None:
            out.append(words[start])
            start += 1
        else:
            out.append(joined[0])
            start = joined[1]
    return out


def corrected(query: str) -> str:
    """The query with spelled-out acronyms read as the articles' words.

    Only the Latin words of a stretch without other characters between them are read
    together ("a p i" is read, "a, p, i" is not)."""
    pieces, position, out = [], 0, []
    for match in _WORD.finditer(query):
        between = query[position : match.start()]
        if pieces and between.strip():
            out.append(" ".join(_read_spelled(pieces)))
            pieces = []
            out.append(between)
        elif not pieces:
            out.append(between)
        pieces.append(match.group())
        position = match.end()
    if pieces:
        out.append(" ".join(_read_spelled(pieces)))
    out.append(query[position:])
    return "".join(out)
