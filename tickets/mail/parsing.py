"""Raw RFC 822 bytes -> `ParsedMail`: headers, addresses, readable text, HTML, attachments.

The standard library's `email` package (policy.default) finds the MIME structure. Real
mail breaks the rules in every way it can (unknown charsets, unquoted file names with
spaces, multiparts without a boundary, transfer encodings nobody defined), so values
are read from the raw headers by lenient helpers, every access that can fail is
guarded, and what had to be guessed or skipped is written down in `defects` for the
agent who reads the ticket. Only bytes with nothing readable in them raise.

This module is the entry point: it puts a `ParsedMail` together from the header values
(`headers`, `addresses`) and from the walk over the parts (`parts`, which uses `params`,
`transfer` and `body`).
"""

from __future__ import annotations

import email
import re
from email.message import Message

from django.utils.translation import gettext as _

from .addresses import (
    clean_id,
    first_usable,
    message_ids,
    read_addresses,
    recipients_of,
    sender_of,
)
from .body import Body, normalise_text
from .charsets import (
    codecs_for,
    decode_bytes,
    decode_header_text,
    encoded_word_charsets,
    normalise_label,
)
from .headers import (
    MAIL_POLICY,
    header_value,
    header_values,
    iso_date,
    one_line,
    raw_headers,
    repair_header_block,
)
from .params import header_params
from .parsed import MailAddress, MailUnparseable, ParsedMail
from .parts import Walker

__all__ = ["MailUnparseable", "parse_message"]


def parse_message(raw: bytes) -> ParsedMail:
    """Parse one message. Raises `MailUnparseable` only when nothing can be read."""
    if not raw or not raw.strip():
        raise MailUnparseable(_("The message is empty."))
    defects: list[str] = []
    try:
        repaired = repair_header_block(raw, defects)
        message = email.message_from_bytes(repaired, policy=MAIL_POLICY)
        return _build(message, raw, defects)
    except MailUnparseable:
        raise
    except Exception as error:  # RecursionError on absurd nesting, or a stdlib parser bug
        defects.append(
            _("The message could not be taken apart (%(error)s); it is shown as raw text.")
            % {"error": type(error).__name__}
        )
        return _raw_text_fallback(raw, defects)


def _raw_text_fallback(raw: bytes, defects: list[str]) -> ParsedMail:
    text = normalise_text(decode_bytes(raw).text)
    if not text or _looks_binary(raw):
        raise MailUnparseable(_("Nothing readable was found in the message."))
    return ParsedMail(
        message_id="",
        in_reply_to=(),
        references=(),
        subject="",
        sender=MailAddress(name="", address=""),
        reply_to=None,
        to=(),
        date="",
        headers=(),
        text=text,
        html="",
        defects=tuple(defects),
    )


_CONTROL_BYTES = bytes(set(range(32)) - {9, 10, 12, 13})


def _looks_binary(raw: bytes) -> bool:
    """More than a tenth control bytes (NULs included) at the start: a file, not text."""
    sample = raw[:4096]
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    return controls > len(sample) * 0.1


# --------------------------------------------------------------------------- the message


def _build(message: Message, raw: bytes, defects: list[str]) -> ParsedMail:
    raw_items = raw_headers(message)
    hints = _charset_hints(raw_items, raw)
    headers = tuple((name, one_line(decode_header_text(value, hints))) for name, value in raw_items)

    walker = Walker(hints=hints, defects=defects)
    body = Body()
    walker.walk(message, body, depth=0)
    text, html, attachments = body.finish()

    if not raw_items:
        # No header and no text that reads as a message: a stray file, not mail.
        if not text or _looks_binary(raw):
            raise MailUnparseable(_("Nothing readable was found in the message."))
        defects.insert(0, _("The message has no headers; only its text could be read."))

    from_values = header_values(raw_items, "from")
    if len(from_values) > 1:
        defects.append(
            _("The message has %(count)d From headers; the first was used.")
            % {"count": len(from_values)}
        )
    date_value = header_value(raw_items, "date")
    date = iso_date(date_value)
    if date_value.strip() and not date:
        defects.append(
            _('The date "%(value)s" could not be read.') % {"value": one_line(date_value)[:80]}
        )
    return ParsedMail(
        message_id=clean_id(header_value(raw_items, "message-id")),
        in_reply_to=message_ids(header_values(raw_items, "in-reply-to")),
        references=message_ids(header_values(raw_items, "references")),
        subject=one_line(decode_header_text(header_value(raw_items, "subject"), hints)),
        sender=sender_of(raw_items, hints, defects),
        reply_to=first_usable(read_addresses(header_value(raw_items, "reply-to"), hints)),
        to=recipients_of(raw_items, hints),
        date=date,
        headers=headers,
        text=text,
        html=html,
        attachments=attachments,
        defects=tuple(dict.fromkeys(defects)),
    )


_CHARSET_PARAM = re.compile(rb"""charset\s*=\s*["']?([A-Za-z0-9_.:+-]{2,40})""", re.IGNORECASE)


def _charset_hints(headers: list[tuple[str, str]], raw: bytes) -> tuple[str, ...]:
    """Charsets the message names anywhere, its most likely reading of 8-bit text that
    declares nothing (a Shift_JIS subject in raw bytes goes with a Shift_JIS body):
    encoded words in the headers, the top Content-Type, then every part's charset in
    order; when it names none, a guess from all its undeclared 8-bit header bytes at
    once (one short subject is too little for a guess, the headers together are not)."""
    labels = []
    for name in ("subject", "from", "to"):
        labels += encoded_word_charsets(header_value(headers, name))
    labels.append(header_params(header_value(headers, "content-type"))[1].get("charset", ""))
    labels += [m.group(1).decode("ascii") for m in _CHARSET_PARAM.finditer(raw[:_HINT_SCAN])]
    hints = []
    for label in labels:
        label = normalise_label(label)
        if codecs_for(label) and codecs_for(label)[0] not in ("ascii", "utf-8"):
            hints.append(label)
    if not hints:
        eight_bit = b"\n".join(
            value.encode("utf-8", "surrogateescape")
            for _name, value in headers
            if not value.isascii()
        )
        if eight_bit:
            found = decode_bytes(eight_bit)
            if found.charset not in ("ascii", "utf-8", "cp1252", "latin-1"):
                hints.append(found.charset)
    return tuple(dict.fromkeys(hints))


# Part headers beyond this far into a message are not read for charset hints.
_HINT_SCAN = 1_000_000
