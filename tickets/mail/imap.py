"""Poll the support mailbox over IMAP: every unseen message goes through the intake once.

A message is flagged \\Seen only after the pipeline has committed it, so a crash at any
point leaves it unseen and the next poll offers it again; the pipeline's exactly-once
(unique Message-ID) turns that retry into a duplicate, never a second ticket.
"""

from __future__ import annotations

import imaplib
import logging
import ssl
import urllib.parse
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import connection

from core.exceptions import ApplicationError
from tickets.batch import ticket_batch

logger = logging.getLogger(__name__)

# Every socket operation (connect, each command) gives up after this long: a mail server
# that stops answering must not hold the poll (and its lock) until the task is killed.
SOCKET_TIMEOUT = 30
DEFAULT_PORTS = {"imap": 143, "imaps": 993}
# Set (with \Seen) on a message the pipeline refused for good, so people can find it.
REJECTED_KEYWORD = "$BeaconRejected"


class MailboxUnavailable(Exception):
    """The mailbox could not be reached, or refused the login or the folder.

    The message names host, port, user and folder, never the password.
    """


@dataclass(frozen=True)
class PollResult:
    fetched: int = 0  # messages read from the mailbox in this poll
    ingested: int = 0  # new to Beacon
    duplicates: int = 0  # already ingested (a retry after a crash, or the same mail twice)
    failed: int = 0  # the pipeline raised; left unseen for the next poll
    rejected: int = 0  # the pipeline refused it for good (empty, too large); flagged


@dataclass(frozen=True)
class Mailbox:
    """Where to poll, from imap://user:pass@host:143/INBOX or imaps://…:993/INBOX."""

    secure: bool
    host: str
    port: int
    user: str
    password: str
    folder: str

    def __str__(self) -> str:
        scheme = "imaps" if self.secure else "imap"
        return f"{scheme}://{self.user}@{self.host}:{self.port}/{self.folder}"


def mailbox_from_url(url: str) -> Mailbox:
    """Parse the mailbox URL; user, password and folder are percent-decoded."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in DEFAULT_PORTS:
        raise ValueError(f"IMAP URL must start with imap:// or imaps://, not {parts.scheme!r}")
    if not parts.hostname or parts.username is None or parts.password is None:
        raise ValueError("IMAP URL needs a user, a password and a host: imap://user:pass@host")
    return Mailbox(
        secure=parts.scheme == "imaps",
        host=parts.hostname,
        port=parts.port or DEFAULT_PORTS[parts.scheme],
        user=urllib.parse.unquote(parts.username),
        password=urllib.parse.unquote(parts.password),
        folder=_folder(parts.path),
    )


def _folder(path: str) -> str:
    folder = urllib.parse.unquote(path.lstrip("/")) or "INBOX"
    if not folder.isascii():
        # IMAP names are modified UTF-7 on the wire; the URL can carry that form instead.
        raise ValueError(f"IMAP folder {folder!r}: give its modified UTF-7 name (ASCII)")
    return folder


def mailbox_poll(
    url: str | None = None,
    *,
    batch: int = 50,
    ingest: Callable[..., Any] | None = None,
) -> PollResult:
    """Ingest up to `batch` unseen messages, oldest first, and flag each one \\Seen.

    Must run outside any transaction: a message is flagged only once its ingest has
    committed. `url` defaults to settings.BEACON_IMAP_URL; an empty one polls nothing.
    Raises MailboxUnavailable when the server cannot be reached or refuses the login.
    """
    url = settings.BEACON_IMAP_URL if url is None else url
    if not url:
        return PollResult()
    if connection.in_atomic_block:
        raise RuntimeError("mailbox_poll inside a transaction would flag uncommitted mail")
    if ingest is None:
        # Imported here: the pipeline imports models and parsers this module does not need.
        from tickets.mail.intake import email_ingest as ingest

    mailbox = mailbox_from_url(url)
    client = _connect(mailbox)
    try:
        _login_and_select(client, mailbox)
        uids = _unseen_uids(client, mailbox)[:batch]
        return _ingest_each(client, mailbox, uids, ingest)
    except (OSError, imaplib.IMAP4.error) as exc:
        raise MailboxUnavailable(f"{mailbox}: {_describe(exc)}") from exc
    finally:
        _logout(client)


def _ingest_each(
    client: imaplib.IMAP4, mailbox: Mailbox, uids: list[str], ingest: Callable[..., Any]
) -> PollResult:
    with ticket_batch():  # the poll's lookups read once, one queue broadcast a second
        outcomes = Counter(_ingest_one(client, mailbox, uid, ingest) for uid in uids)
    return PollResult(
        fetched=outcomes.total() - outcomes["unreadable"] - outcomes["gone"],
        ingested=outcomes["ingested"],
        duplicates=outcomes["duplicate"],
        failed=outcomes["failed"] + outcomes["unreadable"],
        rejected=outcomes["rejected"],
    )


def _ingest_one(
    client: imaplib.IMAP4, mailbox: Mailbox, uid: str, ingest: Callable[..., Any]
) -> str:
    """What became of one message: ingested, duplicate, failed, rejected, unreadable, gone."""
    try:
        raw = _fetch(client, uid)
    except _MessageUnreadable as exc:
        logger.error("IMAP %s uid %s: %s; left unseen", mailbox, uid, exc)
        return "unreadable"
    if raw is None:  # expunged by another client since the search
        return "gone"
    try:
        intake = ingest(raw, source="imap")
    except SoftTimeLimitExceeded:
        raise  # the task is out of time: stop here, the rest stays unseen
    except ApplicationError as exc:
        # Refused for good (empty, or larger than the pipeline takes). Left unseen it would
        # be fetched again every minute, and enough of them would starve newer mail; so it
        # is flagged, and stays in the mailbox for a person to look at.
        logger.error(
            "IMAP %s uid %s: refused by the pipeline (%s); flagged, not ingested",
            mailbox,
            uid,
            exc.message,
        )
        _flag_seen(client, mailbox, uid, keyword=REJECTED_KEYWORD)
        return "rejected"
    except Exception:
        # Unseen, so the next poll retries; a retry of a half-done ingest is safe.
        logger.exception("IMAP %s uid %s: ingest failed; left unseen", mailbox, uid)
        return "failed"
    _flag_seen(client, mailbox, uid)
    return "ingested" if intake.created else "duplicate"


def _connect(mailbox: Mailbox) -> imaplib.IMAP4:
    try:
        if mailbox.secure:
            context = ssl.create_default_context()
            return imaplib.IMAP4_SSL(
                mailbox.host, mailbox.port, ssl_context=context, timeout=SOCKET_TIMEOUT
            )
        return imaplib.IMAP4(mailbox.host, mailbox.port, timeout=SOCKET_TIMEOUT)
    except (OSError, imaplib.IMAP4.error) as exc:
        raise MailboxUnavailable(f"{mailbox}: cannot connect: {_describe(exc)}") from exc


def _login_and_select(client: imaplib.IMAP4, mailbox: Mailbox) -> None:
    try:
        client.login(mailbox.user, mailbox.password)
    except imaplib.IMAP4.error as exc:
        raise MailboxUnavailable(f"{mailbox}: login refused: {_describe(exc)}") from exc
    status, data = client.select(_quoted(mailbox.folder))
    if status != "OK":
        raise MailboxUnavailable(f"{mailbox}: cannot open the folder: {_describe(data)}")


def _unseen_uids(client: imaplib.IMAP4, mailbox: Mailbox) -> list[str]:
    status, data = client.uid("SEARCH", None, "UNSEEN")
    if status != "OK":
        raise MailboxUnavailable(f"{mailbox}: UID SEARCH UNSEEN failed: {_describe(data)}")
    # Ascending UIDs are arrival order: the oldest mail goes first.
    return sorted((data[0] or b"").decode().split(), key=int)


class _MessageUnreadable(Exception):
    """The server refused to hand over one message (the others may still be fine)."""


def _fetch(client: imaplib.IMAP4, uid: str) -> bytes | None:
    """The whole message; PEEK leaves it unseen until it has been ingested."""
    status, data = client.uid("FETCH", uid, "(BODY.PEEK[])")
    if status != "OK":
        raise _MessageUnreadable(f"UID FETCH refused: {_describe(data)}")
    for item in data:
        # A literal comes back as (b'1 (UID 7 BODY[] {1234}', b'<the bytes>').
        if isinstance(item, tuple) and b"BODY[]" in item[0]:
            return item[1]
    return None


def _flag_seen(client: imaplib.IMAP4, mailbox: Mailbox, uid: str, keyword: str = "") -> None:
    flags = " ".join(filter(None, ["\\Seen", keyword]))
    status, data = client.uid("STORE", uid, "+FLAGS", f"({flags})")
    if status != "OK" and keyword:
        # Some servers take no keywords of their own: \Seen alone still stops the retries.
        status, data = client.uid("STORE", uid, "+FLAGS", "(\\Seen)")
    if status != "OK":
        # Ingested but not flagged: the next poll fetches it again and the pipeline
        # reports a duplicate. Nothing is lost, so the poll goes on.
        logger.warning("IMAP %s uid %s: not flagged seen: %s", mailbox, uid, _describe(data))


def _logout(client: imaplib.IMAP4) -> None:
    try:
        client.logout()
    except (OSError, imaplib.IMAP4.error):
        pass  # the connection is gone already; nothing left to close politely


def _quoted(folder: str) -> str:
    """An IMAP quoted string: imaplib sends arguments as they are, and names have spaces."""
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _describe(detail: object) -> str:
    """A server response (list of bytes) or an exception as one readable line."""
    if isinstance(detail, BaseException):
        # imaplib raises with the server's bytes as the message: show them, not b'...'.
        parts = detail.args[:1] if detail.args else [type(detail).__name__]
    elif isinstance(detail, list):
        parts = detail
    else:
        parts = [detail]
    words = [p.decode(errors="replace") if isinstance(p, bytes) else str(p) for p in parts]
    return " ".join(word for word in words if word) or "no detail"
