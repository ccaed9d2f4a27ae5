"""Characters in untrusted text that no reader should meet: those PostgreSQL cannot
store, and the bidirectional controls that make text display as something else."""

from __future__ import annotations

import re

# NUL (PostgreSQL text refuses it) and lone surrogates (not UTF-8 at all): a JSON body
# or a websocket frame can carry both ("\u0000", "\ud800"); nobody types them.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")

# Embeddings and overrides (U+202A-U+202E), isolates (U+2066-U+2069), the left-to-right
# and right-to-left marks (U+200E, U+200F) and the Arabic letter mark (U+061C). An
# override shows "exe.fdp" as "pdf.exe" and can reverse an address or a link's host.
# Beacon speaks Chinese and English, so none is needed to write to it correctly.
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
_UNSAFE = re.compile(f"[\x00\ud800-\udfff{BIDI_CONTROLS}]")


def is_storable(text: str) -> bool:
    """False when `text` holds a NUL or a lone surrogate."""
    return _UNSTORABLE.search(text) is None


def plain_text(text: str) -> str:
    """Untrusted text as Beacon stores it: no NUL, lone surrogate or bidirectional control.

    Services call this on the way in (subjects, messages, names), so every way out (pages,
    API, sockets, emails, exports) shows what was typed, in the order it was typed.
    """
    return _UNSAFE.sub("", text)
