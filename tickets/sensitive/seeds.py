"""Seed phrases: 12 to 24 words of the BIP39 English or Chinese (simplified) word list.

English: a run of 12 or more list words, where a few other words may sit between them
(a typo, "and", a number) but never two in a row: ordinary sentences break that rule
within a few words, since BIP39 has no words under three letters.

Chinese: the list is the 2,048 most common characters, so ordinary Chinese is made of
list words too. A phrase counts when
- its characters stand apart (spaces, commas: how wallets show and copy them), or
- it is one unbroken block of exactly 12, 15, 18, 21 or 24 list characters that reads
  unlike a sentence (few of the 100 commonest characters, which fill about half of any
  sentence) and either has a valid BIP39 checksum or follows a word such as 助记词.
"""

from __future__ import annotations

import functools
import re

from mnemonic import Mnemonic

from tickets.sensitive.spans import Span

MIN_WORDS = 12
PHRASE_LENGTHS = (12, 15, 18, 21, 24)
# Of the words between the first and the last list word, at most one in four may be others.
STRAY_SHARE = 4
# The first 100 entries of the Chinese list are the commonest characters of the language.
COMMON_CHARACTERS = 100
CUES = re.compile(r"助记词|种子|恢复词|恢复短语|seed|mnemonic|recovery phrase", re.IGNORECASE)

_ENGLISH_WORD = re.compile(r"[A-Za-z]+")
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")


@functools.cache
def _english() -> Mnemonic:
    return Mnemonic("english")


@functools.cache
def _english_words() -> frozenset[str]:
    return frozenset(_english().wordlist)


@functools.cache
def _chinese() -> Mnemonic:
    return Mnemonic("chinese_simplified")


@functools.cache
def _chinese_words() -> frozenset[str]:
    return frozenset(_chinese().wordlist)


@functools.cache
def _chinese_common() -> frozenset[str]:
    return frozenset(_chinese().wordlist[:COMMON_CHARACTERS])


Token = tuple[int, int, bool]  # start, end, whether it is a list word


def _exact(run: list[Token], text: str, checker: Mnemonic) -> Span | None:
    """The longest stretch of the run that is a whole phrase with a valid checksum.

    Words around a phrase are often list words too ("my seed is … please help"): when
    the checksum finds the phrase, only the phrase is masked.
    """
    for length in reversed(PHRASE_LENGTHS):
        for offset in range(len(run) - length + 1):
            window = run[offset : offset + length]
            if all(token[2] for token in window) and checker.check(
                " ".join(text[start:end].lower() for start, end, _ in window)
            ):
                return Span(window[0][0], window[-1][1], "seed_phrase")
    return None


def _runs(tokens: list[Token], text: str, checker: Mnemonic) -> list[Span]:
    """Runs of >= MIN_WORDS list words, no two strays in a row, few strays in all."""
    found: list[Span] = []
    run: list[Token] = []

    def close() -> None:
        while run and not run[-1][2]:
            run.pop()
        words = sum(1 for token in run if token[2])
        strays = len(run) - words
        if words >= MIN_WORDS and strays * STRAY_SHARE <= words:
            exact = _exact(run, text, checker)
            found.append(exact or Span(run[0][0], run[-1][1], "seed_phrase"))
        run.clear()

    for token in tokens:
        if token[2]:
            run.append(token)
        elif run and run[-1][2]:
            run.append(token)  # one stray is allowed between list words
        else:
            close()
    close()
    return found


def _english_spans(text: str) -> list[Span]:
    words = _english_words()
    tokens = [
        (m.start(), m.end(), m.group().lower() in words) for m in _ENGLISH_WORD.finditer(text)
    ]
    return _runs(tokens, text, _english())


def _reads_like_a_phrase(block: str, cued: bool) -> bool:
    if len(block) not in PHRASE_LENGTHS or not set(block) <= _chinese_words():
        return False
    common = sum(1 for character in block if character in _chinese_common())
    if common * 4 > len(block):
        return False
    return cued or _chinese().check(" ".join(block))


def _chinese_spans(text: str) -> list[Span]:
    words = _chinese_words()
    blocks = list(_CJK_RUN.finditer(text))
    # Characters standing apart: each block of one character is a token.
    tokens = [(m.start(), m.end(), len(m.group()) == 1 and m.group() in words) for m in blocks]
    found = _runs(tokens, text, _chinese())
    cued = bool(CUES.search(text))
    for m in blocks:
        block = m.group()
        # A cue word glued to the phrase ("助记词是急氯阳…") is cut off first.
        cue_end = max((c.end() for c in CUES.finditer(block)), default=0)
        for start in {0, cue_end, cue_end + 1 if cue_end else 0}:
            if _reads_like_a_phrase(block[start:], cued):
                found.append(Span(m.start() + start, m.end(), "seed_phrase"))
                break
    return found


def find(text: str) -> list[Span]:
    return [*_english_spans(text), *_chinese_spans(text)]
