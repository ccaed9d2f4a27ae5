"""Consequences of an account change that other apps carry out, kept as rows so none is lost.

accounts may not import tickets (DESIGN.md), so it announces a freeze, an unfreeze or a
review through the signals in accounts.signals, which tickets.security_desk turns into
tickets. Sent after commit, a signal would be lost whenever its receiver failed or the
process died between the commit and the send: the account frozen, no security ticket,
nothing to repair it. So the signal goes through an outbox:

1. `send_durably(signal, **arguments)`, called inside the change's transaction, writes
   an AccountEffect row and queues `accounts.tasks.complete_effect` on commit. The
   change never waits for the other app and is never refused because of it: a broker
   outage, or a receiver's bug, only delays the consequence.
2. `effect_complete` claims the row (FOR UPDATE SKIP LOCKED), sends the signal and marks
   the row done in one transaction, so the receivers' rows and "done" commit together or
   not at all. A receiver that raises is rolled back to a savepoint; the row stays
   pending, due again after a backoff.
3. `effects_sweep` (beat, every minute) completes the rows that are due: their task was
   lost (Redis down at commit, the process killed right after it) or failed.

Effects with one key (one freeze, one KYC submission) run in the order they were
recorded. Receivers must still be safe to run twice, for two effects about one thing
(opening a security ticket returns the open one for its reference).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.apps import apps
from django.core.exceptions import ObjectDoesNotExist
from django.db import DatabaseError, models, transaction
from django.dispatch import Signal
from django.utils import timezone

from accounts import signals
from accounts.models import AccountEffect

logger = logging.getLogger(__name__)

# The task has this long to complete a new row before the sweep may take it too (the
# row lock would keep them apart anyway; this only spares the contention).
SWEEP_GRACE = timedelta(minutes=1)
# After a failed attempt: 30 s, doubling, at most an hour. Never given up: a freeze
# without its security ticket is worse than a receiver retried hourly until fixed.
RETRY_BASE = timedelta(seconds=30)
RETRY_MAX = timedelta(hours=1)
# One sweep's share: rows in id order, within a time budget below the task's limit.
SWEEP_BATCH = 200
SWEEP_BUDGET_SECONDS = 40


def send_durably(signal: Signal, **arguments: Any) -> AccountEffect:
    """Record `signal` with `arguments` in the caller's transaction; sent after commit.

    Model instances among the arguments are stored by id and loaded again when the
    signal is sent; everything else must be plain JSON. A rollback leaves no row.
    """
    name = signals.durable_name(signal)
    _signal, key_of = signals.DURABLE[name]
    stored = _stored(arguments)
    effect = AccountEffect(
        signal=name,
        key=key_of(**arguments),
        arguments=stored,
        next_attempt_at=timezone.now() + SWEEP_GRACE,
    )
    effect.full_clean()
    effect.save()
    # robust: a broker outage must not fail the committed change; the sweep steps in.
    transaction.on_commit(_enqueue_later(effect.id), robust=True)
    return effect


def effect_complete(*, effect_id: int) -> str:
    """Send one recorded signal and mark it done; safe to run any number of times at once.

    Returns "done", "dropped" (what it was about is gone), "failed" (a receiver raised;
    due again later), "waits" (an earlier effect with its key is still pending) or "not
    claimed" (done already, or another worker holds it). A database error is raised
    after the attempt is recorded, so the task retries it with backoff.
    """
    failure: Exception | None = None
    with transaction.atomic():
        effect = (
            AccountEffect.objects.select_for_update(skip_locked=True)
            .filter(id=effect_id, status=AccountEffect.Status.PENDING)
            .first()
        )
        if effect is None:
            return "not claimed"
        if _earlier_pending(effect):
            return "waits"  # the earlier one, once done, queues this one
        try:
            signal, arguments = _loaded(effect)
            with transaction.atomic():  # a savepoint: a failed receiver leaves nothing
                signal.send(sender=None, **arguments)
        except _SubjectGone as exc:
            outcome = _finish(effect, AccountEffect.Status.DROPPED, str(exc))
        except Exception as exc:  # any receiver's failure; the change itself is committed
            failure = exc
            outcome = _attempt_failed(effect, exc)
        else:
            outcome = _finish(effect, AccountEffect.Status.DONE)
    if isinstance(failure, DatabaseError):
        raise failure
    return outcome


def effects_sweep(*, now: datetime | None = None) -> int:
    """Complete the effects whose time has come (task lost, or a retry due); returns
    how many were done. Each row is claimed on its own, so two sweeps, or a sweep and
    the tasks, never complete one twice."""
    now = now or timezone.now()
    due = list(
        AccountEffect.objects.filter(status=AccountEffect.Status.PENDING, next_attempt_at__lte=now)
        .order_by("id")  # earlier effects of a key first, so the later ones need not wait
        .values_list("id", flat=True)[:SWEEP_BATCH]
    )
    deadline = time.monotonic() + SWEEP_BUDGET_SECONDS
    done = 0
    for effect_id in due:
        if time.monotonic() > deadline:
            break
        try:
            if effect_complete(effect_id=effect_id) == "done":
                done += 1
        except DatabaseError:
            logger.warning("effect %s: database error; the next sweep tries again", effect_id)
    if due:
        logger.warning("effects sweep: %d due, %d done", len(due), done)
    return done


# ---------------------------------------------------------------- recording


def _stored(arguments: dict[str, Any]) -> dict[str, Any]:
    """Model instances as [label, pk]; the rest as JSON (dates and the like are refused)."""
    objects: dict[str, list[Any]] = {}
    values: dict[str, Any] = {}
    for name, value in arguments.items():
        if isinstance(value, models.Model):
            if value.pk is None:
                raise ValueError(f"Effect argument {name!r} is not saved.")
            objects[name] = [value._meta.label_lower, value.pk]
        else:
            values[name] = value
    try:
        values = json.loads(json.dumps(values, allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise ValueError(f"Effect arguments must be model instances or JSON: {exc}") from None
    return {"values": values, "objects": objects}


def _enqueue_later(effect_id: int) -> Callable[[], None]:
    """The on_commit callback (a named function: Django logs a failed robust callback by
    its __qualname__)."""

    def enqueue() -> None:
        from accounts.tasks import complete_effect

        # Retry the publish briefly, then give up: the sweep is the safety net.
        complete_effect.apply_async(
            (effect_id,),
            retry_policy={"max_retries": 2, "interval_start": 0, "interval_step": 0.5},
        )

    return enqueue


# ---------------------------------------------------------------- completing


def _earlier_pending(effect: AccountEffect) -> bool:
    return AccountEffect.objects.filter(
        key=effect.key, status=AccountEffect.Status.PENDING, id__lt=effect.id
    ).exists()


class _SubjectGone(Exception):
    """An object the signal was about was deleted since (a deleted account)."""


def _loaded(effect: AccountEffect) -> tuple[Signal, dict[str, Any]]:
    """The signal and its arguments, objects loaded again."""
    signal, _key_of = signals.DURABLE[effect.signal]
    arguments = dict(effect.arguments["values"])
    for name, (label, pk) in effect.arguments["objects"].items():
        try:
            arguments[name] = apps.get_model(label)._default_manager.get(pk=pk)
        except ObjectDoesNotExist:
            raise _SubjectGone(f"{label} {pk} ({name}) no longer exists") from None
    return signal, arguments


def _finish(effect: AccountEffect, status: str, error: str = "") -> str:
    """Mark the claimed row finished and queue the next effect of its key, if any."""
    now = timezone.now()
    effect.status, effect.finished_at = status, now
    effect.attempts += 1
    effect.last_error = error[:2000]
    effect.save(update_fields=["status", "finished_at", "attempts", "last_error", "updated_at"])
    following = (
        AccountEffect.objects.filter(
            key=effect.key, status=AccountEffect.Status.PENDING, id__gt=effect.id
        )
        .order_by("id")
        .values_list("id", flat=True)
        .first()
    )
    if following is not None:
        transaction.on_commit(_enqueue_later(following), robust=True)
    return str(status)


def _attempt_failed(effect: AccountEffect, exc: Exception) -> str:
    effect.attempts += 1
    wait = min(RETRY_BASE * 2 ** (effect.attempts - 1), RETRY_MAX)
    effect.next_attempt_at = timezone.now() + wait
    effect.last_error = _describe(exc)[:2000]
    logger.error(
        "effect %s (%s %s) failed, attempt %d; again in %s",
        effect.id,
        effect.signal,
        effect.key,
        effect.attempts,
        wait,
        exc_info=exc,
    )
    effect.save(update_fields=["attempts", "next_attempt_at", "last_error", "updated_at"])
    return "failed"


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__qualname__}: {exc}"
