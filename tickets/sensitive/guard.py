"""Seed phrases, private keys and passwords never reach the database or an agent's screen
unmasked.

`scan(text)` finds them, replaces each with a mask and says which kinds it found; the
rest of the text is kept so the agent can still help. The detectors are this package's
other modules (one per kind); this module only merges what they found.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from tickets.sensitive import keys, passwords, seeds
from tickets.sensitive.spans import Span

MASK_EN = "•••• (hidden)"
MASK_ZH = "••••（已隐藏）"
_CJK = re.compile(r"[\u4e00-\u9fff]")
# Reported in this order, whatever order they appear in.
KINDS = ("seed_phrase", "private_key", "password")
# For a short label ("hidden: seed phrase") and for a sentence ("what looked like a seed phrase").
KIND_NAMES = {
    "seed_phrase": gettext_lazy("seed phrase"),
    "private_key": gettext_lazy("private key"),
    "password": gettext_lazy("password"),
}
KIND_PHRASES = {
    "seed_phrase": gettext_lazy("a seed phrase"),
    "private_key": gettext_lazy("a private key"),
    "password": gettext_lazy("a password"),
}


@dataclass(frozen=True)
class Scan:
    body: str  # the text to store and show, with anything sensitive masked
    found: list[str] = field(
        default_factory=list
    )  # kinds: "seed_phrase", "private_key", "password"


def _merged(spans: list[Span]) -> list[Span]:
    """Overlapping spans become one (the first kind found wins the label)."""
    merged: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if merged and span.start < merged[-1].end:
            last = merged[-1]
            merged[-1] = Span(last.start, max(last.end, span.end), last.kind)
        else:
            merged.append(span)
    return merged


def scan(text: str) -> Scan:
    spans = [*seeds.find(text), *keys.find(text), *passwords.find(text)]
    if not spans:
        return Scan(body=text)
    # The mask is written into the stored text, so it follows the message's own language.
    mask = MASK_ZH if _CJK.search(text) else MASK_EN
    body = text
    for span in reversed(_merged(spans)):
        body = body[: span.start] + mask + body[span.end :]
    return Scan(body=body, found=kinds_in_order(span.kind for span in spans))


def kinds_in_order(kinds: Iterable[str]) -> list[str]:
    """Each known kind once, in KINDS order: what several scans of one message found."""
    seen = set(kinds)
    return [kind for kind in KINDS if kind in seen]


def kind_names(kinds: Iterable[str]) -> str:
    """A label in the active language: `seed phrase, password`."""
    return pgettext("list separator", ", ").join(
        str(KIND_NAMES[kind]) for kind in kinds_in_order(kinds)
    )


def kind_phrases(kinds: Iterable[str]) -> str:
    """For a sentence in the active language: `a seed phrase and a password`."""
    return get_text_list([str(KIND_PHRASES[kind]) for kind in kinds_in_order(kinds)], _("and"))
