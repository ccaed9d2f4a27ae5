"""Homophone slips of a pinyin input method, read back as the help centre's words.

A customer in a hurry types "tibi" and takes the first candidate the input method
offers, so the question says 提笔 (to pick up a pen) where the articles say 提币
(withdraw coins), 冻洁 for 冻结, 验证马 for 验证码. No token of the slip is in the index
and e5 reads another word, so search and the bot miss the article.

The vocabulary is the help centre's own: every Chinese word of two or more characters
in a published article's index tokens, plus the domain words the tokenizer knows
(text.DOMAIN_WORDS), each keyed by its toneless pinyin. A stretch of the question (two
to four characters) is read as a vocabulary word when all of these hold:

- it is not itself a vocabulary word, and at least one of its characters belongs to no
  vocabulary word found in the question (a correct question is covered by the
  articles' words except for its function words);
- one reading of each of its characters spells the word's toneless pinyin;
- it keeps at least one of the word's characters in the same place (提笔/提币,
  冻洁/冻结): a slip changes a character, not the whole word, and a stretch that shares
  nothing with a word is far more often another word that merely sounds like it.

Where several words sound alike, the one in the most articles wins. Runs after
traditional.to_simplified and cantonese.to_mandarin, so it reads Simplified Mandarin.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections import Counter, defaultdict

from django.db.models import Count, Max, Q
from pypinyin import Style, lazy_pinyin, pinyin

from helpcenter.models import Article
from helpcenter.search import text
from helpcenter.search.cache import Refreshing

_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
_CJK_WORD = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]{2,}")
SHORTEST, LONGEST = 2, 4
# Characters with many readings multiply the spellings of a stretch; past this many the
# stretch is left as typed (a slip is rarely a run of such characters).
MAX_SPELLINGS = 32
# How much likelier (natural log) the sentence must read with the word than as typed.
MIN_GAIN = 3.0
# A stretch that is a dictionary word itself needs the help centre's word this many
# times more common in jieba's dictionary.
WORD_RATIO = 20
# Characters either side of a stretch that the likelihood compares.
CONTEXT = 6
# Stretches whose "does an article write it" answer is remembered.
MAX_WRITTEN_CACHED = 4096
# Rewrites per run of Chinese characters: a question has a slip or two, not a dozen.
MAX_FIXES = 4
# Characters that stand alone as grammar words: a slip that changes one of them (是用 for
# 使用, 不回 for 不会) is as likely a correct sentence.
FUNCTION_CHARS = frozenset(word for word in text.ZH_STOPWORDS if len(word) == 1) | frozenset(
    "不一每各几"
)

Sound = tuple[str, ...]


class Vocabulary:
    """The help centre's Chinese words, how many articles hold each, and by sound."""

    def __init__(self, frequency: Counter):
        self.frequency = frequency
        by_sound: dict[Sound, list[str]] = defaultdict(list)
        for word in frequency:
            by_sound[word_sound(word)].append(word)
        self.by_sound = dict(by_sound)
        self.longest = max((len(word) for word in frequency), default=0)
        self._written: dict[str, bool] = {}

    def __contains__(self, word: str) -> bool:
        return word in self.frequency

    def written(self, stretch: str) -> bool:
        """Whether an article writes the stretch (卖单 is a word of the articles, not a
        slip for 买单); asked only of the rare stretch that sounds like a word."""
        if stretch not in self._written:
            if len(self._written) >= MAX_WRITTEN_CACHED:
                self._written.clear()
            published = Article.objects.filter(status=Article.Status.PUBLISHED)
            self._written[stretch] = published.filter(
                Q(body_text__contains=stretch) | Q(title__contains=stretch)
            ).exists()
        return self._written[stretch]


def word_sound(word: str) -> Sound:
    """How a vocabulary word is read (phrase-aware: 重置 is chong zhi)."""
    return tuple(lazy_pinyin(word, style=Style.NORMAL, errors="ignore"))


@functools.lru_cache(maxsize=8192)
def _readings(char: str) -> tuple[str, ...]:
    """The character's toneless readings, its everyday one first."""
    readings = pinyin(char, style=Style.NORMAL, heteronym=True, errors="ignore")
    return tuple(readings[0]) if readings else ()


def _spellings(stretch: str) -> list[Sound]:
    """Every way an input method could have spelt the stretch (each character's readings)."""
    readings = [_readings(char) for char in stretch]
    count = 1
    for options in readings:
        count *= len(options)
    if not count or count > MAX_SPELLINGS:
        return []
    return list(itertools.product(*readings))


def _build() -> Vocabulary:
    frequency: Counter = Counter()
    published = Article.objects.filter(status=Article.Status.PUBLISHED).values_list(
        "search_tokens_title", "search_tokens_keywords"
    )
    for fields in published.iterator(chunk_size=2000):
        frequency.update({word for field in fields for word in _CJK_WORD.findall(field)})
    for word in text.DOMAIN_WORDS:
        frequency[word] += 1
    return Vocabulary(frequency)


def _stamp() -> object:
    return Article.objects.filter(status=Article.Status.PUBLISHED).aggregate(
        n=Count("id"), last=Max("updated_at")
    )


_vocabulary = Refreshing(_build, _stamp, ttl=60.0)


def clear_cache() -> None:
    _vocabulary.clear()


def _likelihood(run: str) -> float:
    """log P of the run's most likely segmentation under jieba's word frequencies."""
    tokenizer = text.dictionary()
    route: dict[int, tuple[float, int]] = {}
    tokenizer.calc(run, tokenizer.get_DAG(run), route)
    return route[0][0]


def _meant(stretch: str, vocabulary: Vocabulary) -> list[str]:
    """Vocabulary words the stretch may have been typed for: same sound, a content
    character kept in place, and each changed character one that slips in by its
    everyday reading (not 提 read as di) and is no grammar word."""
    found = []
    for sound in _spellings(stretch):
        for word in vocabulary.by_sound.get(sound, ()):
            if len(word) != len(stretch):
                continue
            pairs = list(enumerate(zip(stretch, word, strict=True)))
            changed = [i for i, (typed, meant) in pairs if typed != meant]
            kept = [typed for _, (typed, meant) in pairs if typed == meant]
            if not changed or all(char in FUNCTION_CHARS for char in kept):
                continue
            if all(
                stretch[i] not in FUNCTION_CHARS and _readings(stretch[i])[0] == sound[i]
                for i in changed
            ):
                found.append(word)
    return found


def _plausible_slip(stretch: str, word: str) -> bool:
    """A stretch that is itself a dictionary word is a slip only when the help centre's
    word is far more common (提笔 139 times in jieba's dictionary, 提币 20,000)."""
    frequency = text.dictionary().FREQ
    typed = frequency.get(stretch) or 0
    return not typed or (frequency.get(word) or 0) >= WORD_RATIO * typed


def _boundaries(run: str) -> set[int]:
    """Where jieba's dictionary segmentation of the run puts word boundaries: a stretch
    that starts or ends inside a word (价币 in 计价币) is not a slip."""
    edges, position = {0}, 0
    for word in text.dictionary().cut(run, HMM=False):
        position += len(word)
        edges.add(position)
    return edges


def _best_fix(run: str, vocabulary: Vocabulary) -> tuple[float, str] | None:
    """The rewrite of one stretch that makes the run most likely, if any gains enough."""
    edges = _boundaries(run)
    best: tuple[float, str] | None = None
    for width in range(SHORTEST, LONGEST + 1):
        for start in range(len(run) - width + 1):
            end = start + width
            stretch = run[start:end]
            if start not in edges or end not in edges or stretch in vocabulary:
                continue
            for word in _meant(stretch, vocabulary):
                if not _plausible_slip(stretch, word) or vocabulary.written(stretch):
                    continue
                # The words around the stretch decide; the rest of the run cancels out.
                left, right = max(0, start - CONTEXT), min(len(run), end + CONTEXT)
                gain = _likelihood(run[left:start] + word + run[end:right]) - _likelihood(
                    run[left:right]
                )
                if gain > MIN_GAIN and (best is None or gain > best[0]):
                    best = (gain, run[:start] + word + run[end:])
    return best


def _correct_run(run: str, vocabulary: Vocabulary) -> str:
    for _ in range(MAX_FIXES):
        fix = _best_fix(run, vocabulary)
        if fix is None:
            break
        run = fix[1]
    return run


def corrected(query: str) -> str:
    """The query with each homophone slip replaced by the help centre's word."""
    if not text.has_cjk(query):
        return query
    vocabulary = _vocabulary.get()
    if not vocabulary.frequency:
        return query
    return _CJK_RUN.sub(lambda match: _correct_run(match.group(), vocabulary), query)
