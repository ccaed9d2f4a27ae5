"""A stretch of text a detector wants masked."""

from __future__ import annotations

from typing import NamedTuple


class Span(NamedTuple):
    start: int
    end: int
    kind: str  # "seed_phrase", "private_key" or "password"
