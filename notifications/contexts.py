"""What a kind's build_context needs when the email is rendered: the rows its stored ids
name, or NotificationObsolete when one is gone (the row is then skipped, not failed).

A batch of emails (notifications.batch) reads those rows together: `preloaded` runs the
batch's context builders first only to learn which rows they will ask for, reads them
with one query per kind of look-up (`pk__in`, through the caller's own queryset, so its
filters and joins apply), and the builders then find them here instead of asking the
database one row at a time.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db.models import Model, QuerySet

from notifications.errors import NotificationObsolete

M = TypeVar("M", bound=Model)


def load_or_obsolete(source: type[M] | QuerySet[M], pk: object, *, what: str) -> M:
    """The row of `source` (a model, or a queryset that narrows or joins it) with id `pk`.

    `what` names it for the outbox's record: load_or_obsolete(Ticket, 7, what="the
    ticket") raises NotificationObsolete("the ticket is gone") when there is no ticket 7.
    """
    rows = source if isinstance(source, QuerySet) else source._default_manager.all()
    memo = _memo.get()
    if memo is not None:
        found = memo.look_up(rows, pk)
        if found is not _UNKNOWN:
            if found is None:
                raise NotificationObsolete(f"{what} is gone")
            return found
    row = rows.filter(pk=pk).first()
    if row is None:
        raise NotificationObsolete(f"{what} is gone")
    return row


# ---------------------------------------------------------------- reading for a batch

_UNKNOWN = object()


class _Wanted(Exception):
    """Raised at a builder's first look-up not read yet, while learning what it needs."""


def _shape(rows: QuerySet) -> tuple:
    """What makes two look-ups the same query but for the id: model, filters, joins,
    deferred fields (cheap: no SQL is compiled)."""
    query = rows.query
    return (
        rows.model,
        repr(query.where),
        repr(query.select_related),
        repr(query.deferred_loading),
    )


@dataclass
class _Memo:
    learning: bool = True
    rows: dict[tuple, dict[object, Model | None]] = field(default_factory=dict)
    wanted: dict[tuple, tuple[QuerySet, set]] = field(default_factory=dict)

    def look_up(self, rows: QuerySet, pk: object) -> Any:
        shape = _shape(rows)
        known = self.rows.get(shape, {})
        if pk in known:
            return known[pk]
        if self.learning:
            self.wanted.setdefault(shape, (rows, set()))[1].add(pk)
            raise _Wanted
        return _UNKNOWN

    def read_wanted(self) -> None:
        for shape, (rows, pks) in self.wanted.items():
            found = {row.pk: row for row in rows.filter(pk__in=pks)}
            known = self.rows.setdefault(shape, {})
            for pk in pks:
                # Ids arrive as stored (JSON): match them as the database did.
                known[pk] = found.get(pk) or found.get(_as_int(pk))
        self.wanted.clear()


def _as_int(value: object) -> object:
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return value


_memo: ContextVar[_Memo | None] = ContextVar("notifications_context_memo", default=None)

# Look-ups nested this deep are read together (a ticket, then its message); deeper
# ones are read one at a time, as without a batch.
_LEVELS = 2


@contextlib.contextmanager
def preloaded(builders: Iterable[Callable[[], object]]) -> Iterator[None]:
    """Inside, the rows `builders` look up through load_or_obsolete are read already.

    Each builder (a row's build_context, bound to its stored context) is run up to
    _LEVELS times beforehand, stopping at its first look-up not read yet; whatever else
    it raises then is left for the real run to raise.
    """
    builders = list(builders)
    memo = _Memo()
    token = _memo.set(memo)
    try:
        for _level in range(_LEVELS):
            memo.learning = True
            for build in builders:
                with contextlib.suppress(Exception):
                    build()
            memo.learning = False
            if not memo.wanted:
                break
            memo.read_wanted()
        yield
    finally:
        _memo.reset(token)
