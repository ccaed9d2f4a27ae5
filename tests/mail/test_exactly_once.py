"""Exactly once: the same message delivered twice (same bytes, or the same Message-ID
with the same content) is stored once; two different messages are both stored, even
when they share a Message-ID (issue 17)."""

from __future__ import annotations

import hashlib
import threading

import pytest
from django.db import connection
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tests.mail.builders import customer_email
from tickets.mail.intake import email_ingest
from tickets.models import InboundEmail, Ticket


def ingest(raw: bytes, source: str = "imap"):
    return email_ingest(raw, source=source)


def test_a_reused_message_id_does_not_hide_a_different_message(alice):
    """A broken mailer (or someone who copied it) reuses a Message-ID: both are kept."""
    first = customer_email(sender=alice.email, message_id="<same@mail.example.test>")
    other = customer_email(
        sender="bob@example.test",
        subject="KYC rejected",
        body="My passport photo was refused twice.",
        message_id="<same@mail.example.test>",
    )
    a, b = ingest(first.as_bytes()), ingest(other.as_bytes())
    assert a.created and b.created
    assert InboundEmail.objects.count() == 2 and Ticket.objects.count() == 2
    assert b.inbound.ticket.subject == "KYC rejected"
    assert "passport photo" in b.inbound.ticket.messages.first().body


def test_the_same_message_by_two_ways_in_is_stored_once(alice):
    """IMAP and the webhook see one message with different Received lines."""
    message = customer_email(sender=alice.email)
    by_imap = b"Received: from mx1.beacon.test by imap; Mon, 1 Jan 2024 10:00:00 +0000\r\n"
    by_http = b"Received: from mx2.beacon.test by http; Mon, 1 Jan 2024 10:00:03 +0000\r\n"
    first = ingest(by_imap + message.as_bytes(), "imap")
    second = ingest(by_http + message.as_bytes(), "http")
    assert first.created and not second.created
    assert InboundEmail.objects.count() == 1 and Ticket.objects.count() == 1


def test_the_same_message_with_lf_line_ends_is_the_same_message(alice):
    """One path keeps CRLF, another stores the message with LF (a Maildir, a webhook)."""
    raw = customer_email(sender=alice.email).as_bytes().replace(b"\n", b"\r\n")
    assert ingest(raw).created
    assert not ingest(raw.replace(b"\r\n", b"\n")).created
    assert InboundEmail.objects.count() == 1


def test_same_message_id_same_words_but_another_attachment_is_another_message(alice):
    from email.message import EmailMessage

    def with_file(data: bytes) -> EmailMessage:
        message = customer_email(sender=alice.email, message_id="<files@mail.example.test>")
        message.add_attachment(data, maintype="application", subtype="pdf", filename="a.pdf")
        return message

    assert ingest(with_file(b"%PDF-1.4 one").as_bytes()).created
    assert ingest(with_file(b"%PDF-1.4 two").as_bytes()).created


def test_a_message_stored_under_the_old_message_id_key_is_still_found(alice):
    """Rows stored before content counted keep their Message-ID-only key: a second copy
    of that message finds them; a different message with that id is still stored."""
    message = customer_email(sender=alice.email, message_id="<old@mail.example.test>")
    stored = ingest(message.as_bytes()).inbound
    legacy = hashlib.sha256(b"id:old@mail.example.test").hexdigest()
    InboundEmail.objects.filter(pk=stored.pk).update(dedupe_key=legacy)

    again = ingest(message.as_bytes())
    assert not again.created and again.inbound.pk == stored.pk
    other = customer_email(
        sender=alice.email, subject="Another", message_id="<old@mail.example.test>"
    )
    assert ingest(other.as_bytes()).created
    assert InboundEmail.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_deliveries_at_once_store_one(seeded_types, private_media):
    """Both wait on the unique index, not on a read-then-write: one row, one ticket."""
    raw = customer_email(sender="erin@example.test", subject="Race").as_bytes()
    start = threading.Barrier(2)
    results, errors = [], []

    def deliver(source):
        try:
            start.wait()
            results.append(email_ingest(raw, source=source).created)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    workers = [threading.Thread(target=deliver, args=(s,)) for s in ("imap", "http")]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(30)
    assert not errors
    assert sorted(results) == [False, True]
    assert InboundEmail.objects.count() == 1 and Ticket.objects.count() == 1


_words = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=12)
_fields = st.tuples(
    st.sampled_from(["a@example.test", "b@example.test", "c@example.test"]),
    st.lists(_words, min_size=1, max_size=4).map(" ".join),
    st.lists(_words, min_size=1, max_size=12).map(" ".join),
)


@pytest.mark.django_db
@hypothesis_settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(one=_fields, two=_fields, share_id=st.booleans())
def test_property_different_messages_are_both_stored_same_bytes_once(
    private_media, seeded_types_in_db, one, two, share_id
):
    InboundEmail.objects.all().delete()
    message_ids = ("<p-1@example.test>", "<p-1@example.test>" if share_id else "<p-2@example.test>")
    raws = [
        customer_email(sender=s, subject=subject, body=body, message_id=mid).as_bytes()
        for (s, subject, body), mid in zip((one, two), message_ids, strict=True)
    ]
    for raw in raws + raws:  # each delivered twice
        ingest(raw)
    different = one != two or not share_id
    assert InboundEmail.objects.count() == (2 if different else 1)


@pytest.fixture
def seeded_types_in_db(db, settings):
    settings.BEACON_INBOUND_MAIL_PER_SENDER_PER_HOUR = 10_000
