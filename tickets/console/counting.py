"""Counts as scalar subqueries, so that several ride in one statement (issue 19: every
statement of a console page is a round trip; the header's four counts were four)."""

from __future__ import annotations

from django.db.models import Func, IntegerField, QuerySet, Subquery


class _CountAll(Func):
    # COUNT(*) as a plain expression: PostgreSQL aggregates the subquery to one row (0 when
    # nothing matches), and Django, not seeing an aggregate, adds no GROUP BY around it.
    template = "COUNT(*)"
    output_field = IntegerField()


def count_subquery(queryset: QuerySet) -> Subquery:
    """`(SELECT COUNT(*) FROM … WHERE …)` of `queryset`, to annotate another query with.

    Uncorrelated, PostgreSQL runs it once per statement (an InitPlan); with an OuterRef,
    once per outer row.
    """
    return Subquery(queryset.order_by().values(n=_CountAll()), output_field=IntegerField())
