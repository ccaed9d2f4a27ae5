"""The sensitive-data guard: seed phrases, private keys and passwords never reach the
database or an agent's screen unmasked.

`scan(text)` finds them, replaces each with a mask and says which kinds it found; the
rest of the message is kept so the agent can still help. The detectors live in
`livechat.sensitive` (one module per kind); this module only merges what they found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from livechat.sensitive import keys, passwords, seeds
from livechat.sensitive.spans import Span

MASK_EN = "•••• (hidden)"
MASK_ZH = "••••（已隐藏）"
_CJK = re.compile(r"[\u4e00-\u9fff]")
# Reported in this order, whatever order they appear in.
KINDS = ("seed_phrase", "private_key", "password")


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
    kinds = {span.kind for span in spans}
    return Scan(body=body, found=[kind for kind in KINDS if kind in kinds])
