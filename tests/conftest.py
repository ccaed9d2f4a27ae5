from __future__ import annotations

import faulthandler
import os
import socket
import sys
import threading
import uuid
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from channels.layers import channel_layers
from django.utils import translation

from helpcenter.services import search_caches_clear
from tests.celery_queue import BrokerQueue
from tests.factories import (
    AnnouncementFactory,
    ArticleFactory,
    CategoryFactory,
    ContactChannelFactory,
    UserFactory,
)


@pytest.fixture(autouse=True)
def _own_cache_namespace(settings):
    """Each test gets an empty cache: on the real Redis, rate-limit counters of earlier
    tests and earlier runs would otherwise leak in (and FLUSHDB would hit the broker)."""
    settings.CACHES = {
        name: {**config, "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}
        for name, config in settings.CACHES.items()
    }


@pytest.fixture(autouse=True)
def _fresh_channel_layer():
    """channels-redis binds its locks to the event loop that first used them, and every
    async test runs on its own loop: a layer kept from an earlier test could fail with
    "bound to a different event loop". Each test gets a new layer."""
    yield
    channel_layers.backends.clear()


@pytest.fixture(autouse=True)
def _default_language():
    """A request in Chinese leaves Chinese active in the thread; start each test in English."""
    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_search_caches(_own_cache_namespace):
    """Per-process search caches must not carry one test's articles into the next. After
    the test's own cache namespace, so that the generation bumped here is the one the test
    reads (bumped in the last test's, it read 0 a second later and the kept caches
    rebuilt in the middle of the test)."""
    search_caches_clear()
    yield
    search_caches_clear()


@pytest.fixture
def user_factory(db):
    return UserFactory


@pytest.fixture
def article_factory(db):
    return ArticleFactory


@pytest.fixture
def category_factory(db):
    return CategoryFactory


@pytest.fixture
def announcement_factory(db):
    return AnnouncementFactory


@pytest.fixture
def channel_factory(db):
    return ContactChannelFactory


@pytest.fixture
def customer(user_factory):
    return user_factory(email="customer@example.test")


@pytest.fixture(scope="session", autouse=True)
def _a_flush_that_deadlocks_is_tried_again() -> Iterator[None]:
    """A transactional test ends with a flush (TRUNCATE of every table). A live server may
    still write what the test started (a closing socket's goodbye, a chat's beat) after
    tests.db_settle saw it idle; PostgreSQL then breaks the deadlock by aborting the
    flush, and the test errors at teardown though nothing it checked went wrong. Wait for
    the others to settle and flush again (at most three times)."""
    from django.core.management.base import CommandError
    from django.core.management.commands import flush

    from tests.db_settle import wait_for_other_connections_to_settle

    original = flush.Command.handle

    def handle(self, **options):
        for attempt in range(3):
            try:
                return original(self, **options)
            except CommandError as error:
                if attempt == 2 or "deadlock detected" not in str(error.__cause__):
                    raise
                wait_for_other_connections_to_settle()

    flush.Command.handle = handle
    yield
    flush.Command.handle = original


@pytest.fixture(scope="session", autouse=True)
def _no_connection_outlives_the_run(django_db_setup, django_db_blocker) -> Iterator[None]:
    """Threads that outlive their tests (the websocket consumers' database threads, a
    server a test ran in this process) keep their own connections to the test database;
    end them before it is dropped, or dropping it fails ("being accessed by other users")
    and the database is left behind."""
    yield
    from django.db import connection

    with django_db_blocker.unblock():
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )


SHARED = Path(os.environ.get("BEACON_SHARED_DIR", Path(__file__).resolve().parents[2] / "shared"))


@pytest.fixture(scope="session")
def kb_corpus() -> Path:
    """The shared bilingual corpus; fails, never skips, when it is missing."""
    path = SHARED / "corpora" / "kb"
    if not path.is_dir():
        pytest.fail(f"the shared corpus is not at {path} (set BEACON_SHARED_DIR)")
    return path


@pytest.fixture
def broker_queue() -> Iterator[BrokerQueue]:
    """This run's Celery queue on the real broker, emptied before and after the test."""
    queue = BrokerQueue()
    queue.take()
    yield queue
    queue.take()


@pytest.fixture
def deliver_outbox(db):
    """Send every pending email row of the outbox now, in this process, the way the Celery
    worker would (the same claim, render and mark); returns how many were due."""
    from notifications import notification_send
    from notifications.models import Notification

    def deliver() -> int:
        pending = (
            Notification.objects.filter(
                status=Notification.Status.PENDING, channel=Notification.Channel.EMAIL
            )
            .order_by("id")
            .values_list("id", flat=True)
        )
        ids = list(pending)
        for notification_id in ids:
            notification_send(notification_id=notification_id, retry_in=1)
        return len(ids)

    return deliver


@pytest.fixture
def complete_effects(db):
    """Complete every pending account effect now (a freeze's security ticket, a review
    ticket), in this process, the way the Celery task would; returns how many were done."""
    from accounts.effects import effect_complete
    from accounts.models import AccountEffect

    def complete() -> int:
        pending = AccountEffect.objects.filter(status=AccountEffect.Status.PENDING)
        ids = list(pending.order_by("id").values_list("id", flat=True))
        return sum(effect_complete(effect_id=effect_id) == "done" for effect_id in ids)

    return complete


# ---------------------------------------------------------------------------- mail


class MailSink:
    """An aiosmtpd handler that keeps what it accepts, or answers a canned refusal."""

    def __init__(self) -> None:
        self.received: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.refusals: list[str] = []  # SMTP answers to DATA, used up one per message
        self.arrived = threading.Event()

    async def handle_DATA(self, server, session, envelope) -> str:
        if self.refusals:
            return self.refusals.pop(0)
        self.received.append(message_from_bytes(envelope.original_content, policy=policy.default))
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.arrived.set()
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server(settings) -> Iterator[MailSink]:
    """A real SMTP server on a free port; Django's SMTP backend points at it."""
    sink = MailSink()
    port = _free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 10
    yield sink
    controller.stop()


# A skipped test is not a passing one: the run fails if anything was skipped for lack of
# a tool or a server (`make test` provides them all). BEACON_ALLOW_SKIPS=1 lets a developer
# run a part on purpose without them (the embedded SQLite, say), and says so.
def _skipped(config) -> list:
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    return reporter.stats.get("skipped", []) if reporter is not None else []


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    skipped = _skipped(config)
    if skipped and not os.environ.get("BEACON_ALLOW_SKIPS"):
        terminalreporter.write_line(
            f"FAILED: {len(skipped)} test(s) skipped; the whole suite must run "
            "(make test sets up what it needs; BEACON_ALLOW_SKIPS=1 to allow on purpose)",
            red=True,
            bold=True,
        )


def pytest_sessionfinish(session, exitstatus):
    if exitstatus == 0 and _skipped(session.config) and not os.environ.get("BEACON_ALLOW_SKIPS"):
        session.exitstatus = 1


# A thread that never ends (one waiting on an event loop that has stopped) keeps the
# process from exiting after the summary, and CI then waits out its whole time limit: it
# did once. Past this wait after the run, every thread's stack is printed and the run
# fails, so the hang names its cause.
EXIT_WAIT_SECONDS = 300


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config):
    faulthandler.dump_traceback_later(EXIT_WAIT_SECONDS, exit=True, file=sys.__stderr__)
