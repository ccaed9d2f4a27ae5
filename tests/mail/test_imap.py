"""The support mailbox poller against a real dovecot and the real intake pipeline: what an
operator would check in the mailbox (which messages are flagged seen) and in Beacon (what
was ingested, how often, and the tickets it made)."""

from __future__ import annotations

import logging

import pytest
from django.core.cache import cache

from tests.mail.dovecot import DovecotServer
from tickets.mail.imap import (
    REJECTED_KEYWORD,
    MailboxUnavailable,
    PollResult,
    mailbox_from_url,
    mailbox_poll,
)
from tickets.mail.intake import email_ingest
from tickets.models import InboundEmail, Ticket, TicketMessage
from tickets.tasks import MAIL_POLL_LOCK, mail_poll

# The poller flags a message only after the pipeline's transaction has committed, which a
# test transaction would never do: the tests that ingest commit for real.
commits = pytest.mark.django_db(transaction=True)


def customer_mail(number: int, *, body: str = "") -> bytes:
    body = body or f"My withdrawal number {number} of 50 USDT has not arrived."
    return (
        f"From: Customer {number} <customer{number}@example.test>\r\n"
        "To: support@beacon.test\r\n"
        f"Subject: Withdrawal not received #{number}\r\n"
        f"Message-ID: <mail-{number}@example.test>\r\n"
        "Date: Wed, 02 Dec 2026 10:00:00 +0000\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: 8bit\r\n"
        "\r\n"
        f"{body}\r\n"
    ).encode()


def message_id(number: int) -> str:
    return f"mail-{number}@example.test"


def stored(number: int) -> list[InboundEmail]:
    return list(InboundEmail.objects.filter(message_id=message_id(number)))


def failing_on(number: int):
    """The pipeline, but it raises for one message before anything is written (the
    database went away, say)."""

    def ingest(raw: bytes, *, source: str):
        if f"<{message_id(number)}>".encode() in raw:
            raise RuntimeError("the database went away")
        return email_ingest(raw, source=source)

    return ingest


def crashing_after_commit(number: int):
    """The pipeline, but the worker dies for one message after its ingest committed and
    before the poller could flag it."""

    def ingest(raw: bytes, *, source: str):
        intake = email_ingest(raw, source=source)
        if f"<{message_id(number)}>".encode() in raw:
            raise RuntimeError("worker lost")
        return intake

    return ingest


# ---------------------------------------------------------------------------- polling


@commits
def test_mailbox_poll_ingests_each_message_once_and_flags_it_seen(
    dovecot: DovecotServer, seeded_types
):
    # given
    uids = [dovecot.append(customer_mail(n)) for n in (1, 2, 3)]

    # when
    result = mailbox_poll(dovecot.url)

    # then
    assert result == PollResult(fetched=3, ingested=3)
    assert dovecot.seen() == set(uids)
    rows = InboundEmail.objects.order_by("id")
    assert [row.message_id for row in rows] == [message_id(n) for n in (1, 2, 3)]  # oldest first
    assert {row.source for row in rows} == {InboundEmail.Source.IMAP}
    assert [row.raw for row in rows] == [customer_mail(n) for n in (1, 2, 3)]  # whole bytes
    assert Ticket.objects.count() == 3


@commits
def test_mailbox_poll_again_ingests_nothing_new(dovecot: DovecotServer, seeded_types):
    # given
    for n in (1, 2, 3):
        dovecot.append(customer_mail(n))
    mailbox_poll(dovecot.url)

    # when
    again = mailbox_poll(dovecot.url)

    # then
    assert again == PollResult()
    assert InboundEmail.objects.count() == 3
    assert Ticket.objects.count() == 3


@commits
def test_mailbox_poll_leaves_a_failing_message_unseen_and_the_others_go_through(
    dovecot: DovecotServer, seeded_types, caplog
):
    # given
    first, broken, last = (dovecot.append(customer_mail(n)) for n in (1, 2, 3))

    # when
    with caplog.at_level(logging.ERROR, logger="tickets.mail.imap"):
        result = mailbox_poll(dovecot.url, ingest=failing_on(2))

    # then
    assert result == PollResult(fetched=3, ingested=2, failed=1)
    assert dovecot.seen() == {first, last}
    assert dovecot.unseen() == {broken}
    assert stored(2) == []
    assert f"uid {broken}: ingest failed" in caplog.text


@commits
def test_mailbox_poll_retries_a_failed_message_on_the_next_poll(
    dovecot: DovecotServer, seeded_types
):
    # given
    uid = dovecot.append(customer_mail(1))
    mailbox_poll(dovecot.url, ingest=failing_on(1))

    # when
    result = mailbox_poll(dovecot.url)

    # then
    assert result == PollResult(fetched=1, ingested=1)
    assert dovecot.seen() == {uid}
    assert len(stored(1)) == 1


@commits
def test_mailbox_poll_after_a_crash_leaves_one_copy_and_flags_it(
    dovecot: DovecotServer, seeded_types
):
    # given: the message was ingested, and the worker died before flagging it
    uid = dovecot.append(customer_mail(1))
    email_ingest(customer_mail(1), source="imap")
    assert dovecot.unseen() == {uid}

    # when
    result = mailbox_poll(dovecot.url)

    # then
    assert result == PollResult(fetched=1, duplicates=1)
    assert dovecot.seen() == {uid}
    assert len(stored(1)) == 1
    assert Ticket.objects.count() == 1


@commits
def test_mailbox_poll_after_dying_between_commit_and_flag_leaves_one_copy(
    dovecot: DovecotServer, seeded_types
):
    # given: the poll itself crashes right after the pipeline committed one message
    uids = [dovecot.append(customer_mail(n)) for n in (1, 2)]
    crashed = mailbox_poll(dovecot.url, ingest=crashing_after_commit(1))
    assert crashed == PollResult(fetched=2, ingested=1, failed=1)
    assert dovecot.unseen() == {uids[0]}

    # when
    result = mailbox_poll(dovecot.url)

    # then
    assert result == PollResult(fetched=1, duplicates=1)
    assert dovecot.seen() == set(uids)
    assert len(stored(1)) == 1
    assert Ticket.objects.count() == 2


@commits
def test_mailbox_poll_takes_at_most_a_batch_oldest_first(dovecot: DovecotServer, seeded_types):
    # given
    uids = [dovecot.append(customer_mail(n)) for n in range(1, 6)]

    # when
    first = mailbox_poll(dovecot.url, batch=2)

    # then
    assert first == PollResult(fetched=2, ingested=2)
    assert dovecot.seen() == set(uids[:2])

    # when the next polls come
    mailbox_poll(dovecot.url, batch=2)
    mailbox_poll(dovecot.url, batch=2)

    # then
    assert dovecot.seen() == set(uids)
    rows = InboundEmail.objects.order_by("id")
    assert [row.message_id for row in rows] == [message_id(n) for n in range(1, 6)]


@commits
def test_mailbox_poll_flags_the_same_mail_delivered_twice_and_keeps_one(
    dovecot: DovecotServer, seeded_types
):
    # given
    twice = {dovecot.append(customer_mail(1)), dovecot.append(customer_mail(1))}

    # when
    result = mailbox_poll(dovecot.url)

    # then
    assert result == PollResult(fetched=2, ingested=1, duplicates=1)
    assert dovecot.seen() == twice
    assert len(stored(1)) == 1


@commits
def test_mailbox_poll_flags_a_message_the_pipeline_refuses_and_does_not_retry_it(
    dovecot: DovecotServer, seeded_types, settings, caplog
):
    # given: a message larger than the pipeline takes, and a normal one after it
    settings.BEACON_INBOUND_MAIL_MAX_BYTES = 2_000
    too_large = dovecot.append(customer_mail(1, body="x" * 3_000))
    normal = dovecot.append(customer_mail(2))

    # when
    with caplog.at_level(logging.ERROR, logger="tickets.mail.imap"):
        result = mailbox_poll(dovecot.url)
    again = mailbox_poll(dovecot.url)

    # then: kept in the mailbox, marked for a person, not fetched every minute
    assert result == PollResult(fetched=2, ingested=1, rejected=1)
    assert again == PollResult()
    assert dovecot.flags()[too_large] >= {"\\Seen", REJECTED_KEYWORD}
    assert normal in dovecot.seen()
    assert stored(1) == []
    assert f"uid {too_large}: refused by the pipeline" in caplog.text


@commits
def test_mailbox_poll_reads_the_folder_the_url_names(dovecot: DovecotServer, seeded_types):
    # given
    dovecot.create_folder("Support Inbox")
    in_folder = dovecot.append(customer_mail(1), folder="Support Inbox")
    in_inbox = dovecot.append(customer_mail(2))

    # when
    result = mailbox_poll(dovecot.url_for(folder="Support Inbox"))

    # then
    assert result == PollResult(fetched=1, ingested=1)
    assert dovecot.seen("Support Inbox") == {in_folder}
    assert dovecot.unseen() == {in_inbox}


# ---------------------------------------------------------------------------- end to end


@commits
def test_customer_email_in_the_mailbox_becomes_an_email_ticket(
    dovecot: DovecotServer, seeded_types
):
    # given
    body = "我昨天提现了 50 USDT，还没有到账。TXID 0xabc123"
    dovecot.append(customer_mail(1, body=body))

    # when
    mailbox_poll(dovecot.url)

    # then
    ticket = Ticket.objects.get()
    assert ticket.channel == Ticket.Channel.EMAIL
    assert ticket.subject == "Withdrawal not received #1"
    assert ticket.requester.email == "customer1@example.test"
    [inbound] = stored(1)
    assert inbound.ticket == ticket
    message = inbound.ticket_message
    assert (message.ticket, message.author) == (ticket, ticket.requester)
    assert message.visibility == TicketMessage.Visibility.PUBLIC
    assert body in message.body


@commits
def test_mail_poll_task_polls_the_configured_mailbox(
    dovecot: DovecotServer, seeded_types, settings
):
    # given
    settings.BEACON_IMAP_URL = dovecot.url
    uid = dovecot.append(customer_mail(1))

    # when
    result = mail_poll()

    # then
    assert result == PollResult(fetched=1, ingested=1)
    assert dovecot.seen() == {uid}
    assert Ticket.objects.filter(channel=Ticket.Channel.EMAIL).count() == 1
    assert cache.add(MAIL_POLL_LOCK, 1, 60)  # released for the next run


def test_mail_poll_task_drains_a_busy_mailbox_batch_after_batch(
    dovecot: DovecotServer, seeded_types, settings, monkeypatch
):
    # given: five messages waiting, and batches of two
    settings.BEACON_IMAP_URL = dovecot.url
    monkeypatch.setattr("tickets.tasks.MAIL_POLL_BATCH", 2)
    uids = {dovecot.append(customer_mail(n)) for n in range(5)}

    # when: one run of the task
    result = mail_poll()

    # then: all of them, not just the first batch
    assert result == PollResult(fetched=5, ingested=5)
    assert dovecot.seen() == uids


def test_mail_poll_task_skips_while_another_poll_holds_the_lock(dovecot: DovecotServer, settings):
    # given: another worker is polling
    settings.BEACON_IMAP_URL = dovecot.url
    uid = dovecot.append(customer_mail(1))
    assert cache.add(MAIL_POLL_LOCK, 1, 60)

    # when
    result = mail_poll()

    # then: this run left the mailbox and the other worker's lock alone
    assert result is None
    assert dovecot.unseen() == {uid}
    assert cache.get(MAIL_POLL_LOCK) == 1


def test_mail_poll_task_logs_an_unreachable_mailbox_and_releases_the_lock(
    dovecot: DovecotServer, settings, caplog
):
    # given
    settings.BEACON_IMAP_URL = dovecot.url_for("not-the-password")

    # when
    with caplog.at_level(logging.ERROR, logger="tickets.tasks"):
        result = mail_poll()

    # then
    assert result is None
    assert "login refused" in caplog.text
    assert cache.add(MAIL_POLL_LOCK, 1, 60)


# ---------------------------------------------------------------------------- errors


@commits
def test_mailbox_poll_with_a_wrong_password_says_the_login_was_refused(dovecot: DovecotServer):
    # given
    uid = dovecot.append(customer_mail(1))

    # when
    with pytest.raises(MailboxUnavailable) as refused:
        mailbox_poll(dovecot.url_for("not-the-password"))

    # then
    message = str(refused.value)
    assert "login refused" in message
    assert "AUTHENTICATIONFAILED" in message  # the server's own words
    assert f"support@beacon.test@127.0.0.1:{dovecot.port}" in message
    assert "not-the-password" not in message
    assert dovecot.unseen() == {uid}
    assert InboundEmail.objects.count() == 0


def test_mailbox_poll_with_no_server_says_it_cannot_connect(dovecot: DovecotServer):
    # given: the server is gone
    url = dovecot.url
    dovecot.stop()

    # when
    with pytest.raises(MailboxUnavailable) as unreachable:
        mailbox_poll(url)

    # then
    assert "cannot connect" in str(unreachable.value)


def test_mailbox_poll_with_a_missing_folder_says_so(dovecot: DovecotServer):
    with pytest.raises(MailboxUnavailable) as missing:
        mailbox_poll(dovecot.url_for(folder="Nowhere"))

    assert "cannot open the folder" in str(missing.value)
    assert "/Nowhere" in str(missing.value)


def test_mailbox_poll_with_an_empty_url_does_nothing(settings):
    settings.BEACON_IMAP_URL = ""

    assert mailbox_poll() == PollResult()
    assert mailbox_poll("") == PollResult()
    assert mail_poll() == PollResult()


@commits
def test_mailbox_poll_refuses_to_run_inside_a_transaction(dovecot: DovecotServer):
    from django.db import transaction

    dovecot.append(customer_mail(1))
    with pytest.raises(RuntimeError), transaction.atomic():
        mailbox_poll(dovecot.url)

    assert len(dovecot.unseen()) == 1


# ---------------------------------------------------------------------------- the URL


def test_mailbox_from_url_decodes_user_password_and_folder():
    url = "imaps://help%40beacon.test:p%40ss%2Fword@mail.example:993/Support%20Mail"

    mailbox = mailbox_from_url(url)

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
    "url",
    [
        "pop3://u:p@mail.example",
        "imap://mail.example/INBOX",
        "imap://u@mail.example",
        "imap://u:p@mail.example/收件箱",
    ],
)
def test_mailbox_from_url_rejects_what_it_cannot_poll(url: str):
    with pytest.raises(ValueError):
        mailbox_from_url(url)
