"""What a kind's build_context needs when the email is rendered: the rows its stored ids
name, or NotificationObsolete when one is gone (the row is then skipped, not failed)."""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Model, QuerySet

from notifications.errors import NotificationObsolete

M = TypeVar("M", bound=Model)


def load_or_obsolete(source: type[M] | QuerySet[M], pk: object, *, what: str) -> M:
    """The row of `source` (a model, or a queryset that narrows or joins it) with id `pk`.

    `what` names it for the outbox's record: load_or_obsolete(Ticket, 7, what="the
    ticket") raises NotificationObsolete("the ticket is gone") when there is no ticket 7.
    """
    rows = source if isinstance(source, QuerySet) else source._default_manager.all()
    row = rows.filter(pk=pk).first()
    if row is None:
        raise NotificationObsolete(f"{what} is gone")
    return row
