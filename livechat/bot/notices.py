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

from core.registry import Registry


@dataclass(frozen=True)
class Notice:
    text: str
    data: dict = field(default_factory=dict)


# source(conversation=…, text=…) -> list[Notice]
Source = Callable[..., list[Notice]]
# A failing source is logged and skipped: the customer still gets the bot's answer (or
# the handoff), only without that source's notice.
_sources: Registry[Source] = Registry("bot notices", skip_failing=True)
register = _sources.register


def notices_for(*, conversation, text: str) -> list[Notice]:
    return _sources.collect(lambda source: source(conversation=conversation, text=text))
