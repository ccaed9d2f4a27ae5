"""The webhook and the MTA pipe: the same pipeline, with their own refusals; and a crash
half-way through ingesting leaves nothing, so the retry leaves exactly one copy."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from tests.mail.builders import customer_email
from tests.servers import current_database_url
from tickets.mail.webhook import SIGNATURE_HEADER, signature_for
from tickets.models import InboundEmail, Ticket, TicketDaySequence

ROOT = Path(__file__).resolve().parents[2]
SECRET = "test-inbound-secret"
URL = "/api/v1/mail/inbound"


@pytest.fixture
def webhook_on(settings):
    settings.BEACON_INBOUND_MAIL_SECRET = SECRET


def post(client, body: bytes, signature: str | None = None):
    headers = {
        SIGNATURE_HEADER: signature if signature is not None else signature_for(body, SECRET)
    }
    return client.post(URL, data=body, content_type="message/rfc822", headers=headers)


# ---------------------------------------------------------------------------- webhook


@pytest.mark.django_db
def test_webhook_with_the_right_signature_opens_a_ticket_once(client, webhook_on):
    raw = customer_email(sender="carol@example.test").as_bytes()
    created, again = post(client, raw), post(client, raw)
    assert created.status_code == 201
    assert created.json()["outcome"] == "ticket" and created.json()["duplicate"] is False
    ticket = Ticket.objects.get()
    assert created.json()["ticket"] == ticket.number
    assert again.status_code == 200 and again.json()["duplicate"] is True
    assert InboundEmail.objects.get().source == "http"


@pytest.mark.django_db
@pytest.mark.parametrize("signature", ["", "sha256=00", "sha256=" + "a" * 64])
def test_webhook_with_a_wrong_signature_is_refused(client, webhook_on, signature):
    response = post(client, customer_email(sender="carol@example.test").as_bytes(), signature)
    assert response.status_code == 403 and not InboundEmail.objects.exists()


@pytest.mark.django_db
def test_webhook_signed_for_other_bytes_is_refused(client, webhook_on):
    signed = signature_for(b"something else", SECRET)
    response = post(client, customer_email(sender="carol@example.test").as_bytes(), signed)
    assert response.status_code == 403 and not InboundEmail.objects.exists()


@pytest.mark.django_db
def test_webhook_is_off_without_a_secret(client, settings):
    settings.BEACON_INBOUND_MAIL_SECRET = ""
    raw = customer_email(sender="carol@example.test").as_bytes()
    assert post(client, raw, signature_for(raw, "")).status_code == 404
    assert not InboundEmail.objects.exists()


@pytest.mark.django_db
def test_webhook_refuses_an_empty_body_with_a_clear_error(client, webhook_on):
    response = post(client, b"")
    assert response.status_code == 400 and response.json()["code"] == "empty"


@pytest.mark.django_db
def test_webhook_refuses_an_oversized_body(client, webhook_on, settings):
    settings.BEACON_INBOUND_MAIL_MAX_BYTES = 500
    response = post(client, customer_email(sender="c@example.test", body="x" * 2000).as_bytes())
    assert response.status_code == 413 and not InboundEmail.objects.exists()


@pytest.mark.django_db
def test_webhook_takes_garbage_without_a_500(client, webhook_on):
    response = post(client, bytes(range(256)) * 4)
    assert response.status_code in {200, 201}
    assert InboundEmail.objects.count() == 1


# ---------------------------------------------------------------------------- the pipe


def run_ingest(raw: bytes, **popen) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": current_database_url(),
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
    }
    process = subprocess.Popen(
        [sys.executable, "manage.py", "ingest_email"],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        **popen,
    )
    process.stdin.write(raw)
    process.stdin.close()
    return process


@pytest.mark.django_db(transaction=True)
def test_pipe_stores_a_message_and_exits_0_then_says_already_stored(seeded_types):
    raw = customer_email(sender="dave@example.test", subject="Pipe").as_bytes()
    first = run_ingest(raw)
    assert first.wait(timeout=60) == 0
    assert b"stored" in first.stdout.read() and Ticket.objects.get().subject == "Pipe"
    second = run_ingest(raw)
    assert second.wait(timeout=60) == 0 and b"already stored" in second.stdout.read()
    assert Ticket.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_pipe_exits_65_on_empty_input_so_the_mta_bounces_it():
    process = run_ingest(b"")
    assert process.wait(timeout=60) == 65
    assert b"empty" in process.stderr.read() and not InboundEmail.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_crash_half_way_leaves_nothing_and_the_retry_one_copy(seeded_types):
    """A real crash: the ingesting process is killed while its transaction waits on a row
    lock (numbering the new ticket). PostgreSQL rolls everything back; the retry stores
    the message once."""
    raw = customer_email(sender="erin@example.test", subject="Crash").as_bytes()
    TicketDaySequence.objects.get_or_create(day=time.strftime("%Y-%m-%d", time.gmtime()))
    blocker = psycopg.connect(current_database_url())
    try:
        with blocker.cursor() as cursor:
            cursor.execute("SELECT 1 FROM tickets_ticketdaysequence FOR UPDATE")
        # when: the pipe starts, gets as far as the lock, and dies
        process = run_ingest(raw, start_new_session=True)
        _wait_until_blocked_on_a_lock()
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        blocker.rollback()
        blocker.close()
    # then: nothing of it was kept
    assert not InboundEmail.objects.exists() and not Ticket.objects.exists()
    # when: the MTA delivers it again
    assert run_ingest(raw).wait(timeout=60) == 0
    # then: one copy
    assert InboundEmail.objects.count() == 1 and Ticket.objects.count() == 1


def _wait_until_blocked_on_a_lock(limit: float = 60) -> None:
    """Until another session of this database waits on a lock (bounded; not a speed test)."""
    deadline = time.monotonic() + limit
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.1)
    raise AssertionError("the ingesting process never reached the lock")


@pytest.mark.django_db
@pytest.mark.parametrize("length", ["abc", "-5", "1e3"])
def test_webhook_answers_a_content_length_that_is_not_a_number_with_a_400(
    client, webhook_on, length
):
    body = customer_email(sender="c@example.test").as_bytes()
    response = client.post(
        URL,
        data=body,
        content_type="message/rfc822",
        headers={SIGNATURE_HEADER: signature_for(body, SECRET)},
        CONTENT_LENGTH=length,
    )
    assert response.status_code == 400 and not InboundEmail.objects.exists()
