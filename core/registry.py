"""A hook an app offers to the apps above it: they register a source in their
AppConfig.ready, the app asks every source and imports none of them (the arrow points
one way). Used by livechat.bot.notices, livechat.console_panels, tickets.form_notices
and helpcenter.search.extra.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from typing import Generic, TypeVar

logger = logging.getLogger(__name__)

S = TypeVar("S", bound=Callable)
T = TypeVar("T")


class Registry(Generic[S]):
    """The sources registered for one hook, in the order they registered, each once.

    `skip_failing` is each hook's own decision: True when what the sources add is
    optional and the page or answer must go on without it (a source that raises is
    logged and loses only its own results); False when a missing result must not pass
    unnoticed (the error reaches the caller).
    """

    def __init__(self, name: str, *, skip_failing: bool) -> None:
        self.name = name
        self.skip_failing = skip_failing
        self._sources: list[S] = []

    def register(self, source: S) -> None:
        # ready() can run more than once (tests, some commands): one registration counts.
        if source not in self._sources:
            self._sources.append(source)

    def __iter__(self) -> Iterator[S]:
        return iter(tuple(self._sources))

    def __len__(self) -> int:
        return len(self._sources)

    def collect(self, ask: Callable[[S], Iterable[T]]) -> list[T]:
        """Everything the sources answer, in order: `ask(source)` calls one source."""
        found: list[T] = []
        for source in self:
            try:
                found.extend(ask(source))
            except Exception:
                if not self.skip_failing:
                    raise
                logger.exception("%s: source %s failed; skipped", self.name, _named(source))
        return found


def _named(source: Callable) -> str:
    module = getattr(source, "__module__", "")
    name = getattr(source, "__qualname__", None) or repr(source)
    return f"{module}.{name}" if module else name
