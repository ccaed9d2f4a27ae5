"""The support mailbox poller against a real dovecot: what an operator would check in the
mailbox (which messages are flagged seen) and in Beacon (what was ingested, how often)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import pytest

from tests.mail.dovecot import DovecotServer
from tickets.mail.imap import MailboxUnavailable, PollResult, mailbox_from_url, mailbox_poll


def customer_mail(number: int, *, subject: str = "Withdrawal not received") -> bytes:
    return (
        f"From: Customer {number} <customer{number}@example.test>\r\n"
        "To: support@beacon.test\r\n"
        f"Subject: {subject} #{number}\r\n"
        f"Message-ID: <mail-{number}@example.test>\r\n"
        "Date: Wed, 02 Dec 2026 10:00:00 +0000\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "\r\n"
        f"My withdrawal number {number} has not arrived.\r\n"
    ).encode()


@dataclass
class Outcome:
    created: bool


class RecordingIngest:
    """Stands in for the pipeline: remembers each message by Message-ID, exactly once."""

    def __init__(self, fail_on: bytes = b"") -> None:
        self.calls: list[tuple[bytes, str]] = []
        self.stored: set[bytes] = set()
        self.fail_on = fail_on

    def __call__(self, raw: bytes, *, source: str) -> Outcome:
        self.calls.append((raw, source))
        if self.fail_on and self.fail_on in raw:
            raise RuntimeError("the database went away")
        key = raw.split(b"Message-ID: ")[1].split(b"\r\n")[0]
        created = key not in self.stored
        self.stored.add(key)
        return Outcome(created=created)


def test_mailbox_poll_ingests_each_message_once_and_flags_it_seen(dovecot: DovecotServer):
    # given
    mails = [customer_mail(n) for n in (1, 2, 3)]
    uids = [dovecot.append(mail) for mail in mails]
    ingest = RecordingIngest()

    # when
    result = mailbox_poll(dovecot.url, ingest=ingest)

    # then
    assert result == PollResult(fetched=3, ingested=3, duplicates=0, failed=0)
    assert ingest.calls == [(mail, "imap") for mail in mails]  # whole bytes, oldest first
    assert dovecot.seen() == set(uids)


def test_mailbox_poll_again_ingests_nothing_new(dovecot: DovecotServer):
    # given
    for n in (1, 2, 3):
        dovecot.append(customer_mail(n))
    ingest = RecordingIngest()
    mailbox_poll(dovecot.url, ingest=ingest)

    # when
    again = mailbox_poll(dovecot.url, ingest=ingest)

    # then
    assert again == PollResult()
    assert len(ingest.calls) == 3


def test_mailbox_poll_leaves_a_failing_message_unseen_and_goes_on(dovecot: DovecotServer, caplog):
    # given
    first, broken, last = (dovecot.append(customer_mail(n)) for n in (1, 2, 3))
    ingest = RecordingIngest(fail_on=b"<mail-2@example.test>")

    # when
    with caplog.at_level(logging.ERROR, logger="tickets.mail.imap"):
        result = mailbox_poll(dovecot.url, ingest=ingest)

    # then
    assert result == PollResult(fetched=3, ingested=2, duplicates=0, failed=1)
    assert dovecot.seen() == {first, last}
    assert dovecot.unseen() == {broken}
    assert f"uid {broken}: ingest failed" in caplog.text


def test_mailbox_poll_retries_a_failed_message_on_the_next_poll(dovecot: DovecotServer):
    # given
    uid = dovecot.append(customer_mail(1))
    mailbox_poll(dovecot.url, ingest=RecordingIngest(fail_on=b"<mail-1@example.test>"))

    # when
    result = mailbox_poll(dovecot.url, ingest=RecordingIngest())

    # then
    assert result == PollResult(fetched=1, ingested=1)
    assert dovecot.seen() == {uid}


def test_mailbox_poll_takes_at_most_a_batch_oldest_first(dovecot: DovecotServer):
    # given
    uids = [dovecot.append(customer_mail(n)) for n in range(1, 6)]
    ingest = RecordingIngest()

    # when
    first = mailbox_poll(dovecot.url, batch=2, ingest=ingest)

    # then
    assert first.fetched == 2
    assert dovecot.seen() == set(uids[:2])
    assert [raw for raw, _source in ingest.calls] == [customer_mail(1), customer_mail(2)]

    # when the next polls come
    mailbox_poll(dovecot.url, batch=2, ingest=ingest)
    mailbox_poll(dovecot.url, batch=2, ingest=ingest)

    # then
    assert dovecot.seen() == set(uids)
    assert [raw for raw, _source in ingest.calls] == [customer_mail(n) for n in range(1, 6)]


def test_mailbox_poll_flags_a_duplicate_and_counts_it(dovecot: DovecotServer):
    # given: the same mail delivered twice (or a retry after ingest committed)
    twice = [dovecot.append(customer_mail(1)), dovecot.append(customer_mail(1))]

    # when
    result = mailbox_poll(dovecot.url, ingest=RecordingIngest())

    # then
    assert result == PollResult(fetched=2, ingested=1, duplicates=1)
    assert dovecot.seen() == set(twice)


def test_mailbox_poll_reads_the_folder_the_url_names(dovecot: DovecotServer):
    # given
    dovecot.create_folder("Support Inbox")
    in_folder = dovecot.append(customer_mail(1), folder="Support Inbox")
    in_inbox = dovecot.append(customer_mail(2))
    url = dovecot.url_for(folder="Support Inbox")

    # when
    result = mailbox_poll(url, ingest=RecordingIngest())

    # then
    assert result.ingested == 1
    assert dovecot.seen("Support Inbox") == {in_folder}
    assert dovecot.unseen() == {in_inbox}


def test_mailbox_poll_with_a_wrong_password_says_the_login_was_refused(
    dovecot: DovecotServer,
):
    # given
    uid = dovecot.append(customer_mail(1))
    url = dovecot.url_for("not-the-password")
    ingest = RecordingIngest()

    # when
    with pytest.raises(MailboxUnavailable) as refused:
        mailbox_poll(url, ingest=ingest)

    # then
    message = str(refused.value)
    assert "login refused" in message
    assert f"127.0.0.1:{dovecot.port}" in message
    assert "not-the-password" not in message
    assert ingest.calls == []
    assert dovecot.unseen() == {uid}


def test_mailbox_poll_with_no_server_says_it_cannot_connect(dovecot: DovecotServer):
    # given: the server is gone
    url = dovecot.url
    dovecot.stop()

    # when
    with pytest.raises(MailboxUnavailable) as unreachable:
        mailbox_poll(url, ingest=RecordingIngest())

    # then
    assert "cannot connect" in str(unreachable.value)


def test_mailbox_poll_with_a_missing_folder_says_so(dovecot: DovecotServer):
    with pytest.raises(MailboxUnavailable) as missing:
        mailbox_poll(dovecot.url_for(folder="Nowhere"), ingest=RecordingIngest())

    assert "cannot open the folder" in str(missing.value)


def test_mailbox_poll_with_an_empty_url_does_nothing(settings):
    settings.BEACON_IMAP_URL = ""
    ingest = RecordingIngest()

    assert mailbox_poll(ingest=ingest) == PollResult()
    assert mailbox_poll("", ingest=ingest) == PollResult()
    assert ingest.calls == []


def test_mailbox_from_url_decodes_user_password_and_folder():
    mailbox = mailbox_from_url(
        "imaps://help%40beacon.test:p%40ss%2Fword@mail.example:993/Support%20Mail"
    )

    assert (mailbox.user, mailbox.password, mailbox.folder) == (
        "help@beacon.test",
        "p@ss/word",
        "Support Mail",
    )
    assert (mailbox.secure, mailbox.host, mailbox.port) == (True, "mail.example", 993)
    assert "p@ss/word" not in str(mailbox)


def test_mailbox_from_url_defaults_to_the_inbox_and_the_standard_ports():
    plain = mailbox_from_url("imap://u:p@mail.example")
    secure = mailbox_from_url("imaps://u:p@mail.example/")

    assert (plain.port, plain.folder, plain.secure) == (143, "INBOX", False)
    assert (secure.port, secure.folder, secure.secure) == (993, "INBOX", True)


@pytest.mark.parametrize(
    "url", ["pop3://u:p@mail.example", "imap://mail.example/INBOX", "imap://u@mail.example"]
)
def test_mailbox_from_url_rejects_what_it_cannot_poll(url: str):
    with pytest.raises(ValueError):
        mailbox_from_url(url)


def test_mail_poll_task_waits_while_another_poll_holds_the_lock(dovecot, settings):
    # given: another worker is polling
    from django.core.cache import cache

    from tickets.tasks import MAIL_POLL_LOCK, mail_poll

    settings.BEACON_IMAP_URL = dovecot.url
    uid = dovecot.append(customer_mail(1))
    assert cache.add(MAIL_POLL_LOCK, 1, 60)

    # when
    result = mail_poll()

    # then: this run left the mailbox and the other worker's lock alone
    assert result is None
    assert dovecot.unseen() == {uid}
    assert cache.get(MAIL_POLL_LOCK) == 1
