"""Out and back in: the agent's answer leaves by real SMTP, threaded, with the customer's
anti-phishing code and the agent's files; the customer's mail client replies to it, and
the reply lands on the same ticket."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import User
from tests.mail.builders import customer_email, reply_to
from tests.tickets.conftest import PNG_BYTES
from tickets import services
from tickets.mail.intake import email_ingest
from tickets.models import Ticket, TicketMessage

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _scratch_media(private_media):
    pass


@pytest.fixture
def alice(alice) -> User:
    """Alice, with an anti-phishing code: every email to her must show it."""
    alice.anti_phishing_code = "BLUE-OTTER"
    alice.save(update_fields=["anti_phishing_code"])
    return alice


def test_agent_reply_goes_out_threaded_and_the_customers_answer_comes_back(
    alice, agent, smtp_server, deliver_outbox
):
    # given: Alice writes in, and receives the confirmation
    first = customer_email(
        sender=alice.email, subject="Deposit missing", body="Where is it?", authenticated=True
    )
    ticket = email_ingest(first.as_bytes(), source="imap").inbound.ticket
    deliver_outbox()
    (confirmation,) = smtp_server.received
    assert ticket.number in confirmation["Subject"]
    # when: an agent answers with a screenshot
    services.ticket_reply(
        actor=agent,
        ticket=ticket,
        body="Please check this screen.",
        files=[SimpleUploadedFile("how.png", PNG_BYTES, "image/png")],
    )
    deliver_outbox()
    # then: the answer arrives by SMTP, in the thread, from a person, with the code and file
    answer = smtp_server.received[-1]
    assert answer["To"] == alice.email
    assert answer["In-Reply-To"] == confirmation["In-Reply-To"]  # both name the thread
    assert answer["Message-ID"] != confirmation["Message-ID"]
    assert answer["Reply-To"].startswith("support+ticket-")
    assert answer["Auto-Submitted"] is None  # a person wrote it: out-of-office may answer
    assert confirmation["Auto-Submitted"] == "auto-generated"
    text = answer.get_body(("plain",)).get_content()
    html = answer.get_body(("html",)).get_content()
    assert "Please check this screen." in text and "Please check this screen." in html
    assert "BLUE-OTTER" in text and "BLUE-OTTER" in html
    (attached,) = list(answer.iter_attachments())
    assert attached.get_filename() == "how.png" and attached.get_content() == PNG_BYTES
    # when: Alice presses Reply in her mail client
    answer_back = reply_to(answer, sender=alice.email, body="Done, it shows 0.5 BTC.")
    intake = email_ingest(answer_back.as_bytes(), source="imap")
    # then: it is her message on the same ticket, without the quoted history
    ticket.refresh_from_db()
    assert intake.outcome == "reply" and intake.inbound.ticket == ticket
    last = ticket.messages.filter(visibility=TicketMessage.Visibility.PUBLIC).last()
    assert (last.author, last.body) == (alice, "Done, it shows 0.5 BTC.")
    assert ticket.status == Ticket.Status.OPEN
    assert Ticket.objects.count() == 1


def test_a_reply_to_the_confirmation_from_another_client_also_lands(
    alice, smtp_server, deliver_outbox
):
    # given: the confirmation of Alice's first email
    first = customer_email(sender=alice.email, subject="KYC stuck", body="Pending for days.")
    ticket = email_ingest(first.as_bytes(), source="http").inbound.ticket
    deliver_outbox()
    (confirmation,) = smtp_server.received
    # when: a client that keeps only References (not In-Reply-To) answers
    answer = reply_to(confirmation, sender=alice.email, body="Any update?")
    del answer["In-Reply-To"]
    email_ingest(answer.as_bytes(), source="http")
    # then
    assert ticket.messages.filter(body="Any update?").exists()
