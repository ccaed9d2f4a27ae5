"""A forged From: proves nothing (tickets.mail.sender, the rule in accounts.trust).

The attack (issue 13): an email with a verified customer's address in From:, piped
through `manage.py ingest_email`, became a ticket filed as that customer, and its
confirmation carried their anti-phishing code and the attacker's subject.
"""

from __future__ import annotations

import io
import sys

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client

from tickets import selectors, services
from tickets.mail import authresults
from tickets.mail.intake import email_ingest
from tickets.models import Ticket, TicketMessage, TicketType

from .builders import OUR_MX, customer_email, reply_to

pytestmark = pytest.mark.django_db

CODE = "BLUE-OTTER-42"
LURE = "URGENT Beacon Security: re-verify at http://beacon-secure.example"


@pytest.fixture
def coded_alice(alice):
    alice.anti_phishing_code = CODE
    alice.save(update_fields=["anti_phishing_code"])
    return alice


def _pipe(message) -> Ticket:
    """As an MTA delivers: the raw bytes on the command's standard input."""
    stdin = io.TextIOWrapper(io.BytesIO(message.as_bytes()))
    old, sys.stdin = sys.stdin, stdin
    try:
        call_command("ingest_email", stdout=io.StringIO())
    finally:
        sys.stdin = old
    return Ticket.objects.latest("id")


def test_a_forged_from_opens_no_request_on_the_customers_account(coded_alice, deliver_outbox):
    ticket = _pipe(customer_email(sender=coded_alice.email, subject=LURE, body=LURE))

    assert ticket.requester == coded_alice and not ticket.sender_proven
    assert "unverified-sender" in ticket.tags
    assert list(selectors.ticket_list_for_user(user=coded_alice)) == []
    deliver_outbox()
    (email,) = mail.outbox
    for part in (email.subject, email.body, email.alternatives[0][0]):
        assert CODE not in part and "beacon-secure.example" not in part and "URGENT" not in part
    assert "claims to be from you" in email.body


def test_our_servers_verdict_proves_the_sender(coded_alice, deliver_outbox):
    ticket = _pipe(customer_email(sender=coded_alice.email, subject="Deposit", authenticated=True))

    assert ticket.sender_proven and "unverified-sender" not in ticket.tags
    assert list(selectors.ticket_list_for_user(user=coded_alice)) == [ticket]
    deliver_outbox()
    (email,) = mail.outbox
    assert CODE in email.body and "Deposit" in email.body


@pytest.mark.parametrize(
    "header",
    [
        # someone else's server (or the sender) wrote it
        "mx.evil.example; dmarc=pass header.from=example.test",
        # ours, but it failed
        f"{OUR_MX}; dmarc=fail header.from=example.test; spf=fail smtp.mailfrom=example.test",
        # ours, passing for another domain
        f"{OUR_MX}; dkim=pass header.d=evil.example; spf=pass smtp.mailfrom=x@evil.example",
        # a bare top-level domain does not align
        f"{OUR_MX}; dkim=pass header.d=test",
    ],
)
def test_headers_that_do_not_vouch_for_the_from_domain_prove_nothing(alice, header):
    ticket = _pipe(customer_email(sender=alice.email, headers={"Authentication-Results": header}))
    assert not ticket.sender_proven


def test_only_the_topmost_header_counts():
    """The sender may add a passing header of our id below the one our server adds."""
    ours = f"{OUR_MX}; dmarc=fail header.from=example.test"
    forged = f"{OUR_MX}; dmarc=pass header.from=example.test"
    assert not authresults.from_domain_authenticated(
        [ours, forged], from_address="alice@example.test", trusted_ids=[OUR_MX]
    )
    assert authresults.from_domain_authenticated(
        [forged, ours], from_address="alice@example.test", trusted_ids=[OUR_MX]
    )
    # comments, quoted values and a version after the id are RFC 8601's syntax
    assert authresults.from_domain_authenticated(
        [f'{OUR_MX} 1; dkim=pass (good sig) header.d="mail.example.test" header.s=s1'],
        from_address="alice@example.test",
        trusted_ids=[OUR_MX],
    )


def test_with_no_trusted_server_configured_nothing_is_proven_by_headers(settings, alice):
    settings.BEACON_MAIL_AUTHSERV_IDS = []
    ticket = _pipe(customer_email(sender=alice.email, authenticated=True))
    assert not ticket.sender_proven


def test_a_forged_reply_on_the_customers_request_is_a_note_only_agents_see(alice):
    # given: Alice's own request (signed in, on the web)
    ticket = services.ticket_create(
        requester=alice,
        ticket_type=TicketType.objects.get(slug="other"),
        subject="Withdrawal stuck",
        body="Please help.",
        field_values={},
    )
    # when: an email that names her ticket in the subject but forges her address
    intake = email_ingest(
        customer_email(sender=alice.email, subject=f"Re: {ticket.number}", body=LURE).as_bytes(),
        source="http",
    )
    # then: agents see it as a note; her request shows nothing new
    assert intake.outcome == "note" and intake.inbound.ticket == ticket
    public = ticket.messages.filter(visibility=TicketMessage.Visibility.PUBLIC)
    assert not public.filter(body__contains="beacon-secure").exists()
    note = ticket.messages.get(visibility=TicketMessage.Visibility.INTERNAL, body__contains=LURE)
    assert "not proven" in note.body
    client = Client()
    client.force_login(alice)
    assert "beacon-secure" not in client.get(f"/requests/{ticket.number}/").content.decode()


def test_a_reply_in_the_requests_signed_thread_is_proven(alice, smtp_server, deliver_outbox):
    # given: Alice's authenticated email, and Beacon's confirmation
    first = customer_email(sender=alice.email, subject="KYC", authenticated=True)
    ticket = email_ingest(first.as_bytes(), source="http").inbound.ticket
    deliver_outbox()
    (confirmation,) = smtp_server.received
    # when: she replies from her mail client, which our server did not authenticate
    answer = reply_to(confirmation, sender=alice.email, body="Any update?")
    intake = email_ingest(answer.as_bytes(), source="http")
    # then: the thread's signature only went to her address: it is her reply
    assert intake.outcome == "reply" and intake.inbound.sender_verified
    last = ticket.messages.filter(visibility=TicketMessage.Visibility.PUBLIC).last()
    assert (last.author, last.body) == (alice, "Any update?")


def test_a_decompression_bomb_in_an_email_stays_in_the_raw_and_the_rest_is_kept(alice):
    """One hostile picture must not turn the whole message into an unreadable one."""
    from tests.images import png_bomb

    message = customer_email(sender=alice.email, body="See the picture.", authenticated=True)
    message.add_attachment(png_bomb(), maintype="image", subtype="png", filename="bomb.png")

    intake = email_ingest(message.as_bytes(), source="http")

    assert intake.outcome == "ticket"
    first = intake.inbound.ticket.messages.first()
    assert first.body == "See the picture." and not first.attachments.exists()
    assert "bomb.png" in intake.inbound.detail
