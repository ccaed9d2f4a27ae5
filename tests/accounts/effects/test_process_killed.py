"""A process killed at the worst moment loses nothing: the freeze runs in a real process
that is SIGKILLed right after its commit, before the effect's task is queued; a worker
is SIGKILLed while it holds the effect with the ticket written but not committed. Either
way the sweep then opens the security ticket, exactly once. And with nothing killed,
a real Celery worker opens it through the real broker."""

from __future__ import annotations

import os
import selectors
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import connection

from accounts.effects import effects_sweep
from accounts.models import AccountEffect, AccountFreeze, User
from config.celery import app as celery_app
from tests.accounts.effects.conftest import freeze, security_tickets, sweep_time
from tests.notifications.conftest import needs_postgres
from tests.servers import current_database_url

pytestmark = [pytest.mark.django_db(transaction=True), needs_postgres]

ROOT = Path(__file__).resolve().parents[3]
# Bounds on waiting for a process or the worker: not speed requirements.
WAIT_SECONDS = 60

SETUP = """
import os, sys, time
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
import django
django.setup()
from django.db import connection, transaction

def wait_to_be_killed(what):
    print(what, connection.connection.info.backend_pid, flush=True)
    time.sleep(600)
"""

# The web process: the freeze commits, and the first thing after the commit (before the
# freeze's own on-commit work: queueing the effect's task) is to report and wait.
FREEZE = (
    SETUP
    + """
from accounts.freeze.services import account_freeze
from accounts.models import AccountFreeze, User

with transaction.atomic():
    transaction.on_commit(lambda: wait_to_be_killed("committed"))
    account_freeze(
        user=User.objects.get(id=int(sys.argv[1])),
        source=AccountFreeze.Source.SECURITY_PAGE,
        reason="Phone stolen",
    )
"""
)

# A worker running the effect: one more receiver, connected after the tickets app's,
# reports once the ticket is written (not yet committed) and waits there.
COMPLETE = (
    SETUP
    + """
from accounts import signals
from accounts.effects import effect_complete

signals.account_frozen.connect(lambda sender, **kwargs: wait_to_be_killed("inside"), weak=False)
effect_complete(effect_id=int(sys.argv[1]))
"""
)


class Doomed:
    """A Python process on this test's database, to be killed once it reports `line`."""

    def __init__(self, script: str, argument: int) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", script, str(argument)],
            cwd=ROOT,
            env={**os.environ, "DATABASE_URL": current_database_url()},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )

    def wait_for(self, word: str) -> None:
        with selectors.DefaultSelector() as selector:
            selector.register(self.process.stdout, selectors.EVENT_READ)
            ready = selector.select(WAIT_SECONDS)
        said = self.process.stdout.readline().decode().split() if ready else []
        if said[:1] != [word]:
            self.process.kill()
            _out, err = self.process.communicate(timeout=WAIT_SECONDS)
            raise AssertionError(f"expected {word!r}, got {said!r}:\n{err.decode()[-4000:]}")
        self.backend_pid = int(said[1])

    def kill(self) -> None:
        """SIGKILL, then wait until PostgreSQL has noticed: its session for the process
        ends (rolling back what was not committed and releasing its row locks)."""
        self.process.send_signal(signal.SIGKILL)
        self.process.communicate(timeout=WAIT_SECONDS)
        assert self.process.returncode == -signal.SIGKILL
        deadline = time.monotonic() + WAIT_SECONDS
        while self._session_alive() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not self._session_alive()

    def _session_alive(self) -> bool:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [self.backend_pid])
            return cursor.fetchone() is not None


@pytest.fixture
def lin(seeded_types) -> User:
    return User.objects.create_user("lin@example.test", "pw-long-enough-1", language="en")


def test_the_web_process_killed_right_after_the_freeze_commits(lin, outbox_queue):
    # when: the freeze commits, and its process is killed before anything else happens
    web = Doomed(FREEZE, lin.id)
    web.wait_for("committed")
    web.kill()
    # then: the account is frozen and no ticket exists; but the effect is on record
    lin.refresh_from_db()
    frozen = AccountFreeze.objects.get(user=lin)
    assert not lin.is_active and frozen.lifted_at is None
    assert security_tickets(lin) == []
    (effect,) = AccountEffect.objects.all()
    assert effect.status == AccountEffect.Status.PENDING and effect.attempts == 0
    # when: beat's sweep runs (its first run within the task's minute leaves it alone)
    assert effects_sweep() == 0
    swept = effects_sweep(now=sweep_time())
    # then: the ticket, once
    assert swept == 1
    (ticket,) = security_tickets(lin)
    assert ticket.fields["review"] == f"freeze:{frozen.id}"
    # and the next sweep, as beat makes it run every minute, does nothing more
    assert effects_sweep(now=sweep_time()) == 0
    assert len(security_tickets(lin)) == 1
    effect.refresh_from_db()
    assert effect.status == AccountEffect.Status.DONE and effect.attempts == 1


def test_the_worker_killed_with_the_ticket_written_but_not_committed(lin, outbox_queue):
    # given: a freeze whose task a worker took
    frozen = freeze(lin)
    (effect,) = AccountEffect.objects.all()
    worker = Doomed(COMPLETE, effect.id)
    worker.wait_for("inside")
    # when: the sweep runs meanwhile
    # then: it skips the row the worker holds (SKIP LOCKED), and sees no ticket yet
    assert effects_sweep(now=sweep_time()) == 0
    assert security_tickets(lin) == []
    # when: the worker is killed; its transaction dies with it
    worker.kill()
    # then: still pending, no ticket; the next sweep opens it, once
    effect.refresh_from_db()
    assert effect.status == AccountEffect.Status.PENDING and security_tickets(lin) == []
    assert effects_sweep(now=sweep_time()) == 1
    assert effects_sweep(now=sweep_time()) == 0
    (ticket,) = security_tickets(lin)
    assert ticket.fields["review"] == f"freeze:{frozen.id}"


def test_a_real_worker_opens_the_ticket_after_the_freeze_commits(lin, outbox_queue):
    # given: a worker consuming this run's queue, as `celery worker` does in production
    with start_worker(celery_app, perform_ping_check=False, shutdown_timeout=WAIT_SECONDS):
        # when
        frozen = freeze(lin)
        # then: the task went through the broker, and the ticket opened
        deadline = time.monotonic() + WAIT_SECONDS
        while not security_tickets(lin) and time.monotonic() < deadline:
            time.sleep(0.05)
    (ticket,) = security_tickets(lin)
    assert ticket.fields["review"] == f"freeze:{frozen.id}"
    (effect,) = AccountEffect.objects.all()
    assert effect.status == AccountEffect.Status.DONE and effect.attempts == 1
