"""Slips of a pinyin input method, read back as the help centre's words.

A customer in a hurry types "tibi" and takes the first candidate the input method
offers, so the question says 提笔 (to pick up a pen) where the articles say 提币
(withdraw coins), 冻洁 for 冻结, 理才 for 理财. No token of the slip is in the index and
e5 reads another word, so search and the bot miss the article. Others leave the input
method off and type the pinyin itself ("tibi meidaozhang") or its initials (yzm for
验证码, zjmm for 资金密码).

The vocabulary is the help centre's own: every Chinese word of two or more characters
in a published article's title and keyword tokens, plus the domain words the
tokenizer knows (text.DOMAIN_WORDS), each keyed by its toneless pinyin. A stretch of
two to four characters is read as a vocabulary word of the same sound when all hold:

- the stretch starts and ends on a boundary of jieba's segmentation (价币 inside 计价币
  is no slip) and is not itself a vocabulary word, nor written in any article (卖单 is
  the articles' word, not a slip for 买单);
- it keeps a content character of the word in place, and every character it changes
  is no grammar word and spells the word's syllable by its everyday reading (是用 is
  not 使用, 不回 not 不会, 提一 not 第一);
- a stretch that is a dictionary word itself (提笔) is far rarer than the word;
- the sentence reads likelier with the word under jieba's word frequencies.

In a question that is partly Chinese or holds no English word of the articles'
titles, a Latin token that is no such word either is read as a vocabulary word when it
spells the word's pinyin (four letters or more) or its initials (three to five
consonants, and no other word of the vocabulary has them half as often). Where several words sound alike, the one in the most
articles wins. Runs after traditional.to_simplified and cantonese.to_mandarin, so it
reads Simplified Mandarin.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections import Counter, defaultdict

from django.db.models import Q
from pypinyin import Style, lazy_pinyin, pinyin

from helpcenter.models import Article
from helpcenter.search import text
from helpcenter.search.cache import Refreshing, published_articles_stamp

_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
_CJK_WORD = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]{2,}")
_LATIN_TOKEN = re.compile(r"(?<![a-z0-9])[a-z]+(?![a-z0-9])")
_LATIN_IN_QUERY = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]+(?![A-Za-z0-9])")
_INITIALS = re.compile(r"[bcdfghjklmnpqrstwxyz]{3,5}")
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
# Stretches whose "does an article write it" answer is remembered, and how many a
# question may look up in the articles.
MAX_WRITTEN_CACHED = 4096
MAX_LOOKUPS = 8
# Pinyin initials stand for a word only when it is this many times as common as the
# next word with the same initials.
INITIALS_LEAD = 2
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

    def __init__(self, frequency: Counter, latin: frozenset[str] = frozenset()):
        self.frequency = frequency
        by_sound: dict[Sound, list[str]] = defaultdict(list)
        for word in frequency:
            by_sound[word_sound(word)].append(word)
        self.by_sound = dict(by_sound)
        self.by_spelling: dict[str, str] = {}
        self.by_initials: dict[str, str] = {}
        initials: dict[str, list[str]] = defaultdict(list)
        for sound, words in by_sound.items():
            best = min(words, key=lambda word: (-frequency[word], word))
            spelling = "".join(sound)
            known = self.by_spelling.get(spelling)
            if known is None or (-frequency[best], best) < (-frequency[known], known):
                self.by_spelling[spelling] = best
            if len(sound) >= 3:
                initials["".join(syllable[0] for syllable in sound)].extend(words)
        for letters, words in initials.items():
            ranked = sorted(words, key=lambda word: (-frequency[word], word))
            if len(ranked) == 1 or frequency[ranked[0]] >= INITIALS_LEAD * frequency[ranked[1]]:
                self.by_initials[letters] = ranked[0]
        self.latin = latin  # Latin stems of the titles and keywords
        self._written: dict[str, bool] = {}

    def __contains__(self, word: str) -> bool:
        return word in self.frequency

    def written(self, stretch: str, budget: list[int]) -> bool:
        """Whether an article writes the stretch (卖单 is a word of the articles, not a
        slip for 买单); asked only of the rare stretch that sounds like a word. Each
        question may look up `budget[0]` stretches; past that, a stretch counts as written
        (left as typed), so a question of made-up slips costs a few reads at most."""
        if stretch not in self._written:
            if budget[0] <= 0:
                return True
            budget[0] -= 1
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
    latin: set[str] = set()
    published = Article.objects.filter(status=Article.Status.PUBLISHED).values_list(
        "search_tokens_title", "search_tokens_keywords"
    )
    for fields in published.iterator(chunk_size=2000):
        frequency.update({word for field in fields for word in _CJK_WORD.findall(field)})
        latin.update(word for field in fields for word in _LATIN_TOKEN.findall(field))
    for word in text.DOMAIN_WORDS:
        frequency[word] += 1
    return Vocabulary(frequency, frozenset(latin))


_vocabulary = Refreshing(_build, published_articles_stamp, ttl=60.0)


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


def _best_fix(run: str, vocabulary: Vocabulary, budget: list[int]) -> tuple[float, str] | None:
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
                if not _plausible_slip(stretch, word) or vocabulary.written(stretch, budget):
                    continue
                # The words around the stretch decide; the rest of the run cancels out.
                left, right = max(0, start - CONTEXT), min(len(run), end + CONTEXT)
                gain = _likelihood(run[left:start] + word + run[end:right]) - _likelihood(
                    run[left:right]
                )
                if gain > MIN_GAIN and (best is None or gain > best[0]):
                    best = (gain, run[:start] + word + run[end:])
    return best


def _correct_run(run: str, vocabulary: Vocabulary, budget: list[int]) -> str:
    for _ in range(MAX_FIXES):
        fix = _best_fix(run, vocabulary, budget)
        if fix is None:
            break
        run = fix[1]
    return run


def _pinyin_word(token: str, vocabulary: Vocabulary) -> str | None:
    """The vocabulary word a Latin token spells in pinyin (tibi) or its initials (yzm)."""
    if text.stem(token) in vocabulary.latin:
        return None
    if len(token) >= 4 and token in vocabulary.by_spelling:
        return vocabulary.by_spelling[token]
    if _INITIALS.fullmatch(token):
        return vocabulary.by_initials.get(token)
    return None


def _read_latin(query: str, vocabulary: Vocabulary) -> str:
    """Pinyin and initials read as words, in a question that is partly Chinese or holds
    no English word of the articles ("huobi trading password" is about Huobi)."""
    words = [match.group().lower() for match in _LATIN_IN_QUERY.finditer(query)]
    english = any(text.stem(word) in vocabulary.latin for word in words)
    if not words or (english and not text.has_cjk(query)):
        return query

    def replace(match: re.Match) -> str:
        word = _pinyin_word(match.group().lower(), vocabulary)
        return word if word is not None else match.group()

    return _LATIN_IN_QUERY.sub(replace, query)


def corrected(query: str) -> str:
    """The query with each slip replaced by the help centre's word."""
    vocabulary = _vocabulary.get()
    if not vocabulary.frequency:
        return query
    query = _read_latin(query, vocabulary)
    budget = [MAX_LOOKUPS]
    return _CJK_RUN.sub(lambda match: _correct_run(match.group(), vocabulary, budget), query)
