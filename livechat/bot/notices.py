"""What the bot says before its answer, from apps livechat does not know.

An app that knows of a situation (incidents: a chain halted, a wallet in maintenance)
registers a source here in its AppConfig.ready; before answering, the bot asks every
source about the customer's message and posts what they return, in the chat's language
(the bot calls them inside translation.override). The arrow points one way: livechat
imports none of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Notice:
    text: str
    data: dict = field(default_factory=dict)


# source(conversation=…, text=…) -> list[Notice]
Source = Callable[..., list[Notice]]
_sources: list[Source] = []


def register(source: Source) -> None:
    if source not in _sources:
        _sources.append(source)


def notices_for(*, conversation, text: str) -> list[Notice]:
    found: list[Notice] = []
    for source in _sources:
        found.extend(source(conversation=conversation, text=text))
    return found
