"""The sensitive-data guard: seed phrases, private keys and passwords never reach the
database or an agent's screen unmasked. (Placeholder until the bot's package fills it.)"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Scan:
    body: str  # the text to store and show, with anything sensitive masked
    found: list[str] = field(
        default_factory=list
    )  # kinds: "seed_phrase", "private_key", "password"


def scan(text: str) -> Scan:
    return Scan(body=text)
