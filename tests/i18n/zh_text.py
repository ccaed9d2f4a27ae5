"""What a zh-hans page or email must not show, and how to find it.

Two nets. `catalogue_misses` wraps the catalogue lookup every gettext, pgettext and
ngettext goes through (DjangoTranslation: `{% translate %}`, `{% blocktranslate %}`,
lazy strings, Django's and allauth's own) and records each msgid that zh-hans has in
none of its catalogues (Beacon's, allauth's, Django's). `zh_problems` reads the rendered
text for what no msgid shows: English words that were never marked for translation or
come from data without a Chinese version, 你 where Beacon says 您, and ASCII punctuation
inside a Chinese sentence.
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Iterator
from contextlib import contextmanager
from html.parser import HTMLParser

from django.utils.translation import trans_real
from django_countries import countries

ZH = "zh-hans"
_LETTER = re.compile(r"[A-Za-z]")
_CJK = "\u3400-\u9fff\uf900-\ufaff"
# Shown as they are in Chinese text too: brands, products, standards, codes and units;
# "App" as Chinese product copy writes it (下载 App); a language's own name for itself.
ALLOWED_WORDS = frozenset(
    """
    Beacon BEACON Google Authenticator Microsoft Authy Android iOS iPhone Chrome Safari
    TOTP KYC UID ID SLA CSAT API OpenAPI REST JSON CSV PNG JPEG JPG WebP GIF PDF HEIC
    MB KB GB UTC GMT IP URL HTTP HTTPS DNS SMS Webhook
    Bitcoin Ethereum TRON Tron Solana Optimism Polygon TON XRP BNB USDT USDC BTC ETH TRX
    XLM ATOM TRC ERC BEP TXID Memo MEMO Tag Gas VIP P2P VPN
    Telegram WhatsApp WeChat Twitter Discord
    App
    English
    """.split()
)
# Names of more than one word (networks, and the demo's made-up coins).
ALLOWED_PHRASES = (
    "Arbitrum One",
    "XRP Ledger",
    "BNB Smart Chain",
    "Kestrel Chain",
    "Kestrel",
    "Lanternfish",
    "KSTL",
    "LNFH",
)
# Machine text: links, addresses, host names, things with digits in them (ticket
# numbers, 2FA, TRC20, 127.0.0.1:8000, 09:00), file names and extensions, slugs and tags
# (unverified-sender), placeholders a script fills (%(count)s), country codes.
_MACHINE = re.compile(
    r"https?://\S+|www\.\S+|\S+@\S+|@\w+|(?:[\w-]+\.)+[A-Za-z]{2,}(?::\d+)?\S*"
    r"|\b[\w./:-]*\d[\w./:-]*\b|/[\w/.-]+/?(?:\?\S*)?|(?<!\w)\.[a-z]{2,4}\b"
    r"|\b[a-z0-9]+(?:-[a-z0-9]+)+\b|%\(\w+\)[sd]|\b[A-Z]{2}\b"
)
# A Latin gloss in full-width brackets after a Chinese term: 通行密钥（Passkey）.
_GLOSS = re.compile(rf"(?<=[{_CJK}])（[^（）]*）")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’]*")
_CUT = re.compile(r"\w+…|…\w+")  # a word a snippet cut short
_YOU_INFORMAL = re.compile(r"你")
_ASCII_PUNCT_IN_ZH = re.compile(rf"[{_CJK}][,.?!:;()]|[,?!:;()][{_CJK}]|[{_CJK}] [?!:]")
_TIME_ZONES = frozenset(zoneinfo.available_timezones())


def _has_letters(msgid: str) -> bool:
    return bool(_LETTER.search(msgid))


def _readable(msgid: str) -> str:
    context, sep, message = msgid.partition(trans_real.CONTEXT_SEPARATOR)
    return f"{message} (context {context})" if sep else msgid


@contextmanager
def catalogue_misses() -> Iterator[set[str]]:
    """The msgids looked up in zh-hans, inside the block, that no catalogue translates."""
    misses: set[str] = set()
    del countries.countries  # names translated before the block are cached per language
    original_gettext = trans_real.DjangoTranslation.gettext
    original_ngettext = trans_real.DjangoTranslation.ngettext

    def gettext(self, message):
        if self.language() == ZH and _has_letters(message):
            catalog = self._catalog
            if catalog.get(message) is None and catalog.get((message, 0)) is None:
                misses.add(_readable(message))
        return original_gettext(self, message)

    def ngettext(self, msgid1, msgid2, n):
        if self.language() == ZH and _has_letters(msgid1):
            try:
                self._catalog.plural(msgid1, n)
            except KeyError:
                misses.add(_readable(msgid1))
        return original_ngettext(self, msgid1, msgid2, n)

    trans_real.DjangoTranslation.gettext = gettext
    trans_real.DjangoTranslation.ngettext = ngettext
    try:
        yield misses
    finally:
        trans_real.DjangoTranslation.gettext = original_gettext
        trans_real.DjangoTranslation.ngettext = original_ngettext


# Attributes a person reads or hears (screen readers), and the texts scripts show.
_SHOWN_ATTRIBUTES = {"title", "alt", "placeholder", "aria-label", "label"}
_HIDDEN_ELEMENTS = {"script", "style", "template", "svg", "noscript"}
# Machine text (raw headers, codes) and text marked as written in another language
# (lang="en": an English article, the English term beside the Chinese one).
_MACHINE_ELEMENTS = {"code", "pre", "kbd", "samp"}
_BUTTONS = {"submit", "button"}
_VOID = frozenset("area base br col embed hr img input link meta source track wbr".split())


class _VisibleText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        # Per open element: (hidden: never shown or machine text, foreign: in another
        # language). A lang="zh-hans" inside a lang="en" is Chinese again.
        self._open: list[tuple[bool, bool]] = []

    def _left_out(self) -> bool:
        return bool(self._open) and any(self._open[-1])

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        hidden, foreign = self._open[-1] if self._open else (False, False)
        hidden = hidden or tag in _HIDDEN_ELEMENTS or tag in _MACHINE_ELEMENTS
        lang = (values.get("lang") or "").lower()
        if lang:
            foreign = not lang.startswith("zh")
        if not (hidden or foreign):
            for name, value in attrs:
                shown = name in _SHOWN_ATTRIBUTES or name.startswith("data-text")
                if value and shown:
                    self.parts.append(value)
            if tag == "input" and values.get("type") in _BUTTONS and values.get("value"):
                self.parts.append(values["value"])
        if tag not in _VOID:
            self._open.append((hidden, foreign))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in _VOID and self._open:
            self._open.pop()

    def handle_endtag(self, tag):
        if tag not in _VOID and self._open:
            self._open.pop()

    def handle_data(self, data):
        if not self._left_out() and data.strip():
            self.parts.append(data)


def visible_text(html: str) -> list[str]:
    """The pieces of text a person sees or hears on a page, one per text node/attribute."""
    parser = _VisibleText()
    parser.feed(html)
    parser.close()
    return [" ".join(part.split()) for part in parser.parts]


def english_words(text: str, allowed: frozenset[str] = frozenset()) -> list[str]:
    """Words of Latin letters in `text` that are no brand, code, unit, address or link."""
    for phrase in ALLOWED_PHRASES:
        text = text.replace(phrase, " ")
    text = _MACHINE.sub(" ", _GLOSS.sub(" ", _CUT.sub(" ", text)))
    return [
        word
        for word in _WORD.findall(text)
        if len(word) > 1 and word not in ALLOWED_WORDS and word not in allowed
    ]


class Typed:
    """What people typed (names, subjects, messages): shown as typed, in any language.

    A piece of text that is part of something typed, or contains it, is checked without
    it; its words are allowed anywhere (a page may show a typed text cut short).
    """

    def __init__(self, texts: list[str]) -> None:
        lines = {" ".join(line.split()) for text in texts for line in text.splitlines()}
        self.lines = sorted((line for line in lines if len(line) > 1), key=len, reverse=True)
        self.words = frozenset(word for line in self.lines for word in _WORD.findall(line))

    def without(self, piece: str) -> str:
        bare = piece.strip(" …·")
        if any(bare in line for line in self.lines):
            return ""
        for line in self.lines:
            if line in piece:
                piece = re.sub(rf"(?<!\w){re.escape(line)}(?!\w)", " ", piece)
        return piece


def zh_problems(pieces: list[str], typed: Typed | None = None) -> set[str]:
    """What is wrong with these pieces of zh-hans text, one line per problem."""
    typed = typed or Typed([])
    problems = set()
    for shown in pieces:
        if shown.strip() in _TIME_ZONES:
            continue
        piece = typed.without(shown)
        if not piece.strip():
            continue
        words = english_words(piece, typed.words)
        if words:
            problems.add(f"English {' '.join(words)!r} in {shown[:120]!r}")
        if _YOU_INFORMAL.search(piece):
            problems.add(f"你 (Beacon says 您) in {shown[:120]!r}")
        if _ASCII_PUNCT_IN_ZH.search(piece):
            problems.add(f"ASCII punctuation in Chinese in {shown[:120]!r}")
    return problems
