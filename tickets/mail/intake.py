"""The one pipeline every inbound email goes through: IMAP, the webhook and the pipe.

Exactly once: the InboundEmail row (unique on the Message-ID with the content, or on the
bytes when there is no Message-ID) is the first write of the ingesting transaction, and everything the message
causes is written in the same transaction. A copy that arrives twice, or a retry after a
crash half-way, finds the first row and does nothing more.

Never dropped: a message the parser cannot read, or one whose handling fails, is kept
raw on a ticket tagged for an agent. Nothing security-related is done on any email's
say-so: it becomes a ticket or a message on one, and that is all.

Proven or not (tickets.mail.sender, the rule in accounts.trust): an unproven email that
claims a customer's address becomes a request the customer's account does not list,
answered with a neutral "did you contact us?" email, or, on one of their requests, a
note only agents see. It never lands as the customer's own words.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.validators import validate_email
from django.db import OperationalError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import trust
from accounts.selectors import account_for_verified_email
from accounts.services import contact_account
from core.exceptions import ApplicationError
from core.filetypes import FileRefused, identify
from notifications.models import BouncingAddress
from tickets.attachments import MAX_FILE_BYTES, MAX_FILES_PER_MESSAGE
from tickets.batch import batch_cached
from tickets.mail import classify as noise
from tickets.mail.html import rewrite_cids, sanitize_html
from tickets.mail.parsed import ParsedMail
from tickets.mail.parsing import parse_message
from tickets.mail.quotes import split_reply
from tickets.mail.sender import email_sender, proof_for_reply
from tickets.mail.thread_match import ticket_for_message, ticket_of_thread_id
from tickets.models import InboundEmail, Ticket, TicketMessage, TicketType
from tickets.sensitive.guard import kinds_in_order, scan
from tickets.services import MAX_BODY, ticket_open, ticket_reply
from tickets.services.email import EMAIL_TAG_OTHER_SENDER, ticket_note_from_email
from tickets.services.security import UNVERIFIED_SENDER_TAG, ticket_flag_unverified_sender

logger = logging.getLogger(__name__)

EMAIL_TICKET_TYPE = "other"  # seeded by tickets/migrations/0002_ticket_types.py
UNREADABLE_TAG = "unreadable-email"
# The requester of a message with no usable sender at all (never sent anything).
UNKNOWN_SENDER = "unknown-sender@beacon.invalid"
# Kept whole on the record; the ticket message holds at most MAX_BODY characters.
TEXT_KEPT_MAX = 1_000_000
_CJK = re.compile(r"[\u3400-\u9fff]")

Outcome = InboundEmail.Outcome
# What handling a message may change on its record after the first insert.
_OUTCOME_FIELDS = [
    "outcome",
    "detail",
    "ticket",
    "ticket_message",
    "sender_verified",
    "html",
    "updated_at",
]


@dataclass(frozen=True)
class Intake:
    inbound: InboundEmail
    created: bool  # False: this message was ingested before, nothing was done now

    @property
    def outcome(self) -> str:
        return self.inbound.outcome


def email_ingest(raw: bytes, *, source: str) -> Intake:
    """Store `raw` once and turn it into whatever it is. ApplicationError for empty or
    oversized input (the caller's 4xx); anything else is kept."""
    if not raw or not raw.strip():
        raise ApplicationError(_("The message is empty."), code="empty")
    if len(raw) > settings.BEACON_INBOUND_MAIL_MAX_BYTES:
        raise ApplicationError(_("The message is too large."), code="too_large")
    try:
        parsed = parse_message(raw)
    except Exception:  # a message nobody can read is kept for an agent, never dropped
        logger.warning("inbound email could not be parsed", exc_info=True)
        parsed = None
    with transaction.atomic():
        inbound, created = _claim(raw, parsed, source)
        if created:
            _handle(inbound, parsed, raw)
            inbound.save(update_fields=_OUTCOME_FIELDS)  # not the raw bytes again
    return Intake(inbound, created)


def _dedupe_key(raw: bytes, message_id: str) -> str:
    """The same message delivered twice has one key, two different messages two.

    With a Message-ID, the key is the id *and* what the sender wrote, read from the raw
    bytes (not from the parser's reading, so a parser upgrade between two deliveries
    cannot tell a copy apart): the From, Sender, Reply-To, To, Cc, Subject, Content-Type,
    In-Reply-To and References values and the body bytes, line endings and trailing
    blanks normalised (not the Date: a resend of the same words is the same message). The copy that came by IMAP and by the webhook (different
    Received lines, one with CRLF, one with LF) is stored once; a message that reuses
    another's Message-ID (a broken mailer, or someone trying to suppress a later
    message) is not taken for it. Without a Message-ID, the bytes decide."""
    if not message_id:
        return hashlib.sha256(b"raw:" + raw).hexdigest()
    digest = hashlib.sha256(b"id+content:")
    head, body = _split_head(raw)
    fields = _content_fields(head)
    for part in (message_id.strip().lower().encode("utf-8", "replace"), *fields, body):
        digest.update(len(part).to_bytes(8, "big") + part)
    return digest.hexdigest()


_HEAD_END = re.compile(rb"\r?\n\r?\n")
_TRAILING_BLANKS = re.compile(rb"[ \t]+(?=\n)|[ \t\r\n]+\Z")
_CONTENT_HEADERS = (
    b"from",
    b"sender",
    b"reply-to",
    b"to",
    b"cc",
    b"subject",
    b"content-type",
    b"in-reply-to",
    b"references",
)


def _split_head(raw: bytes) -> tuple[bytes, bytes]:
    end = _HEAD_END.search(raw)
    head, body = (raw[: end.start()], raw[end.end() :]) if end else (raw, b"")
    body = _TRAILING_BLANKS.sub(b"", body.replace(b"\r\n", b"\n").replace(b"\r", b"\n"))
    return head, body


def _content_fields(head: bytes) -> list[bytes]:
    """The content headers' values, unfolded and whitespace-squashed, in a fixed order
    (trace headers a relay adds or reorders are left out)."""
    found: dict[bytes, list[list[bytes]]] = {name: [] for name in _CONTENT_HEADERS}
    current: list[bytes] | None = None
    for line in head.replace(b"\r\n", b"\n").split(b"\n"):
        if line[:1] in (b" ", b"\t"):
            if current is not None:
                current.append(line)
            continue
        name, colon, value = line.partition(b":")
        name = name.strip().lower()
        current = None
        if colon and name in found:
            current = [value]
            found[name].append(current)
    return [
        b"\x00".join(b" ".join(b"".join(pieces).split()) for pieces in found[name])
        for name in _CONTENT_HEADERS
    ]


def _legacy_key(message_id: str) -> str:
    """The key rows stored before content counted had: the Message-ID alone."""
    if not message_id:
        return ""
    basis = b"id:" + message_id.strip().lower().encode("utf-8", "replace")
    return hashlib.sha256(basis).hexdigest()


def _stored_before(key: str, legacy: str, message_id: str) -> InboundEmail | None:
    """A copy stored under the old Message-ID-only key, when it is this same message.
    No new row gets such a key, so this read cannot race with another delivery."""
    old = InboundEmail.objects.filter(dedupe_key=legacy).first()
    if old is None:
        return None
    return old if _dedupe_key(old.raw, message_id) == key else None


def _claim(raw: bytes, parsed: ParsedMail | None, source: str) -> tuple[InboundEmail, bool]:
    message_id = parsed.message_id if parsed is not None else ""
    key, legacy = _dedupe_key(raw, message_id), _legacy_key(message_id)
    inbound = InboundEmail(
        dedupe_key=key,
        source=source,
        raw_compressed=InboundEmail.compress(raw),
        raw_size=len(raw),
    )
    if parsed is not None:
        inbound.message_id = parsed.message_id[:998]
        inbound.sender = parsed.sender.address[:254]
        inbound.defects = list(parsed.defects)[:50]
        _keep_texts(inbound, parsed)
    # The common case, a new message, is one statement: stored unless its key or (with
    # a Message-ID) an old-style key is taken. Only then is the old row read.
    if _insert_unless_stored(inbound, unless_key=legacy):
        return inbound, True
    if legacy:
        earlier = _stored_before(key, legacy, message_id)
        if earlier is not None:
            return earlier, False
        if _insert_unless_stored(inbound):  # the old row was another message
            return inbound, True
    return InboundEmail.objects.get(dedupe_key=key), False


def _insert_unless_stored(inbound: InboundEmail, *, unless_key: str = "") -> bool:
    """`INSERT … ON CONFLICT (dedupe_key) DO NOTHING`: True if the row is stored now;
    with `unless_key`, not stored either while a row has that key.

    The unique index on dedupe_key: a twin in flight waits here for the first to commit,
    then stores nothing and finds it (or, if the first rolled back, is stored). One
    statement where a savepoint, the insert and its release were three (and a copy an
    IntegrityError and a rollback). PostgreSQL, and SQLite 3.35+."""
    meta = InboundEmail._meta
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    values = [field.get_db_prep_save(field.pre_save(inbound, True), connection) for field in fields]
    quote = connection.ops.quote_name
    table, columns = quote(meta.db_table), ", ".join(quote(field.column) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    source, params = f"VALUES ({placeholders})", values
    if unless_key:
        # The same row as VALUES would give, unless the other key is taken.
        source = (
            f"SELECT {placeholders} WHERE NOT EXISTS "
            f"(SELECT 1 FROM {table} WHERE {quote('dedupe_key')} = %s)"
        )
        params = [*values, unless_key]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}) {source} "
            f"ON CONFLICT ({quote('dedupe_key')}) DO NOTHING RETURNING {quote(meta.pk.column)}",
            params,
        )
        row = cursor.fetchone()
    if row is None:
        return False
    inbound.pk = row[0]
    inbound._state.adding, inbound._state.db = False, connection.alias
    return True


def _keep_texts(inbound: InboundEmail, parsed: ParsedMail) -> None:
    """Subject, text and HTML for the record, with secrets masked as on the ticket (the
    guard reads text, so the HTML of a message with a secret is not kept at all)."""
    subject = scan(parsed.subject)
    text = scan(parsed.text[:TEXT_KEPT_MAX])
    inbound.subject, inbound.text = subject.body[:300], text.body
    inbound.masked = kinds_in_order([*subject.found, *text.found])
    html = "" if inbound.masked else parsed.html
    # Cut mid-tag, HTML would break the record page: sanitise what is kept again.
    inbound.html = html if len(html) <= TEXT_KEPT_MAX else sanitize_html(html[:TEXT_KEPT_MAX])


def _handle(inbound: InboundEmail, parsed: ParsedMail | None, raw: bytes) -> None:
    if parsed is None:
        _keep_for_agent(inbound, None, _("Beacon could not read this email."))
        return
    try:
        with transaction.atomic():
            _route(inbound, parsed, raw)
    except OperationalError:
        raise  # the database is away: the whole message is retried later
    except Exception:
        logger.exception("inbound email %s could not be handled", inbound.pk)
        _keep_for_agent(inbound, parsed, _("Beacon could not process this email."))


def _route(inbound: InboundEmail, parsed: ParsedMail, raw: bytes) -> None:
    kind, why = noise.classify(parsed)
    if kind is noise.MailKind.LOOP:
        inbound.outcome, inbound.detail = Outcome.LOOP, why
        return
    if kind is noise.MailKind.BOUNCE:
        _bounce(inbound, raw, why)
        return
    if _over_rate_limit(inbound):
        inbound.outcome = Outcome.RATE_LIMITED
        inbound.detail = f"more than {_per_hour()} messages from {inbound.sender} in an hour"
        return
    if kind not in (noise.MailKind.PERSON, noise.MailKind.SYSTEM):
        _automatic(inbound, parsed, kind, why)
        return
    machine = kind is noise.MailKind.SYSTEM
    sender = email_sender(parsed, _sender_account(parsed))
    user = sender.account
    if inbound.sender:
        # Mail from the address proves its mailbox works: write to it again.
        BouncingAddress.objects.filter(email=inbound.sender).delete()
    match = ticket_for_message(parsed, user)
    if match is not None:
        sender = proof_for_reply(sender, ticket=match.ticket, how=match.how)
    inbound.sender_verified = sender.proven
    if match is None:
        _new_ticket(inbound, parsed, sender, acknowledge=not machine)
        if machine:  # a machine's request: filed, never answered
            inbound.detail = "; ".join(filter(None, [f"sent by a machine ({why})", inbound.detail]))
    elif match.ticket.requester_id != user.id:
        _other_sender_note(inbound, parsed, match.ticket)
    elif not sender.proven and match.ticket.sender_proven:
        # Words that only claim to be the requester's never land on their request as theirs.
        _other_sender_note(inbound, parsed, match.ticket, claims_requester=True)
    else:
        _reply(inbound, parsed, match.ticket, sender, match.how)


# ---------------------------------------------------------------------------- people


def _sender_account(parsed: ParsedMail):
    """The account the From address names: the one that verified it, else the contact
    account for it (made if needed), else the unknown-sender account. Naming is not
    proving: see tickets.mail.sender."""
    address = parsed.sender.address
    if address:
        owner = account_for_verified_email(email=address)
        if owner is not None:
            return owner
    return _contact(address, _language(parsed, None))


def _contact(address: str, language: str = "en"):
    """The contact account for `address`; one no account could have (mail systems accept
    addresses Django's validator does not) is filed under the unknown sender."""
    try:
        validate_email(address)
    except ValidationError:
        address = UNKNOWN_SENDER
    return contact_account(email=address, language=language)


def _email_ticket_type() -> TicketType:
    """Once per batch of mail (tickets.batch), with its team (ticket_create reads it)."""
    return batch_cached(
        ("ticket_type", EMAIL_TICKET_TYPE),
        lambda: TicketType.objects.select_related("team").get(slug=EMAIL_TICKET_TYPE),
    )


def _new_ticket(
    inbound: InboundEmail, parsed: ParsedMail, sender: trust.Sender, *, acknowledge: bool = True
) -> None:
    user = sender.account
    body = _body(parsed.text, parsed)
    uploads, skipped = _uploads(parsed)
    ticket, message = ticket_open(
        requester=user,
        ticket_type=_email_ticket_type(),
        subject=_subject(parsed),
        body=body,
        field_values={},
        files=uploads,
        channel=Ticket.Channel.EMAIL,
        language=_language(parsed, user if sender.proven else None),
        proof=sender.proof,
        acknowledge=acknowledge,
        unverified_sender_note="" if sender.proven else _unverified_note(inbound),
    )
    _done(inbound, ticket, message, uploads, Outcome.NEW_TICKET, skipped)


def _reply(inbound, parsed: ParsedMail, ticket: Ticket, sender: trust.Sender, how: str) -> None:
    """A reply from the requester: proven, or on a request that is itself unproven."""
    user = sender.account
    new_text, _quoted = split_reply(parsed.text)
    uploads, skipped = _uploads(parsed)
    try:
        message = ticket_reply(
            actor=user, ticket=ticket, body=_body(new_text, parsed), files=uploads
        )
    except ApplicationError as exc:
        if exc.code != "closed":
            raise
        _follow_up(inbound, parsed, ticket, sender)
        return
    if not sender.proven and UNVERIFIED_SENDER_TAG not in ticket.tags:
        ticket_flag_unverified_sender(ticket=ticket, note=_unverified_note(inbound))
    inbound.detail = f"threaded by {how}"
    _done(inbound, ticket, message, uploads, Outcome.REPLY, skipped)


def _follow_up(inbound, parsed: ParsedMail, closed: Ticket, sender: trust.Sender) -> None:
    """A reply to a closed request opens a new one that names the old."""
    user = sender.account
    new_text, _quoted = split_reply(parsed.text)
    intro = _("Follow-up to request %(number)s.") % {"number": closed.number}
    uploads, skipped = _uploads(parsed)
    ticket, message = ticket_open(
        requester=user,
        ticket_type=_email_ticket_type(),
        subject=_subject(parsed),
        body=intro + "\n\n" + _body(new_text, parsed),
        field_values={},
        files=uploads,
        channel=Ticket.Channel.EMAIL,
        language=closed.language,
        proof=sender.proof,
        unverified_sender_note="" if sender.proven else _unverified_note(inbound),
    )
    inbound.detail = f"follow-up to closed {closed.number}"
    _done(inbound, ticket, message, uploads, Outcome.FOLLOW_UP, skipped)


def _other_sender_note(
    inbound, parsed: ParsedMail, ticket: Ticket, *, claims_requester: bool = False
) -> None:
    """Mail about a ticket from someone who is not (or did not prove to be) its requester:
    agents see it, the requester does not (it may be anyone's), and nothing changes on
    its say-so."""
    new_text, _quoted = split_reply(parsed.text)
    who = {"sender": inbound.sender or _("an unknown sender")}
    if claims_requester:
        intro = (
            _(
                "Email that claims to be from the requester (%(sender)s), but its sender is not "
                "proven (no authenticated domain, not a reply in this ticket's thread). The "
                "customer does not see it:"
            )
            % who
        )
    else:
        intro = _("Email from %(sender)s, who is not the requester of this ticket:") % who
    uploads, skipped = _uploads(parsed)
    message = ticket_note_from_email(
        ticket=ticket,
        body=_fit(intro + "\n\n" + _body(new_text, parsed)),
        files=uploads,
        tag=EMAIL_TAG_OTHER_SENDER,
    )
    _done(inbound, ticket, message, uploads, Outcome.NOTE, skipped)


# ---------------------------------------------------------------------------- machines


def _bounce(inbound: InboundEmail, raw: bytes, why: str) -> None:
    recipients = noise.bounced_recipients(raw)
    now = timezone.now()
    for recipient in recipients:
        if not recipient.permanent:
            continue
        reason = " ".join(filter(None, [recipient.status, recipient.diagnostic]))[:500]
        row, created = BouncingAddress.objects.get_or_create(
            email=recipient.address, defaults={"last_bounced_at": now, "reason": reason}
        )
        if not created:
            row.bounces, row.last_bounced_at, row.reason = row.bounces + 1, now, reason
            row.save(update_fields=["bounces", "last_bounced_at", "reason", "updated_at"])
    listed = ", ".join(f"{r.address} ({r.status or '?'})" for r in recipients)
    inbound.outcome = Outcome.BOUNCE
    inbound.detail = f"{why}: {listed or 'no recipient named'}"
    for thread in noise.threads_in_bounce(raw):
        ticket = ticket_of_thread_id(thread)
        if ticket is not None:
            note = _("Our email about this ticket could not be delivered: %(who)s") % {
                "who": listed or inbound.sender
            }
            inbound.ticket_message = ticket_note_from_email(ticket=ticket, body=note)
            inbound.ticket = ticket
            break


def _automatic(inbound, parsed: ParsedMail, kind: noise.MailKind, why: str) -> None:
    """Out-of-office and list mail: never answered; an agent sees an out-of-office
    that answers one of our emails, as a note on its ticket."""
    inbound.outcome = Outcome.BULK if kind is noise.MailKind.BULK else Outcome.AUTO_REPLY
    inbound.detail = why
    if kind is noise.MailKind.BULK:
        return
    match = ticket_for_message(parsed, None)
    if match is not None:
        intro = _("Automatic reply from %(sender)s:") % {"sender": inbound.sender or "?"}
        body = _fit(intro + "\n\n" + _body(split_reply(parsed.text)[0], parsed))
        inbound.ticket_message = ticket_note_from_email(ticket=match.ticket, body=body)
        inbound.ticket = match.ticket


def _per_hour() -> int:
    return settings.BEACON_INBOUND_MAIL_PER_SENDER_PER_HOUR


def _over_rate_limit(inbound: InboundEmail) -> bool:
    if not inbound.sender:
        return False
    since = timezone.now() - timedelta(hours=1)
    recent = InboundEmail.objects.filter(sender=inbound.sender, created_at__gte=since)
    return recent.exclude(pk=inbound.pk).count() >= _per_hour()


def _keep_for_agent(inbound: InboundEmail, parsed: ParsedMail | None, why: str) -> None:
    """The raw message on a ticket for an agent, with no email back to anyone."""
    address = parsed.sender.address if parsed is not None else _guess_sender(inbound)
    user = _contact(address)
    body = why + "\n\n" + _("The original message is kept with this ticket; open it from here.")
    ticket, message = ticket_open(
        requester=user,
        ticket_type=_email_ticket_type(),
        subject=(parsed.subject if parsed is not None and parsed.subject else why)[:200],
        body=body,
        field_values={},
        channel=Ticket.Channel.EMAIL,
        language="en",
        acknowledge=False,
    )
    ticket.tags = [*ticket.tags, UNREADABLE_TAG]
    ticket.save(update_fields=["tags", "updated_at"])
    inbound.outcome = Outcome.UNPARSEABLE
    inbound.detail = why
    inbound.ticket, inbound.ticket_message = ticket, message


_FROM_LINE = re.compile(rb"^From:.*?([A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,})", re.M | re.I)


def _guess_sender(inbound: InboundEmail) -> str:
    match = _FROM_LINE.search(inbound.raw[:65536])
    return match.group(1).decode("ascii").lower() if match else ""


# ---------------------------------------------------------------------------- text


def _subject(parsed: ParsedMail) -> str:
    subject = " ".join(parsed.subject.split())
    return (subject or _("(no subject)"))[:200]


def _body(text: str, parsed: ParsedMail) -> str:
    text = text.replace("\x00", "").strip()
    if not text:
        return _("(no text; see the attachments)") if parsed.attachments else _("(empty email)")
    return _fit(text)


def _fit(text: str) -> str:
    if len(text) <= MAX_BODY:
        return text
    tail = "\n\n" + _("[Cut here: the whole email is kept with the ticket.]")
    return text[: MAX_BODY - len(tail)] + tail


def _language(parsed: ParsedMail, user) -> str:
    if _CJK.search(parsed.subject) or _CJK.search(parsed.text[:2000]):
        return "zh-hans"
    return user.language if user is not None and user.language else "en"


def _unverified_note(inbound: InboundEmail) -> str:
    return _(
        "Sent by email from %(sender)s, a sender nothing proved (no authenticated domain, "
        "not a reply in a request's thread). Anyone can write any sender on an email: do "
        "nothing security-related on its say-so."
    ) % {"sender": inbound.sender or _("an unknown sender")}


# ---------------------------------------------------------------------------- files


def _uploads(parsed: ParsedMail) -> tuple[list[SimpleUploadedFile], list[str]]:
    """The attachments a ticket accepts (images of a sane size, PDF, video, by their bytes),
    and the names of the rest, which stay in the raw message."""
    uploads, skipped = [], []
    for attachment in parsed.attachments:
        try:  # an image is measured from its header: a decompression bomb stays raw
            kind = identify(io.BytesIO(attachment.payload), name=attachment.filename)
        except FileRefused:
            kind = None
        download_only = None if kind is not None else _download_only(attachment)
        kind = kind or download_only
        fits = len(attachment.payload) <= MAX_FILE_BYTES and len(uploads) < MAX_FILES_PER_MESSAGE
        if kind is None or not fits:
            skipped.append(attachment.filename)
            continue
        upload = SimpleUploadedFile(attachment.filename, attachment.payload, kind[0])
        if download_only is not None:
            upload.download_only_kind = download_only
        upload.content_id = attachment.content_id  # for rewriting cid: links (_inline_urls)
        uploads.append(upload)
    return uploads, skipped


# Files agents need from email that are not media: kept on the ticket as downloads only.
# (declared types, extensions) -> (stored content type, extension)
_DOWNLOAD_ONLY = [
    ({"text/csv", "text/comma-separated-values", "application/csv"}, {"csv"}, ("text/csv", "csv")),
    ({"text/plain"}, {"txt", "log"}, ("text/plain", "txt")),
    ({"message/rfc822", "message/global"}, {"eml"}, ("message/rfc822", "eml")),
    (
        {"application/pkcs7-signature", "application/x-pkcs7-signature"},
        {"p7s"},
        ("application/pkcs7-signature", "p7s"),
    ),
    ({"application/pgp-signature"}, {"asc", "sig"}, ("application/pgp-signature", "asc")),
]
_TEXT_KINDS = {"csv", "txt", "eml", "asc"}


def _download_only(attachment) -> tuple[str, str] | None:
    """CSV, text, attached messages and mail signatures, by declared type or name; a
    "text" file must read as text (no NUL bytes), a signature must be small."""
    extension = attachment.filename.rpartition(".")[2].lower() if "." in attachment.filename else ""
    for types, extensions, kind in _DOWNLOAD_ONLY:
        if attachment.content_type not in types and extension not in extensions:
            continue
        if kind[1] in _TEXT_KINDS and b"\x00" in attachment.payload[:65536]:
            return None
        if kind[1] == "p7s" and len(attachment.payload) > 256 * 1024:
            return None
        return kind
    return None


def _done(inbound, ticket, message: TicketMessage | None, uploads, outcome, skipped) -> None:
    inbound.ticket, inbound.ticket_message, inbound.outcome = ticket, message, outcome
    if skipped:
        names = ", ".join(skipped)[:1000]
        inbound.detail = "; ".join(filter(None, [inbound.detail, f"kept only in the raw: {names}"]))
    if message is not None and inbound.html:
        inbound.html = rewrite_cids(inbound.html, _inline_urls(uploads, message))


def _inline_urls(uploads: list[SimpleUploadedFile], message: TicketMessage) -> dict[str, str]:
    """cid → the saved attachment's address, for the sanitised HTML shown to agents.
    The files were saved in the order of `uploads` (tickets.services._attach)."""
    if not any(upload.content_id for upload in uploads):
        return {}  # nothing inline: no need to read the saved files back
    saved = message.attachments.order_by("id")
    return {
        upload.content_id: reverse("tickets:attachment", args=[attachment.id])
        for upload, attachment in zip(uploads, saved, strict=False)
        if upload.content_id
    }
