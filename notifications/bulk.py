"""`notify_many`: what `notify` does, for many events at once, in a fixed number of queries.

For writers that raise many notifications in one transaction, like the SLA sweep: a
hundred breaches must not cost a hundred preference reads, savepoints and inserts, nor
a hundred Celery tasks and SMTP connections (the emails go in batches). The
rules are notify's: rows written in the caller's transaction, a dedupe key never makes a
second row, a turned-off channel makes a "skipped" row, emails are queued and bells
pushed only after commit.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Count
from django.utils import timezone, translation

from core.inserts import insert_unless_taken
from core.realtime import broadcast_many_on_commit
from notifications import bell, outbox
from notifications.batch import queue_batches
from notifications.models import Notification, NotificationPreference
from notifications.preferences import _enabled
from notifications.registry import BELL, EMAIL, kind_get

if TYPE_CHECKING:
    from accounts.models import User


@dataclass(frozen=True)
class Note:
    """One event for one person with an account, as notify() would take it."""

    kind: str
    recipient: User
    context: Mapping[str, Any]
    dedupe_key: str
    channels: tuple[str, ...] = (EMAIL,)
    language: str | None = None


def notify_many(notes: Iterable[Note]) -> list[Notification]:
    """Write the rows of every note; returns the rows it created (not those deduplicated)."""
    notes = list(notes)
    if not notes:
        return []
    now = timezone.now()
    choices = _preferences(notes)
    # id -> (the context, kept alive so its id is not reused; its checked copy)
    checked: dict[int, tuple[Mapping[str, Any], dict[str, Any]]] = {}
    rows: dict[str, Notification] = {}
    for note in notes:
        spec = kind_get(note.kind)
        outbox._check_arguments(spec, note.recipient, "", note.channels, note.dedupe_key)
        if not note.dedupe_key:
            raise ValueError("notify_many needs a dedupe key for every note.")
        # A writer hands the same context to everyone told of one event (the sweep: the
        # assignee and the supervisors): checked (a JSON round trip and a walk) once.
        if id(note.context) not in checked:
            checked[id(note.context)] = (note.context, outbox._checked_context(note.context))
        stored = checked[id(note.context)][1]
        language = outbox._language(note.recipient, note.language)
        choice = choices.get((note.recipient.id, note.kind))
        enabled = (
            spec.channels
            if spec.essential
            else (spec.default_channels if choice is None else _enabled(spec, choice))
        )
        for channel in dict.fromkeys(note.channels):
            key = outbox._row_key(note.dedupe_key, channel, note.recipient, "")
            row = Notification(
                recipient=note.recipient,
                kind=note.kind,
                channel=channel,
                language=language,
                context=stored,
                dedupe_key=key,
                next_attempt_at=now,
            )
            if channel not in enabled:
                row.status = Notification.Status.SKIPPED
                row.last_error = "turned off by the recipient"
            elif channel == BELL:
                row.status, row.sent_at = Notification.Status.SENT, now
            rows.setdefault(key, row)
    # One INSERT … ON CONFLICT DO NOTHING RETURNING for every row of every kind: a key
    # stored before, or by a concurrent writer, is left out, as in notify().
    created = insert_unless_taken(list(rows.values()), key="dedupe_key")
    _after_commit(created)
    return created


def _preferences(notes: list[Note]) -> dict[tuple[int, str], NotificationPreference]:
    users = {note.recipient.id for note in notes}
    kinds = {note.kind for note in notes}
    saved = NotificationPreference.objects.filter(user_id__in=users, kind__in=kinds)
    return {(choice.user_id, choice.kind): choice for choice in saved}


def _after_commit(created: list[Notification]) -> None:
    emails = [row.id for row in created if row.status == Notification.Status.PENDING]
    bells = [
        row for row in created if row.channel == BELL and row.status == Notification.Status.SENT
    ]

    def enqueue() -> None:
        queue_batches(emails)

    if emails:
        transaction.on_commit(enqueue, robust=True)
    if not bells:
        return
    unread = Counter(
        dict(
            Notification.objects.filter(
                recipient_id__in={row.recipient_id for row in bells},
                channel=BELL,
                status=Notification.Status.SENT,
                read_at__isnull=True,
            )
            .values_list("recipient_id")
            .annotate(n=Count("id"))
        )
    )
    # A person's live bell list shows what a reload would: the newest BELL_RECENT_LIMIT
    # items. A sweep that rings one person 200 times pushes those (each with the final
    # unread count), not 200 trips to the channel layer for items the list would drop.
    newest: dict[int, list[Notification]] = {}
    for row in bells:
        newest.setdefault(row.recipient_id, []).append(row)
    messages = []
    for row in sorted(
        (row for rows in newest.values() for row in rows[-bell.BELL_RECENT_LIMIT :]),
        key=lambda row: row.pk,
    ):
        with translation.override(row.language):
            item = bell.bell_item(row)
        event = {
            "type": "notification.new",
            "notification": item,
            "unread": unread[row.recipient_id],
        }
        messages.append((bell.user_group(row.recipient_id), event))
    broadcast_many_on_commit(messages)
