"""Real-world shapes of mail that Beacon lost or garbled (issue 17), each as a minimal
message, asserting what the agent sees: sender, subject, body, attachments, and that
nothing was dropped. The fixtures are written here; the shared corpus stays as it is."""

from __future__ import annotations

import base64

import pytest

from accounts.models import User
from notifications.models import Notification
from tests.mail.builders import SUPPORT, customer_email
from tickets.mail.intake import UNKNOWN_SENDER, email_ingest
from tickets.mail.parsing import parse_message
from tickets.models import InboundEmail, Ticket, TicketMessage

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _scratch_media(private_media):
    pass


def ingest(raw: bytes):
    return email_ingest(raw, source="pipe")


def lines(*parts: str | bytes) -> bytes:
    return b"\r\n".join(p if isinstance(p, bytes) else p.encode("utf-8") for p in parts)


def first_body(ticket: Ticket) -> str:
    return ticket.messages.filter(visibility=TicketMessage.Visibility.PUBLIC).first().body


# ---------------------------------------------------------------- several text parts


def test_every_inline_text_and_html_part_of_a_mixed_message_is_the_body_in_order(db):
    """Outlook-for-Mac shape: the request in an HTML part, the signature in a text part
    after it. The ticket showed only the signature."""
    raw = lines(
        "From: Dana <dana@example.test>",
        f"To: {SUPPORT}",
        "Subject: Deposit missing",
        "Message-ID: <mixed-1@example.test>",
        "MIME-Version: 1.0",
        'Content-Type: multipart/mixed; boundary="m"',
        "",
        "--m",
        "Content-Type: text/html; charset=utf-8",
        "",
        "<p>My BTC deposit from Tuesday has 6 confirmations but is not credited.</p>",
        "--m",
        "Content-Type: text/plain; charset=utf-8",
        "",
        "-- ",
        "Dana, sent from my phone",
        "--m--",
        "",
    )
    intake = ingest(raw)
    body = first_body(intake.inbound.ticket)
    assert body.index("6 confirmations") < body.index("sent from my phone")


def test_an_alternative_still_gives_its_text_once(db):
    message = customer_email(
        sender="erin@example.test", body="Plain words.", html="<p>Plain words.</p>"
    )
    assert parse_message(message.as_bytes()).text == "Plain words."


# ---------------------------------------------------------------- header folding


def test_a_header_folded_without_the_leading_space_continues_the_header_before():
    raw = lines(
        "Return-Path: <bounces-123@mailer.example.test>",
        "From: Frank <frank@example.test>",
        "Subject: Account frozen after password change, please help me",
        "unlock it",
        "Thread-Topic: Account frozen",
        f"To: {SUPPORT}",
        "",
        "I changed my password and now the account is frozen.",
    )
    mail = parse_message(raw)
    assert mail.sender.address == "frank@example.test"
    assert mail.subject == "Account frozen after password change, please help me unlock it"
    assert mail.text == "I changed my password and now the account is frozen."


def test_body_without_a_blank_line_that_has_a_colon_line_further_down_stays_the_body():
    raw = (
        b"From: g@example.test\r\nSubject: Hi\r\nHello team,\r\nNote: urgent\r\n"
        b"my withdrawal failed.\r\n\r\nThanks\r\n"
    )
    mail = parse_message(raw)
    assert mail.subject == "Hi"
    assert mail.text.startswith("Hello team,\nNote: urgent")


def test_a_line_followed_by_text_not_headers_still_starts_the_body():
    raw = b"From: g@example.test\r\nSubject: Hi\r\nHello there,\r\nmy order failed.\r\n"
    mail = parse_message(raw)
    assert mail.subject == "Hi" and mail.text.startswith("Hello there,")


# ---------------------------------------------------------------- raw 8-bit headers


def test_a_raw_shift_jis_subject_is_read_by_the_charset_the_body_declares():
    """Short Shift_JIS text also decodes as GBK; the message says which it is."""
    raw = lines(
        "From: a@example.jp",
        b"Subject: " + "\u30c6\u30b9\u30c8".encode("shift_jis"),  # テスト
        "MIME-Version: 1.0",
        "Content-Type: multipart/mixed; boundary=b",
        "",
        "--b",
        "Content-Type: text/plain; charset=Shift_JIS",
        "",
        "\u672c\u6587".encode("shift_jis"),
        "--b--",
        "",
    )
    assert parse_message(raw).subject == "\u30c6\u30b9\u30c8"


@pytest.mark.parametrize("subject", ["\u30c6\u30b9\u30c8", "\u3054\u6ce8\u6587"])  # テスト, ご注文
def test_a_raw_shift_jis_subject_with_no_charset_anywhere_is_guessed_from_all_headers(subject):
    """Nothing declares a charset: the guess is made from every 8-bit header together
    (the sender's name gives it enough to go on), not from the short subject alone."""
    raw = lines(
        b"From: " + "\u5c71\u7530\u592a\u90ce".encode("shift_jis") + b" <a@example.jp>",
        b"Subject: " + subject.encode("shift_jis"),
        "",
        "\u304a\u4e16\u8a71\u306b\u306a\u3063\u3066\u304a\u308a\u307e\u3059\u3002".encode(
            "shift_jis"
        ),
    )
    mail = parse_message(raw)
    assert mail.subject == subject
    assert mail.sender.name == "\u5c71\u7530\u592a\u90ce"


# ---------------------------------------------------------------- addresses


def test_an_address_with_spaces_is_unknown_not_squeezed_into_someone_elses(db):
    raw = lines(
        "From: <power quadrant system@example.test>",
        f"To: {SUPPORT}",
        "Subject: Quote",
        "Message-ID: <spaces-1@example.test>",
        "",
        "Please send the quote.",
    )
    intake = ingest(raw)
    assert intake.inbound.sender == ""
    assert intake.inbound.ticket.requester.email == UNKNOWN_SENDER
    assert not User.objects.filter(email="powerquadrantsystem@example.test").exists()
    assert "Please send the quote." in first_body(intake.inbound.ticket)


def test_folding_inside_an_address_is_still_read():
    mail = parse_message(b"From: Ann <ann.\r\n lee@example.test>\r\nSubject: x\r\n\r\nbody\r\n")
    assert mail.sender.address == "ann.lee@example.test"


def test_without_from_the_reply_to_reaches_the_person_not_the_bounce_address():
    raw = lines(
        "Return-Path: <bounce-77@bulk.example.test>",
        "Sender: mailer@bulk.example.test",
        "Reply-To: Hana <hana@example.test>",
        "Subject: Card payment refused",
        "",
        "My card was refused.",
    )
    mail = parse_message(raw)
    assert mail.sender.address == "hana@example.test"
    assert any("Reply-To" in defect for defect in mail.defects)


def test_without_from_or_reply_to_the_sender_header_comes_before_return_path():
    raw = lines("Return-Path: <b@bulk.example.test>", "Sender: s@example.test", "", "x")
    assert parse_message(raw).sender.address == "s@example.test"


# ---------------------------------------------------------------- machines


def test_a_systems_first_message_to_support_is_a_request_and_gets_no_answer(db):
    """A ServiceNow incident: Auto-Submitted and Precedence bulk, but nobody's reply."""
    message = customer_email(
        sender="instance@service-now.example.test",
        subject="Incident INC0012345 assigned to Exchange Support",
        body="Incident INC0012345: API withdrawals return 502 for customer 88121.",
        headers={"Auto-Submitted": "auto-generated", "Precedence": "bulk"},
    )
    intake = ingest(message.as_bytes())
    assert intake.outcome == "ticket"
    ticket = intake.inbound.ticket
    assert ticket.subject == "Incident INC0012345 assigned to Exchange Support"
    assert "API withdrawals return 502" in first_body(ticket)
    assert not Notification.objects.filter(kind="ticket.received").exists()


def test_an_auto_generated_newsletter_is_still_bulk(db):
    message = customer_email(
        sender="news@exchange-news.example.test",
        subject="This week in crypto",
        headers={"Auto-Submitted": "auto-generated", "List-Id": "<weekly.example.test>"},
    )
    intake = ingest(message.as_bytes())
    assert intake.outcome == "bulk" and not Ticket.objects.exists()


@pytest.mark.parametrize(
    "headers,subject",
    [
        ({"Auto-Submitted": "auto-generated"}, "Out of Office: your request"),
        ({"Auto-Submitted": "auto-generated", "X-Autoreply": "yes"}, "Re: your request"),
    ],
)
def test_an_out_of_office_sent_as_auto_generated_opens_nothing(alice, headers, subject):
    message = customer_email(sender=alice.email, subject=subject, headers=headers)
    intake = ingest(message.as_bytes())
    assert intake.outcome == "auto_reply" and not Ticket.objects.exists()


def test_an_auto_generated_answer_to_our_email_is_an_automatic_reply(alice, agent):
    from notifications import threads
    from tickets import services

    ticket = ingest(customer_email(sender=alice.email).as_bytes()).inbound.ticket
    services.ticket_reply(actor=agent, ticket=ticket, body="Which network?")
    row = Notification.objects.filter(context__ticket_id=ticket.id).latest("id")
    ours = threads.message_id(row.id, f"ticket-{ticket.id}")
    message = customer_email(
        sender="helpdesk@example.test",
        subject="[#5512] We received your message",
        in_reply_to=ours,
        headers={"Auto-Submitted": "auto-generated"},
    )
    intake = ingest(message.as_bytes())
    assert intake.outcome == "auto_reply"
    assert Ticket.objects.count() == 1


# ---------------------------------------------------------------- text attachments


def _with_attachments(*parts: tuple[str, str, bytes]) -> bytes:
    chunks = [
        "From: ivan@example.test",
        f"To: {SUPPORT}",
        "Subject: Statement attached",
        "Message-ID: <files-1@example.test>",
        "MIME-Version: 1.0",
        'Content-Type: multipart/mixed; boundary="f"',
        "",
        "--f",
        "Content-Type: text/plain",
        "",
        "The files are attached.",
    ]
    for content_type, name, payload in parts:
        chunks += [
            "--f",
            f"Content-Type: {content_type}",
            f'Content-Disposition: attachment; filename="{name}"',
            "Content-Transfer-Encoding: base64",
            "",
            base64.b64encode(payload).decode("ascii"),
        ]
    chunks += ["--f--", ""]
    return lines(*chunks)


def test_csv_txt_eml_and_signature_attachments_are_kept_as_downloads(db):
    from tickets.views.customer import _private_download

    raw = _with_attachments(
        ("text/csv", "trades.csv", b"time,pair,amount\n2026-01-01,BTC/USDT,0.5\n"),
        ("text/plain", "error.txt", b"Error 502 at 10:00\n"),
        ("message/rfc822", "original.eml", b"From: x@example.test\r\nSubject: y\r\n\r\nz\r\n"),
        ("application/pkcs7-signature", "smime.p7s", bytes(range(48, 120))),
    )
    intake = ingest(raw)
    message = intake.inbound.ticket_message
    names = sorted(a.original_name for a in message.attachments.all())
    assert names == ["error.txt", "original.eml", "smime.p7s", "trades.csv"]
    assert "kept only in the raw" not in intake.inbound.detail
    csv = message.attachments.get(original_name="trades.csv")
    response = _private_download(csv)
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"BTC/USDT" in b"".join(response.streaming_content)


def test_a_binary_file_calling_itself_text_stays_in_the_raw_only(db):
    intake = ingest(_with_attachments(("text/plain", "tool.txt", b"MZ\x00\x00\x90" * 20)))
    assert not intake.inbound.ticket_message.attachments.exists()
    assert "tool.txt" in intake.inbound.detail
    assert InboundEmail.objects.count() == 1


def test_a_second_from_header_is_the_sender_when_the_first_is_junk():
    """Spam-shaped but real: "From: [??????]" then the real From, and a Reply-To. The
    From that has an address wins over Reply-To (found by the held-out set)."""
    raw = lines(
        "Return-Path: <ghgbwum@example.test>",
        "From: [??????]",
        "Reply-To: reghk@example.test",
        "From: =?utf-8?B?6YO955C5?= <ghgbwum@example.test>",
        "Subject: x",
        "",
        "body",
    )
    mail = parse_message(raw)
    assert mail.sender.address == "ghgbwum@example.test"
    assert any("2 From headers" in defect for defect in mail.defects)


def test_a_machine_message_in_a_customers_name_is_still_unproven(alice):
    """Sender trust holds for machine mail too: an unauthenticated auto-generated message
    from Alice's address is a request her account does not list, with no answer."""
    from tickets import selectors

    message = customer_email(
        sender=alice.email,
        subject="Alert: withdrawal address changed",
        headers={"Auto-Submitted": "auto-generated"},
    )
    intake = ingest(message.as_bytes())
    ticket = intake.inbound.ticket
    assert intake.outcome == "ticket" and "unverified-sender" in ticket.tags
    assert list(selectors.ticket_list_for_user(user=alice)) == []
    assert not Notification.objects.filter(kind="ticket.received").exists()
