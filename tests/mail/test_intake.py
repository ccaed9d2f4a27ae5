"""The intake pipeline: what an email becomes, once, whoever sent it."""

from __future__ import annotations

from email.message import EmailMessage

import pytest
from allauth.account.models import EmailAddress
from django.utils import timezone

from notifications import threads
from notifications.models import BouncingAddress, Notification
from tests.mail.builders import customer_email
from tests.tickets.conftest import PNG_BYTES
from tickets import selectors, services
from tickets.mail.intake import email_ingest
from tickets.models import InboundEmail, Ticket, TicketMessage, TicketType

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _scratch_media(private_media):
    pass


def ingest(message: EmailMessage | bytes):
    raw = message if isinstance(message, bytes) else message.as_bytes()
    return email_ingest(raw, source="pipe")


def public_bodies(ticket: Ticket) -> list[str]:
    return list(
        ticket.messages.filter(visibility=TicketMessage.Visibility.PUBLIC).values_list(
            "body", flat=True
        )
    )


def notification_thread_id(ticket: Ticket) -> str:
    """The Message-ID of the latest email Beacon wrote to the requester about `ticket`."""
    row = Notification.objects.filter(context__ticket_id=ticket.id).latest("id")
    return threads.message_id(row.id, f"ticket-{ticket.id}")


# ---------------------------------------------------------------------------- new tickets


def test_authenticated_email_from_a_verified_customer_opens_a_ticket_for_her(alice):
    # when: our receiving server vouches for her domain (DMARC pass)
    intake = ingest(customer_email(sender="Alice <Alice@Example.test>", authenticated=True))
    # then
    ticket = intake.inbound.ticket
    assert intake.created and intake.outcome == "ticket"
    assert (ticket.requester, ticket.channel, ticket.subject) == (
        alice,
        "email",
        "Withdrawal not arrived",
    )
    assert public_bodies(ticket) == ["I withdrew 50 USDT yesterday and it has not arrived."]
    assert "unverified-sender" not in ticket.tags
    assert intake.inbound.sender_verified and intake.inbound.sender == "alice@example.test"
    # and she can see it among her requests, and is told it arrived
    assert list(selectors.ticket_list_for_user(user=alice)) == [ticket]
    assert Notification.objects.filter(kind="ticket.received", recipient=alice).exists()


def test_email_from_an_unknown_address_is_marked_unverified(db):
    # when
    intake = ingest(customer_email(sender="stranger@example.test", subject="Unfreeze me"))
    # then: a ticket for the address's own (new, password-less) account, flagged for agents
    ticket = intake.inbound.ticket
    assert ticket.requester.email == "stranger@example.test"
    assert not ticket.requester.has_usable_password()
    assert "unverified-sender" in ticket.tags
    note = ticket.messages.get(visibility=TicketMessage.Visibility.INTERNAL)
    assert "do nothing security-related" in note.body
    assert not intake.inbound.sender_verified


def test_an_existing_account_with_an_unverified_address_is_still_marked(user_factory):
    # given: an account whose address was never verified
    bob = user_factory(email="bob@example.test")
    # when
    ticket = ingest(customer_email(sender="bob@example.test")).inbound.ticket
    # then
    assert ticket.requester == bob and "unverified-sender" in ticket.tags


def test_chinese_email_opens_a_chinese_ticket(alice):
    intake = ingest(
        customer_email(sender=alice.email, subject="提币未到账", body="我昨天提币，还没有到账。")
    )
    ticket = intake.inbound.ticket
    assert (ticket.subject, ticket.language) == ("提币未到账", "zh-hans")
    assert public_bodies(ticket) == ["我昨天提币，还没有到账。"]


def test_html_only_email_becomes_readable_text_and_sanitised_html(alice):
    # given: an HTML-only message with a script and an inline handler
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = alice.email, "support@beacon.test", "Hi"
    message["Message-ID"] = "<html-only@example.test>"
    message.set_content(
        "<html><body><p>My <b>deposit</b> is missing.</p><script>alert(1)</script>"
        '<p onclick="steal()">Thanks</p></body></html>',
        subtype="html",
    )
    # when
    intake = ingest(message)
    # then
    (body,) = public_bodies(intake.inbound.ticket)
    assert "My deposit is missing." in body and "Thanks" in body and "<" not in body
    assert "<b>deposit</b>" in intake.inbound.html
    assert "script" not in intake.inbound.html and "onclick" not in intake.inbound.html


def test_images_are_attached_and_other_files_stay_in_the_raw(alice):
    # given: a screenshot and a Word file
    message = customer_email(sender=alice.email)
    message.add_attachment(PNG_BYTES, maintype="image", subtype="png", filename="screen.png")
    message.add_attachment(
        b"PK\x03\x04 not really a document",
        maintype="application",
        subtype="vnd.openxmlformats-officedocument.wordprocessingml.document",
        filename="statement.docx",
    )
    # when
    intake = ingest(message)
    # then
    first = intake.inbound.ticket.messages.first()
    assert [a.original_name for a in first.attachments.all()] == ["screen.png"]
    assert "statement.docx" in intake.inbound.detail
    assert b"statement.docx" in intake.inbound.raw


def test_inline_image_links_point_at_the_saved_attachment(alice):
    # given: HTML with an image referenced by cid:
    message = customer_email(
        sender=alice.email, html='<p>See:</p><img src="cid:shot1@example.test" alt="shot">'
    )
    html_part = message.get_body(("html",))
    html_part.add_related(PNG_BYTES, maintype="image", subtype="png", cid="<shot1@example.test>")
    # when
    intake = ingest(message)
    # then
    (attachment,) = intake.inbound.ticket.messages.first().attachments.all()
    assert f"/attachments/{attachment.id}/" in intake.inbound.html
    assert "cid:" not in intake.inbound.html


def test_attachment_only_email_still_has_a_message(alice):
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = alice.email, "support@beacon.test", "Pic"
    message["Message-ID"] = "<only-a-picture@example.test>"
    message.add_attachment(PNG_BYTES, maintype="image", subtype="png", filename="pic.png")
    intake = ingest(message)
    (body,) = public_bodies(intake.inbound.ticket)
    assert body == "(no text; see the attachments)"


def test_a_very_long_email_is_cut_on_the_ticket_and_kept_whole(alice):
    text = "xyzzy-plugh " * 3400  # about 40,000 characters (no BIP39 words: the guard)
    intake = ingest(customer_email(sender=alice.email, body=text))
    (body,) = public_bodies(intake.inbound.ticket)
    assert len(body) <= services.MAX_BODY and "whole email is kept" in body
    assert intake.inbound.text.strip() == text.strip()


# ---------------------------------------------------------------------------- exactly once


def test_the_same_message_twice_leaves_one_copy(alice):
    message = customer_email(sender=alice.email)
    first, second = ingest(message), ingest(message)
    assert first.created and not second.created
    assert second.inbound.pk == first.inbound.pk
    assert InboundEmail.objects.count() == 1 and Ticket.objects.count() == 1


def test_without_a_message_id_the_bytes_decide(alice):
    message = customer_email(sender=alice.email)
    del message["Message-ID"]
    ingest(message), ingest(message)
    message.replace_header("Subject", "Another question")
    ingest(message)
    assert InboundEmail.objects.count() == 2 and Ticket.objects.count() == 2


@pytest.mark.parametrize("raw", [b"", b"   \r\n\r\n  "])
def test_empty_input_is_refused_and_nothing_is_written(db, raw):
    from core.exceptions import ApplicationError

    with pytest.raises(ApplicationError) as refused:
        email_ingest(raw, source="pipe")
    assert refused.value.code == "empty"
    assert not InboundEmail.objects.exists()


def test_an_oversized_message_is_refused(db, settings):
    from core.exceptions import ApplicationError

    settings.BEACON_INBOUND_MAIL_MAX_BYTES = 1000
    with pytest.raises(ApplicationError) as refused:
        email_ingest(b"Subject: x\r\n\r\n" + b"a" * 2000, source="pipe")
    assert refused.value.code == "too_large" and not InboundEmail.objects.exists()


def test_the_raw_message_is_kept_compressed(alice):
    message = customer_email(sender=alice.email, body="word " * 2000)
    raw = message.as_bytes()
    inbound = ingest(message).inbound
    inbound.refresh_from_db()
    assert inbound.raw == raw and inbound.raw_size == len(raw)
    assert len(bytes(inbound.raw_compressed)) < len(raw) / 5


# ---------------------------------------------------------------------------- threading


@pytest.fixture
def alices_ticket(alice, agent) -> Ticket:
    """Alice's emailed request, answered by an agent (so it waits on her)."""
    ticket = ingest(customer_email(sender=alice.email)).inbound.ticket
    services.ticket_reply(actor=agent, ticket=ticket, body="Which network did you use?")
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.PENDING
    return ticket


def test_a_reply_by_references_joins_its_ticket_without_the_quote(alice, alices_ticket):
    # given: her mail client's reply to our email, quoting it
    body = (
        "TRC20, sorry.\n\nOn Mon, 30 Nov 2026 at 10:00, Beacon Support wrote:\n"
        "> Which network did you use?\n"
    )
    reply = customer_email(
        sender=alice.email,
        subject=f"Re: [Beacon] New reply to your request {alices_ticket.number}",
        body=body,
        in_reply_to=notification_thread_id(alices_ticket),
        references=notification_thread_id(alices_ticket),
    )
    # when
    intake = ingest(reply)
    # then: the new text only, the whole text on the record, and the ticket is open again
    alices_ticket.refresh_from_db()
    assert intake.outcome == "reply" and intake.inbound.ticket == alices_ticket
    assert public_bodies(alices_ticket)[-1] == "TRC20, sorry."
    assert "Which network did you use?" in intake.inbound.text
    assert alices_ticket.status == Ticket.Status.OPEN
    assert Ticket.objects.count() == 1


def test_a_reply_sent_to_the_reply_address_joins_its_ticket(alice, alices_ticket):
    reply = customer_email(
        sender=alice.email,
        to=threads.reply_address(f"ticket-{alices_ticket.id}"),
        subject="my answer",
        body="TRC20.",
    )
    assert ingest(reply).inbound.ticket == alices_ticket
    assert public_bodies(alices_ticket)[-1] == "TRC20."


def test_the_ticket_number_in_the_subject_counts_only_for_its_requester(
    alice, alices_ticket, user_factory
):
    # given: two mails naming her ticket's number, with no references
    own = customer_email(sender=alice.email, subject=f"About {alices_ticket.number}", body="Me")
    mallory = user_factory(email="mallory@example.test")
    EmailAddress.objects.create(user=mallory, email=mallory.email, verified=True, primary=True)
    other = customer_email(
        sender=mallory.email, subject=f"About {alices_ticket.number}", body="Not me"
    )
    # when
    mine, theirs = ingest(own), ingest(other)
    # then
    assert mine.inbound.ticket == alices_ticket
    assert theirs.outcome == "ticket" and theirs.inbound.ticket != alices_ticket
    assert "Not me" not in " ".join(public_bodies(alices_ticket))


def test_a_forged_reference_opens_a_new_ticket(alice, alices_ticket):
    # given: an id in Beacon's form without the right signature
    forged = f"<ticket-{alices_ticket.id}.n1.0123456789abcdef@beacon.test>"
    intake = ingest(customer_email(sender=alice.email, in_reply_to=forged, references=forged))
    assert intake.outcome == "ticket" and intake.inbound.ticket != alices_ticket


def test_a_reply_from_someone_else_is_an_internal_note(alice, alices_ticket, user_factory):
    # given: someone else answers with the real references (e.g. a forwarded email)
    reply = customer_email(
        sender="eve@example.test",
        subject="Re: your request",
        body="Please send your seed phrase to verify.",
        in_reply_to=notification_thread_id(alices_ticket),
    )
    # when
    intake = ingest(reply)
    # then: agents see it; Alice does not; the ticket is tagged
    alices_ticket.refresh_from_db()
    assert intake.outcome == "note"
    assert intake.inbound.ticket_message.visibility == TicketMessage.Visibility.INTERNAL
    assert "eve@example.test" in intake.inbound.ticket_message.body
    seen_by_alice = selectors.ticket_messages_for_user(user=alice, ticket=alices_ticket)
    assert all("seed phrase" not in m.body for m in seen_by_alice)
    assert "other-sender" in alices_ticket.tags


def test_a_reply_to_a_closed_ticket_opens_a_follow_up(alice, alices_ticket, agent):
    services.ticket_change_status(actor=agent, ticket=alices_ticket, status=Ticket.Status.SOLVED)
    services.ticket_change_status(actor=agent, ticket=alices_ticket, status=Ticket.Status.CLOSED)
    reply = customer_email(
        sender=alice.email,
        body="It happened again.",
        in_reply_to=notification_thread_id(alices_ticket),
    )
    intake = ingest(reply)
    follow_up = intake.inbound.ticket
    assert intake.outcome == "follow_up" and follow_up != alices_ticket
    assert follow_up.requester == alice
    assert alices_ticket.number in public_bodies(follow_up)[0]
    assert "It happened again." in public_bodies(follow_up)[0]


def test_a_reply_to_a_merged_ticket_goes_to_the_one_it_was_merged_into(alice, alices_ticket, agent):
    target = ingest(customer_email(sender=alice.email, subject="Same thing")).inbound.ticket
    services.ticket_merge(actor=agent, source=alices_ticket, target=target)
    reply = customer_email(
        sender=alice.email, body="Any news?", in_reply_to=notification_thread_id(alices_ticket)
    )
    assert ingest(reply).inbound.ticket == target


# ---------------------------------------------------------------------------- machines


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto-Submitted": "auto-replied"},
        {"X-Autoreply": "yes"},
        {"Precedence": "auto_reply"},
    ],
)
def test_an_automatic_reply_opens_nothing_and_gets_no_answer(alice, headers):
    message = customer_email(sender=alice.email, subject="Out of office", headers=headers)
    intake = ingest(message)
    assert intake.outcome == "auto_reply"
    assert not Ticket.objects.exists() and not Notification.objects.exists()


def test_an_out_of_office_answering_our_email_is_a_note_for_the_agent(alice, alices_ticket):
    emails_before = Notification.objects.count()
    message = customer_email(
        sender=alice.email,
        subject="Automatic reply: your request",
        body="I am away until Monday.",
        in_reply_to=notification_thread_id(alices_ticket),
        headers={"Auto-Submitted": "auto-replied"},
    )
    intake = ingest(message)
    assert intake.outcome == "auto_reply" and intake.inbound.ticket == alices_ticket
    assert intake.inbound.ticket_message.visibility == TicketMessage.Visibility.INTERNAL
    assert Notification.objects.count() == emails_before  # nobody was written to


@pytest.mark.parametrize("headers", [{"Precedence": "bulk"}, {"List-Id": "<news.example.test>"}])
def test_bulk_and_list_mail_opens_nothing(alice, headers):
    intake = ingest(customer_email(sender=alice.email, subject="Newsletter", headers=headers))
    assert intake.outcome == "bulk" and not Ticket.objects.exists()


def bounce_for(address: str, *, status: str = "5.1.1", original_id: str = "") -> bytes:
    """A delivery-status report as Postfix writes it."""
    returned = f"Message-ID: {original_id}\r\n" if original_id else ""
    return (
        "From: MAILER-DAEMON@mx.example.test (Mail Delivery System)\r\n"
        "To: support@beacon.test\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "Message-ID: <bounce-" + address + status + "@mx.example.test>\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n'
        "\r\n--B\r\nContent-Type: text/plain\r\n\r\nI'm sorry to have to inform you...\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example.test\r\n\r\n"
        f"Final-Recipient: rfc822; {address}\r\nAction: failed\r\nStatus: {status}\r\n"
        f"Diagnostic-Code: smtp; 550 {status} User unknown\r\n"
        "\r\n--B\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"From: support@beacon.test\r\nTo: {address}\r\n{returned}"
        "\r\n--B--\r\n"
    ).encode()


def test_a_bounce_marks_the_address_and_the_outbox_stops_writing_to_it(alice, alices_ticket, agent):
    # when: our email to Alice bounces for good
    intake = ingest(bounce_for(alice.email, original_id=notification_thread_id(alices_ticket)))
    # then
    assert intake.outcome == "bounce"
    assert BouncingAddress.objects.get(email=alice.email).reason.startswith("5.1.1")
    assert intake.inbound.ticket == alices_ticket  # the agent sees why she went quiet
    assert not Ticket.objects.exclude(id=alices_ticket.id).exists()
    # and the next email to her is skipped, not sent into the void
    from notifications import notification_send

    services.ticket_reply(actor=agent, ticket=alices_ticket, body="Any news?")
    row = Notification.objects.filter(kind="ticket.agent_replied").latest("id")
    notification_send(notification_id=row.id, retry_in=1)
    row.refresh_from_db()
    assert row.status == "skipped" and "bounces" in row.last_error


def test_a_temporary_failure_does_not_mark_the_address(alice):
    ingest(bounce_for(alice.email, status="4.2.2"))
    assert not BouncingAddress.objects.exists()


def test_mail_from_a_bouncing_address_clears_the_mark(alice):
    ingest(bounce_for(alice.email))
    ingest(customer_email(sender=alice.email))
    assert not BouncingAddress.objects.exists()


def test_beacons_own_email_coming_back_is_a_loop(alice, alices_ticket):
    looped = customer_email(
        sender="support@beacon.test", message_id=notification_thread_id(alices_ticket)
    )
    intake = ingest(looped)
    assert intake.outcome == "loop" and Ticket.objects.count() == 1


def test_a_sender_over_the_hourly_limit_opens_nothing_more(alice, settings):
    settings.BEACON_INBOUND_MAIL_PER_SENDER_PER_HOUR = 3
    outcomes = [
        ingest(customer_email(sender=alice.email, subject=f"Question {n}")).outcome
        for n in range(5)
    ]
    assert outcomes == ["ticket", "ticket", "ticket", "rate_limited", "rate_limited"]
    assert Ticket.objects.count() == 3 and InboundEmail.objects.count() == 5


def test_the_email_ticket_type_exists_and_takes_no_fields(db):
    # The pipeline files mail under the seeded "other" type; it must accept no fields.
    other = TicketType.objects.get(slug="other")
    assert other.is_active and not [f for f in other.fields if f.get("required")]


def test_an_old_message_is_still_threaded_by_its_date_independent_ids(alice, alices_ticket):
    # Message-IDs do not expire: a reply weeks later still finds the ticket.
    Ticket.objects.filter(id=alices_ticket.id).update(
        created_at=timezone.now() - timezone.timedelta(days=60)
    )
    reply = customer_email(
        sender=alice.email, body="Still waiting.", in_reply_to=notification_thread_id(alices_ticket)
    )
    assert ingest(reply).inbound.ticket == alices_ticket


def test_bytes_that_are_no_email_are_kept_raw_on_a_ticket_for_an_agent(db):
    # given: what a broken mail server might hand over: a picture, not a message
    raw = PNG_BYTES * 3
    # when
    intake = ingest(raw)
    # then: nothing dropped, an agent is asked to look, nobody is emailed
    ticket = intake.inbound.ticket
    assert intake.outcome == "unparseable"
    assert "unreadable-email" in ticket.tags and ticket.channel == "email"
    assert intake.inbound.raw == raw
    assert not Notification.objects.filter(kind="ticket.received").exists()
    # and the same bytes again are the same record
    assert not ingest(raw).created and Ticket.objects.count() == 1
