"""`manage.py ingest_email PATH ...`: a backlog (files, a Maildir, an mbox) in one run,
each message exactly once, so the replay can be run again (issue 17)."""

from __future__ import annotations

import io
import mailbox
from email.utils import format_datetime, make_msgid

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from tests.mail.builders import customer_email
from tickets.models import InboundEmail, Ticket, TicketMessage

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _scratch_media(private_media, settings):
    settings.BEACON_INBOUND_MAIL_PER_SENDER_PER_HOUR = 1000


def run(*paths) -> str:
    out = io.StringIO()
    call_command("ingest_email", *[str(p) for p in paths], stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_files_a_maildir_and_an_mbox_in_one_run_and_again_changes_nothing(tmp_path):
    loose = tmp_path / "one.eml"
    loose.write_bytes(customer_email(sender="a@example.test", subject="Loose").as_bytes())
    maildir = mailbox.Maildir(tmp_path / "Maildir")
    for n in range(3):
        maildir.add(customer_email(sender=f"m{n}@example.test", subject=f"Maildir {n}").as_bytes())
    mbox = mailbox.mbox(tmp_path / "backlog.mbox")
    for n in range(2):
        mbox.add(customer_email(sender=f"x{n}@example.test", subject=f"Mbox {n}").as_bytes())
    mbox.flush()

    summary = run(loose, tmp_path / "Maildir", tmp_path / "backlog.mbox")
    assert "6 stored" in summary
    subjects = set(Ticket.objects.values_list("subject", flat=True))
    assert subjects == {"Loose", "Maildir 0", "Maildir 1", "Maildir 2", "Mbox 0", "Mbox 1"}

    again = run(loose, tmp_path / "Maildir", tmp_path / "backlog.mbox")
    assert again.splitlines()[-1] == (
        "ingest_email: 6 messages: 0 stored, 6 duplicate, 0 auto-reply, 0 refused, 0 failed"
    )
    assert InboundEmail.objects.count() == 6


def test_an_empty_file_is_refused_by_name_and_the_rest_still_stored(tmp_path):
    (tmp_path / "a.eml").write_bytes(b"")
    (tmp_path / "b.eml").write_bytes(customer_email(sender="b@example.test").as_bytes())
    err = io.StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("ingest_email", str(tmp_path), stdout=io.StringIO(), stderr=err)
    assert exited.value.code == 65
    assert "a.eml" in err.getvalue()
    assert InboundEmail.objects.count() == 1


def raw_message(sender: str, subject: str, body: str, **headers: str) -> bytes:
    """A message as a mail server stores it: CRLF line ends, headers as written."""
    lines = [
        f"From: {sender}",
        "To: support@beacon.example",
        f"Subject: {subject}",
        "Date: " + format_datetime(timezone.now()),
        "Message-ID: " + make_msgid(domain="mail.example.test"),
        *(f"{name.replace('_', '-')}: {value}" for name, value in headers.items()),
        "Content-Type: text/plain; charset=utf-8",
        "",
        body,
    ]
    return "\r\n".join(lines).encode() + b"\r\n"


def first_body(subject: str) -> str:
    message = TicketMessage.objects.filter(ticket__subject=subject).order_by("id").first()
    return message.body


def test_a_maildir_with_cur_and_new_as_the_mail_server_left_it(tmp_path):
    box = tmp_path / "Maildir"
    for folder in ("cur", "new", "tmp"):
        (box / folder).mkdir(parents=True)
    # Read by a mail client (cur, with its flags), not yet (new), and one being delivered (tmp).
    (box / "cur" / "1764990000.M1P1.mx:2,S").write_bytes(
        raw_message("read@example.test", "Seen already", "Opened in webmail, still unsolved.")
    )
    (box / "new" / "1764990001.M2P1.mx").write_bytes(
        raw_message("unread@example.test", "Not seen yet", "My deposit is missing.")
    )
    (box / "tmp" / "1764990002.M3P1.mx").write_bytes(
        raw_message("half@example.test", "Half delivered", "Still being written.")
    )

    summary = run(box).splitlines()[-1]

    assert summary == (
        "ingest_email: 2 messages: 2 stored, 0 duplicate, 0 auto-reply, 0 refused, 0 failed"
    )
    assert set(Ticket.objects.values_list("subject", flat=True)) == {"Seen already", "Not seen yet"}
    assert first_body("Not seen yet") == "My deposit is missing."


def test_an_mbox_keeps_a_from_line_inside_a_body_as_written(tmp_path):
    """mbox writers quote a body line starting "From " as ">From ": it is one message,
    and the agent reads the line as the customer wrote it."""
    body = "Hello,\r\n>From the app the transfer shows as sent.\r\n>>From here too.\r\nBob"
    mbox = tmp_path / "backlog.mbox"
    mbox.write_bytes(
        b"From alice@example.test Sat Dec  5 09:00:00 2026\n"
        + raw_message("alice@example.test", "First", "Where is my withdrawal?").replace(
            b"\r\n", b"\n"
        )
        + b"\nFrom bob@example.test Sat Dec  5 09:05:00 2026\n"
        + raw_message("bob@example.test", "Second", body).replace(b"\r\n", b"\n")
        + b"\nFrom carol@example.test Sat Dec  5 09:10:00 2026\n"
        + raw_message("carol@example.test", "Third", "Please close my account.").replace(
            b"\r\n", b"\n"
        )
    )

    summary = run(mbox).splitlines()[-1]

    assert summary.startswith("ingest_email: 3 messages: 3 stored,")
    assert first_body("Second") == (
        "Hello,\nFrom the app the transfer shows as sent.\n>From here too.\nBob"
    )
    assert first_body("Third") == "Please close my account."


def test_the_summary_counts_each_kind_and_a_refusal_stops_nothing(tmp_path):
    folder = tmp_path / "backlog"
    folder.mkdir()
    (folder / "1.eml").write_bytes(raw_message("ann@example.test", "Help", "Card declined."))
    (folder / "2.eml").write_bytes(
        raw_message(
            "ann@example.test", "Out of office", "Back Monday.", Auto_Submitted="auto-replied"
        )
    )
    (folder / "3.eml").write_bytes(b"   \r\n")  # empty: refused
    (folder / "4.eml").write_bytes((folder / "1.eml").read_bytes())  # the same message again
    (folder / "5.eml").write_bytes(raw_message("bea@example.test", "Also help", "Login fails."))
    out, err = io.StringIO(), io.StringIO()

    with pytest.raises(SystemExit) as exited:
        call_command("ingest_email", str(folder), stdout=out, stderr=err)

    assert exited.value.code == 65
    assert out.getvalue().splitlines()[-1] == (
        "ingest_email: 5 messages: 2 stored, 1 duplicate, 1 auto-reply, 1 refused, 0 failed"
    )
    assert "3.eml" in err.getvalue()
    assert set(Ticket.objects.values_list("subject", flat=True)) == {"Help", "Also help"}


@pytest.mark.django_db(transaction=True)  # the workers' own connections see only commits
def test_workers_share_a_backlog_and_store_each_message_once(seeded_types, tmp_path):
    folder = tmp_path / "backlog"
    folder.mkdir()
    for n in range(7):
        raw = customer_email(sender=f"w{n}@example.test", subject=f"Worker {n}").as_bytes()
        (folder / f"{n}.eml").write_bytes(raw)
    # The same message twice, in files the two workers take (indexes 7 and 8).
    (folder / "7.eml").write_bytes((folder / "0.eml").read_bytes())
    (folder / "8.eml").write_bytes((folder / "0.eml").read_bytes())

    out = io.StringIO()
    call_command("ingest_email", str(folder), "--workers", "2", stdout=out, stderr=io.StringIO())
    assert out.getvalue().splitlines()[-1] == (
        "ingest_email: 9 messages: 7 stored, 2 duplicate, 0 auto-reply, 0 refused, 0 failed"
    )
    subjects = sorted(Ticket.objects.values_list("subject", flat=True))
    assert subjects == [f"Worker {n}" for n in range(7)]
    assert InboundEmail.objects.count() == 7

    again = io.StringIO()
    call_command("ingest_email", str(folder), "--workers", "3", stdout=again, stderr=io.StringIO())
    assert again.getvalue().splitlines()[-1] == (
        "ingest_email: 9 messages: 0 stored, 9 duplicate, 0 auto-reply, 0 refused, 0 failed"
    )
    assert InboundEmail.objects.count() == 7


@pytest.mark.parametrize("workers", ["0", "33"])
def test_a_worker_count_out_of_range_is_refused(tmp_path, workers):
    (tmp_path / "a.eml").write_bytes(customer_email(sender="a@example.test").as_bytes())
    with pytest.raises(CommandError, match="--workers takes 1 to 32"):
        call_command("ingest_email", str(tmp_path), "--workers", workers, stdout=io.StringIO())
    assert InboundEmail.objects.count() == 0
