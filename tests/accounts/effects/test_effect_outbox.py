"""A freeze and its security ticket are one durable fact: the freeze commits with an
AccountEffect row, the row is done only with the ticket, and what fails stays pending
for the sweep. The receiver fails for real here: ops renamed the ticket type it opens."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from accounts.effects import RETRY_BASE, effect_complete, effects_sweep, send_durably
from accounts.freeze.services import account_unfreeze
from accounts.models import AccountEffect, AccountFreeze, User
from accounts.signals import account_frozen
from tests.accounts.effects.conftest import freeze, security_tickets, sweep_time
from tests.notifications.conftest import needs_postgres
from tickets.models import Ticket, TicketType

pytestmark = pytest.mark.django_db

SECURITY = "account-security"
RENAMED = "account-security-renamed"


def break_security_type() -> None:
    """What breaks the receiver: ops renamed the type security_ticket_open looks up."""
    TicketType.objects.filter(slug=SECURITY).update(slug=RENAMED)


def mend_security_type() -> None:
    TicketType.objects.filter(slug=RENAMED).update(slug=SECURITY)


def test_the_freeze_commits_its_effect_and_the_effect_opens_the_ticket(lin):
    # when
    frozen = freeze(lin)
    # then: the account is frozen, and the ticket is promised in the same transaction
    (effect,) = AccountEffect.objects.all()
    assert (effect.signal, effect.key, effect.status) == (
        "account_frozen",
        f"freeze:{frozen.id}",
        AccountEffect.Status.PENDING,
    )
    assert effect.arguments["objects"] == {
        "user": ["accounts.user", lin.id],
        "freeze": ["accounts.accountfreeze", frozen.id],
    }
    assert security_tickets(lin) == []
    # when: the task runs, then runs again (a redelivered message)
    assert effect_complete(effect_id=effect.id) == "done"
    assert effect_complete(effect_id=effect.id) == "not claimed"
    # then
    effect.refresh_from_db()
    assert effect.status == AccountEffect.Status.DONE and effect.attempts == 1
    (ticket,) = security_tickets(lin)
    assert ticket.priority == Ticket.Priority.URGENT and ticket.fields["review"] == effect.key


def test_a_failing_receiver_leaves_the_row_pending_and_a_later_sweep_completes_it(lin):
    # given: the receiver cannot open the ticket
    break_security_type()
    # when: the customer freezes; the task tries
    frozen = freeze(lin)
    (effect,) = AccountEffect.objects.all()
    assert effect_complete(effect_id=effect.id) == "failed"
    # then: the freeze stands, nothing of the ticket was written, the row waits
    lin.refresh_from_db()
    assert not lin.is_active and AccountFreeze.objects.get(user=lin) == frozen
    assert not Ticket.objects.exists()
    effect.refresh_from_db()
    assert effect.status == AccountEffect.Status.PENDING and effect.attempts == 1
    assert "TicketType.DoesNotExist" in effect.last_error
    # and a sweep before the backoff is over leaves it alone
    assert effects_sweep(now=timezone.now()) == 0
    # when: ops fix the type, and the sweep comes after the backoff
    mend_security_type()
    assert effects_sweep(now=timezone.now() + RETRY_BASE) == 1
    # then
    (ticket,) = security_tickets(lin)
    assert ticket.fields["review"] == f"freeze:{frozen.id}"
    effect.refresh_from_db()
    assert effect.status == AccountEffect.Status.DONE and effect.attempts == 2


def test_each_failure_waits_longer(lin):
    break_security_type()
    freeze(lin)
    (effect,) = AccountEffect.objects.all()
    waits = []
    for _ in range(3):
        assert effects_sweep(now=effect.next_attempt_at) == 0
        effect.refresh_from_db()
        # next_attempt_at is set a moment before updated_at, in the same save
        waits.append(round((effect.next_attempt_at - effect.updated_at).total_seconds()))
    assert waits == [30, 60, 120]
    assert effect.attempts == 3 and effect.status == AccountEffect.Status.PENDING


def test_running_the_sweep_twice_makes_one_ticket(lin):
    # given: two effects about the same freeze (a signal recorded twice), task lost
    frozen = freeze(lin)
    with transaction.atomic():
        send_durably(account_frozen, user=lin, freeze=frozen)
    # when
    first = effects_sweep(now=sweep_time())
    second = effects_sweep(now=sweep_time())
    # then
    assert (first, second) == (2, 0)
    assert len(security_tickets(lin)) == 1
    assert set(AccountEffect.objects.values_list("status", flat=True)) == {"done"}


def test_an_unfreeze_waits_for_its_freeze(lin):
    # given: the freeze's ticket failed, then the account was unfrozen
    break_security_type()
    frozen = freeze(lin)
    account_unfreeze(user=lin, actor=None, reason="appeal approved")
    opened, closed = AccountEffect.objects.order_by("id")
    assert closed.key == opened.key == f"freeze:{frozen.id}"
    assert effect_complete(effect_id=opened.id) == "failed"
    # when: the unfreeze's task comes first
    assert effect_complete(effect_id=closed.id) == "waits"
    # then: it did nothing (closing now would find no ticket, and the ticket opened
    # later would stay open for good)
    closed.refresh_from_db()
    assert closed.status == AccountEffect.Status.PENDING and closed.attempts == 0
    # when: the type is back and the sweep runs
    mend_security_type()
    assert effects_sweep(now=sweep_time(RETRY_BASE)) == 2
    # then: opened, then solved
    (ticket,) = security_tickets(lin)
    assert ticket.status == Ticket.Status.SOLVED


def test_an_effect_whose_account_is_gone_is_dropped(lin):
    freeze(lin)
    (effect,) = AccountEffect.objects.all()
    User.objects.filter(id=lin.id).delete()
    assert effect_complete(effect_id=effect.id) == "dropped"
    effect.refresh_from_db()
    assert effect.status == AccountEffect.Status.DROPPED
    assert effect.last_error == f"accounts.user {lin.id} (user) no longer exists"
    assert effects_sweep(now=sweep_time(dt.timedelta(days=1))) == 0


def test_arguments_that_cannot_be_stored_are_refused_with_the_change(lin):
    with pytest.raises(ValueError, match="JSON"), transaction.atomic():
        send_durably(account_frozen, user=lin, freeze=object())
    assert not AccountEffect.objects.exists()


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_make_one_ticket(seeded_types, lin):
    # given: a freeze whose task was lost
    freeze(lin)
    when = sweep_time()
    start = threading.Barrier(2)
    done: list[int] = []

    def sweep() -> None:
        try:
            start.wait()
            done.append(effects_sweep(now=when))
        finally:
            connection.close()

    # when: two beat sweeps (or a sweep and the task) run at the same moment
    sweeps = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in sweeps:
        thread.start()
    for thread in sweeps:
        thread.join(30)
    # then: one of them completed it; SKIP LOCKED or the done status stopped the other
    assert sorted(done) == [0, 1]
    assert len(security_tickets(lin)) == 1


def test_a_row_this_code_cannot_read_fails_alone(lin):
    # given: a row of a signal that a later release renamed, before a freeze's row
    AccountEffect.objects.create(
        signal="account_renamed_since",
        key="freeze:0",
        arguments={"values": {}, "objects": {}},
        next_attempt_at=timezone.now(),
    )
    freeze(lin)
    # when
    assert effects_sweep(now=sweep_time()) == 1
    # then: the freeze's ticket is open; the unreadable row waits, saying why
    assert len(security_tickets(lin)) == 1
    stuck = AccountEffect.objects.get(signal="account_renamed_since")
    assert stuck.status == AccountEffect.Status.PENDING and "KeyError" in stuck.last_error
