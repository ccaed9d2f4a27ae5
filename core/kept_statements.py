"""Statements compiled once per process and run with each request's values (issue 19).

Django builds and compiles a statement afresh on every request. For the console's ticket
page that was a quarter of its Python: the ticket's statement carries the visibility
filter twice and nine subqueries, about 20,000 calls to make the same text each time.

A KeptStatement builds its queryset from a *shape* and stand-ins for the request's
values, compiles it once per shape, and notes where each stand-in landed among the
statement's parameters; a run sends the kept text with the real values in those places.
So `build` must use each value only as a parameter (the right-hand side of a filter),
never to decide what the statement looks like, nor to work out another parameter: that
is what the shape is for. (A value the shape makes unneeded, as a supervisor's id is to
what they may see, is simply not used.) To hold `build` to that, each shape is built
twice, with two sets of stand-ins: the two statements must have the same text, and
differ in the stand-ins' places only. A build that breaks the rule fails there, the
first time its shape is asked for, never with a wrong statement.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet
from django.db.models.sql.compiler import SQLCompiler

# No row has a negative id; within PostgreSQL's integer range, as Django may send an id
# as one (psycopg's Int4).
STAND_IN_ID = -2_000_000_017


def first_of(queryset: QuerySet) -> QuerySet:
    """The one-row statement `queryset.first()` sends, to keep."""
    return (queryset if queryset.ordered else queryset.order_by("pk"))[:1]


@dataclass(frozen=True)
class _Compiled:
    queryset: QuerySet
    compiler: SQLCompiler  # set up by as_sql: its columns tell how to read the rows
    sql: str
    params: tuple
    slots: tuple[tuple[int, str, type], ...]  # (parameter index, value's name, its type)


class KeptStatement:
    """`build(shape, **values)` makes the queryset (sliced already, if it is to be); `run`
    gives what iterating it gives (model instances, or dicts after values()). Stand-ins
    are ints or strings that no real value can equal."""

    def __init__(self, build: Callable[..., QuerySet], **stand_ins: int | str) -> None:
        self._build = build
        self._stand_ins = stand_ins
        self._kept: dict[Hashable, _Compiled | None] = {}
        self._lock = threading.Lock()

    def run(self, shape: Hashable, **values: object) -> list:
        if shape not in self._kept:
            with self._lock:
                if shape not in self._kept:
                    self._kept[shape] = self._compile(shape)
        compiled = self._kept[shape]
        if compiled is None:  # the statement can find nothing (Django sends none then)
            return []
        params = list(compiled.params)
        for index, name, kind in compiled.slots:
            params[index] = kind(values[name])
        queryset = compiled.queryset._chain()
        compiler = copy.copy(compiled.compiler)
        compiler.connection = connections[queryset.db]  # this thread's, not the compiler's
        compiler.as_sql = lambda *args, **kwargs: (compiled.sql, tuple(params))
        queryset.query.get_compiler = lambda *args, **kwargs: compiler
        return list(queryset)

    def _compile(self, shape: Hashable) -> _Compiled | None:
        queryset = self._build(shape, **self._stand_ins)
        compiler = queryset.query.get_compiler(using=queryset.db)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            return None
        slots = tuple(
            (index, name, type(param))
            for index, param in enumerate(params)
            for name, stand_in in self._stand_ins.items()
            if isinstance(param, type(stand_in)) and param == stand_in
        )
        self._check(shape, sql, params, slots)
        return _Compiled(queryset, compiler, sql, tuple(params), slots)

    def _check(self, shape: Hashable, sql: str, params: tuple, slots: tuple) -> None:
        """The statement built with other stand-ins differs in the slots only."""
        others = {name: _other(stand_in) for name, stand_in in self._stand_ins.items()}
        again = self._build(shape, **others)
        sql_again, params_again = again.query.get_compiler(using=again.db).as_sql()
        expected = list(params)
        for index, name, kind in slots:
            expected[index] = kind(others[name])
        if sql_again != sql or list(params_again) != expected:
            raise ValueError(
                f"{self._build.__name__}({shape!r}): the values decide more than parameters"
            )


def _other(stand_in: int | str) -> int | str:
    """A second stand-in, as impossible as the first."""
    if isinstance(stand_in, int):
        return stand_in - 1
    return stand_in + "-2"
