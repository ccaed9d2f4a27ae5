"""Raw RFC 822 bytes -> `ParsedMail`: headers, addresses, readable text, HTML, attachments.

The standard library's `email` package (policy.default) finds the MIME structure. Real
mail breaks the rules in every way it can (unknown charsets, unquoted file names with
spaces, multiparts without a boundary, transfer encodings nobody defined), so values
are read from the raw headers by the lenient helpers below, every access that can fail
is guarded, and what had to be guessed or skipped is written down in `defects` for the
agent who reads the ticket. Only bytes with nothing readable in them raise.
"""

from __future__ import annotations

import binascii
import email
import io
import mimetypes
import re
from dataclasses import dataclass, field
from datetime import UTC
from email import errors, policy
from email.generator import BytesGenerator
from email.message import Message
from email.policy import Compat32, EmailPolicy
from email.utils import parsedate_to_datetime
from functools import lru_cache
from urllib.parse import unquote_to_bytes

from django.utils.translation import gettext as _

from .charsets import (
    Decoded,
    codecs_for,
    decode_bytes,
    decode_header_text,
    encoded_word_charsets,
    normalise_label,
)
from .html import html_to_text, referenced_cids, sanitize_html
from .parsed import MailAddress, MailAttachment, MailUnparseable, ParsedMail


class _RereadingPolicy(EmailPolicy):
    """policy.default, except that a header read again is not parsed again, and one
    it cannot parse is read the compat32 way instead of failing the message.

    The stdlib's parser and our walk read each part's Content-Type a dozen times, and
    policy.default parses the value from scratch on every read (half of all parsing
    time). Parsed header objects are immutable, so equal (name, value) pairs can share
    one; a small cache covers the rereads within a message.
    """

    def header_fetch_parse(self, name, value):  # type: ignore[no-untyped-def]
        if hasattr(value, "name"):
            return value
        if len(value) > _MODERN_PARSE_LIMIT:
            # The modern parser's time grows faster than the header (7 s for a 250 KB
            # Content-Type of 50,000 parameters): a header that long is not real mail.
            return _as_compat32(name, value)
        try:
            return _parsed_header(name, value)
        except Exception:
            # The modern header parser still has bugs on malformed input (an IndexError
            # on "Content-Type: text/plain; name*", CPython #151857) that would stop the
            # whole parse: read this one header the compat32 way, as a plain string.
            return _as_compat32(name, value)


def _as_compat32(name: str, value: str) -> str:
    fallback = policy.compat32.header_fetch_parse(name, value)
    return fallback if isinstance(fallback, str) else value


@lru_cache(maxsize=64)
def _parsed_header(name: str, value: str):  # type: ignore[no-untyped-def]
    return policy.default.header_fetch_parse(name, value)


_MAIL_POLICY = _RereadingPolicy()
_MODERN_PARSE_LIMIT = 8192

# Deeper nesting than this is an attack or a loop, not mail.
_MAX_DEPTH = 30
_MAX_FILENAME = 200


def parse_message(raw: bytes) -> ParsedMail:
    """Parse one message. Raises `MailUnparseable` only when nothing can be read."""
    if not raw or not raw.strip():
        raise MailUnparseable(_("The message is empty."))
    defects: list[str] = []
    try:
        repaired = _repair_header_block(raw, defects)
        message = email.message_from_bytes(repaired, policy=_MAIL_POLICY)
        return _build(message, raw, defects)
    except MailUnparseable:
        raise
    except Exception as error:  # RecursionError on absurd nesting, or a stdlib parser bug
        defects.append(
            _("The message could not be taken apart (%(error)s); it is shown as raw text.")
            % {"error": type(error).__name__}
        )
        return _raw_text_fallback(raw, defects)


# --------------------------------------------------------------------------- header block

_HEADER_LINE = re.compile(rb"^[!-9;-~]+:")
_SPACED_COLON = re.compile(rb"^([!-9;-~]+)[ \t]+:")
_KNOWN_HEADER = re.compile(
    rb"^(?:from|to|cc|bcc|subject|date|message-id|received|return-path|delivered-to|"
    rb"mime-version|reply-to|sender|references|in-reply-to|x-[!-9;-~]*|content-[!-9;-~]*|"
    rb"list-[!-9;-~]*|resent-[!-9;-~]*|dkim-signature|authentication-results):",
    re.IGNORECASE,
)
_BLANK_LINE = re.compile(rb"\r?\n\r?\n")


def _repair_header_block(raw: bytes, defects: list[str]) -> bytes:
    """Fix the header-block mistakes that make the stdlib parser give up on every header
    after them: "Subject   : x" (obsolete space before the colon), and a stray line of
    junk before or between header lines (it would start the body early)."""
    end = _BLANK_LINE.search(raw)
    head = raw[: end.start()] if end else raw
    lines = head.split(b"\n")
    if all(_is_header_piece(line, index) for index, line in enumerate(lines)):
        return raw
    kept: list[bytes] = []
    skipped = 0
    dropping = False
    for index, line in enumerate(lines):
        fixed = _SPACED_COLON.sub(rb"\1:", line)
        if _is_header_piece(fixed, index):
            if dropping and line[:1] in (b" ", b"\t"):
                skipped += 1  # the continuation of a dropped line
                continue
            dropping = False
            kept.append(fixed)
            continue
        following = next(
            (lines[at] for at in range(index + 1, len(lines)) if lines[at][:1] not in b" \t"),
            b"",
        )
        if _KNOWN_HEADER.match(_SPACED_COLON.sub(rb"\1:", following)):
            skipped += 1
            dropping = True
            continue
        # Not followed by a header: this is where the body starts (no blank line).
        kept.extend(lines[index:])
        break
    if skipped:
        defects.append(
            _("Skipped %(count)d unreadable line(s) in the message headers.") % {"count": skipped}
        )
    return b"\n".join(kept) + (raw[end.start() :] if end else b"")


def _is_header_piece(line: bytes, index: int) -> bool:
    return (
        bool(_HEADER_LINE.match(line))
        or line[:1] in (b" ", b"\t")
        or (index == 0 and line.startswith(b"From "))
        or not line.strip(b"\r")
    )


def _raw_text_fallback(raw: bytes, defects: list[str]) -> ParsedMail:
    text = _normalise_text(decode_bytes(raw).text)
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


# --------------------------------------------------------------------------- the message


def _build(message: Message, raw: bytes, defects: list[str]) -> ParsedMail:
    raw_headers = _raw_headers(message)
    hints = _charset_hints(raw_headers)
    headers = tuple(
        (name, _one_line(decode_header_text(value, hints))) for name, value in raw_headers
    )

    walker = _Walker(hints=hints, defects=defects)
    body = _Body()
    walker.walk(message, body, depth=0)
    text, html, attachments = body.finish()

    if not raw_headers:
        # No header and no text that reads as a message: a stray file, not mail.
        if not text or _looks_binary(raw):
            raise MailUnparseable(_("Nothing readable was found in the message."))
        defects.insert(0, _("The message has no headers; only its text could be read."))

    from_values = _all(raw_headers, "from")
    if len(from_values) > 1:
        defects.append(
            _("The message has %(count)d From headers; the first was used.")
            % {"count": len(from_values)}
        )
    date_value = _first(raw_headers, "date")
    date = _iso_date(date_value)
    if date_value.strip() and not date:
        defects.append(
            _('The date "%(value)s" could not be read.') % {"value": _one_line(date_value)[:80]}
        )
    return ParsedMail(
        message_id=_clean_id(_first(raw_headers, "message-id")),
        in_reply_to=_ids(_all(raw_headers, "in-reply-to")),
        references=_ids(_all(raw_headers, "references")),
        subject=_one_line(decode_header_text(_first(raw_headers, "subject"), hints)),
        sender=_sender(raw_headers, hints, defects),
        reply_to=_first_usable(_addresses(_first(raw_headers, "reply-to"), hints)),
        to=_recipients(raw_headers, hints),
        date=date,
        headers=headers,
        text=text,
        html=html,
        attachments=attachments,
        defects=tuple(dict.fromkeys(defects)),
    )


def _raw_headers(part: Message) -> list[tuple[str, str]]:
    """Header names and values as they came (8-bit bytes kept as surrogate escapes)."""
    try:
        return [(str(name).strip(), str(value)) for name, value in part.raw_items()]
    except Exception:
        return []


def _first(headers: list[tuple[str, str]], name: str) -> str:
    for key, value in headers:
        if key.lower() == name:
            return value
    return ""


def _all(headers: list[tuple[str, str]], name: str) -> list[str]:
    return [value for key, value in headers if key.lower() == name]


def _charset_hints(headers: list[tuple[str, str]]) -> tuple[str, ...]:
    """Charsets the message names in its headers: the most likely reading of 8-bit text
    that declares nothing (a Korean subject in EUC-KR goes with an EUC-KR body)."""
    labels = []
    for name in ("subject", "from", "to"):
        labels += encoded_word_charsets(_first(headers, name))
    labels.append(_header_params(_first(headers, "content-type"))[1].get("charset", ""))
    hints = []
    for label in labels:
        label = normalise_label(label)
        if codecs_for(label) and codecs_for(label)[0] not in ("ascii", "utf-8"):
            hints.append(label)
    return tuple(dict.fromkeys(hints))


_FOLDING = re.compile(r"\r?\n(?=[ \t])|\r?\n|\r")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_WHITESPACE_RUN = re.compile(r"\s+")


def _plain(value: str) -> str:
    """Raw header text with its 8-bit bytes (kept as surrogate escapes) decoded."""
    if value.isascii():
        return value
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return decode_bytes(value.encode("utf-8", "surrogateescape")).text
    return value


def _unfold(value: str) -> str:
    return _FOLDING.sub("", _plain(value))


def _one_line(value: str) -> str:
    return _WHITESPACE_RUN.sub(" ", _CONTROL.sub(" ", _unfold(value))).strip()


# --------------------------------------------------------------------------- ids and dates

_ANGLE_ID = re.compile(r"<([^<>]*)>")
_COMMENT = re.compile(r"\([^()]*\)")
_SPACE_OR_CONTROL = re.compile(r"[\s\x00-\x1f\x7f]+")
_TIME_COLON = re.compile(r"(?<=\d)\s*:\s*(?=\d)")


def _clean_id(value: str) -> str:
    """'<abc@example.com>' -> 'abc@example.com'; whitespace and comments removed."""
    value = _unfold(value).strip()
    found = _ANGLE_ID.search(value)
    if found:
        inner = found.group(1)
    else:
        inner = value.split()[0] if value.split() else ""
    return _SPACE_OR_CONTROL.sub("", _COMMENT.sub("", inner))


def _ids(values: list[str]) -> tuple[str, ...]:
    """All message ids in In-Reply-To / References headers, in order, without repeats."""
    found: list[str] = []
    for value in values:
        value = _unfold(value)
        bracketed = _ANGLE_ID.findall(value)
        if bracketed:
            found += [_SPACE_OR_CONTROL.sub("", _COMMENT.sub("", inner)) for inner in bracketed]
        else:  # ids without brackets: take the tokens that look like ids
            found += [token for token in re.split(r"[\s,]+", value) if "@" in token]
    return tuple(dict.fromkeys(token for token in found if token))


def _iso_date(value: str) -> str:
    # RFC 822 allowed comments and spaces around the colons: "09(comment):   55  :  06".
    value = _TIME_COLON.sub(":", _COMMENT.sub("", _one_line(value)))
    if not value:
        return ""
    try:
        moment = parsedate_to_datetime(value)
        if moment.tzinfo is None:  # "-0000" or no zone: RFC 5322 says treat as UTC
            moment = moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC).isoformat()
    except (TypeError, ValueError, IndexError, OverflowError, AttributeError):
        return ""


# --------------------------------------------------------------------------- addresses

_ADDRESS = re.compile(r"[^\s@<>()\[\],;:\"]+@[^\s@<>()\[\],;:\"]+")
_AROUND_DOTS = re.compile(r"\s*([.@])\s*")


def _addresses(value: str, hints: tuple[str, ...]) -> list[MailAddress]:
    """Every address in an address header, leniently: bare lists without commas,
    unquoted display names with "@" in them, groups, comments, obsolete routes."""
    if not value:
        return []
    if not value.isascii():  # RFC 6532 UTF-8 or raw 8-bit: decode before splitting
        value = decode_bytes(value.encode("utf-8", "surrogateescape"), None, hints).text
    text = _unfold(value)
    found: list[MailAddress] = []
    for chunk in _split_address_list(text):
        for name, address in _read_mailbox(chunk):
            name = _one_line(decode_header_text(name, hints))
            address = address.strip().strip(".").lower()
            if not _ADDRESS.fullmatch(address):
                address = ""
            if name or address:
                found.append(MailAddress(name=name, address=address))
    return found


def _split_address_list(text: str) -> list[str]:
    """Split at commas outside quotes and <>, dropping (comments) and group names."""
    chunks: list[str] = []
    current: list[str] = []
    quoted = escaped = has_at = False
    angle = paren = 0
    for char in text:
        if escaped:
            escaped = False
            if not paren:
                current.append(char)
            continue
        if char == "\\" and (quoted or paren):
            escaped = True
            if not paren:
                current.append(char)
            continue
        if paren:
            paren += {"(": 1, ")": -1}.get(char, 0)
            continue
        if char == '"':
            quoted = not quoted
        elif not quoted:
            if char == "(":
                paren = 1
                continue
            if char == "<":
                angle += 1
            elif char == ">":
                angle = max(0, angle - 1)
            elif char in ",;" and not angle:
                chunks.append("".join(current))
                current, has_at = [], False
                continue
            elif char == ":" and not angle and not has_at:
                current = []  # "Group name:" starts a group; its name is not an address
                continue
            elif char == "@":
                has_at = True
        current.append(char)
    chunks.append("".join(current))
    return [chunk.strip() for chunk in chunks if chunk.strip()]


def _read_mailbox(chunk: str) -> list[tuple[str, str]]:
    if "<" in chunk:
        name, _sep, rest = chunk.partition("<")
        address = _SPACE_OR_CONTROL.sub("", rest.split(">", 1)[0])
        address = address.rsplit(":", 1)[-1]  # obsolete source route "<@relay:user@host>"
        return [(_unquote(name), address)]
    squeezed = _AROUND_DOTS.sub(r"\1", chunk)
    addresses = _ADDRESS.findall(squeezed)
    if len(addresses) == 1:
        name = squeezed.replace(addresses[0], " ") if addresses[0] in squeezed else ""
        return [(_unquote(name), addresses[0])]
    if addresses:  # "a@x.com b@y.com": a list someone forgot the commas in
        return [("", address) for address in addresses]
    return [(_unquote(chunk), "")]


def _unquote(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        text = re.sub(r"\\(.)", r"\1", text[1:-1])
    return text.strip().strip("'").strip()


def _first_usable(addresses: list[MailAddress]) -> MailAddress | None:
    return next((address for address in addresses if address.address), None)


def _sender(
    headers: list[tuple[str, str]], hints: tuple[str, ...], defects: list[str]
) -> MailAddress:
    from_addresses = _addresses(_first(headers, "from"), hints)
    usable = _first_usable(from_addresses)
    if usable:
        return usable
    for fallback in ("sender", "return-path"):
        usable = _first_usable(_addresses(_first(headers, fallback), hints))
        if usable:
            defects.append(
                _("No usable From address; the sender was taken from the %(header)s header.")
                % {"header": fallback.title()}
            )
            return usable
    name = from_addresses[0].name if from_addresses else ""
    if headers:
        defects.append(_("The message has no usable sender address."))
    return MailAddress(name=name, address="")


def _recipients(headers: list[tuple[str, str]], hints: tuple[str, ...]) -> tuple[MailAddress, ...]:
    seen: dict[str, MailAddress] = {}
    for name in ("to", "cc", "delivered-to", "x-original-to"):
        for value in _all(headers, name):
            for address in _addresses(value, hints):
                if address.address and address.address not in seen:
                    seen[address.address] = address
    return tuple(seen.values())


# --------------------------------------------------------------------------- parameters

_EXTENDED_KEY = re.compile(r"^([^*]+)\*(\d+)?(\*)?$")


def _header_params(value: str) -> tuple[str, dict[str, str]]:
    """'attachment; filename="a b.pdf"' -> ("attachment", {"filename": "a b.pdf"}).

    Lenient where the stdlib is strict: unquoted values keep their spaces, encoded words
    are decoded even where RFC 2047 forbids them (inside quotes: every mailer does it),
    and RFC 2231 values (name*=, name*0*=) are joined and decoded with our charsets.
    """
    if not value:
        return "", {}
    segments = _split_params(_unfold(value))
    main = segments[0].strip().lower()
    plain: dict[str, str] = {}
    extended: dict[str, dict[int, tuple[bool, str]]] = {}
    for segment in segments[1:]:
        key, sep, raw_value = segment.partition("=")
        key = key.strip().lower()
        if not sep or not key:
            continue
        raw_value = raw_value.strip()
        if raw_value.startswith('"'):
            raw_value = _unquote_param(raw_value)
        match = _EXTENDED_KEY.match(key)
        if match:
            index = int(match.group(2)) if match.group(2) is not None else 0
            encoded = match.group(2) is None or match.group(3) is not None
            extended.setdefault(match.group(1), {})[index] = (encoded, raw_value)
        elif key not in plain:
            plain[key] = raw_value
    params = {key: decode_header_text(raw) for key, raw in plain.items()}
    for key, pieces in extended.items():
        params[key] = _join_rfc2231(pieces)
    return main, params


def _split_params(value: str) -> list[str]:
    segments: list[str] = []
    current: list[str] = []
    quoted = escaped = False
    for char in value:
        if escaped:
            escaped = False
        elif char == "\\" and quoted:
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char == ";" and not quoted:
            segments.append("".join(current))
            current = []
            continue
        current.append(char)
    segments.append("".join(current))
    return segments


def _unquote_param(value: str) -> str:
    out: list[str] = []
    index = 1
    while index < len(value):
        char = value[index]
        if char == "\\" and index + 1 < len(value):
            out.append(value[index + 1])
            index += 2
            continue
        if char == '"':
            break
        out.append(char)
        index += 1
    return "".join(out)


def _join_rfc2231(pieces: dict[int, tuple[bool, str]]) -> str:
    charset = ""
    data = bytearray()
    for position, index in enumerate(sorted(pieces)):
        encoded, text = pieces[index]
        if position == 0 and encoded and text.count("'") >= 2:
            charset, _language, text = text.split("'", 2)
        if encoded:
            data += unquote_to_bytes(text.encode("utf-8", "surrogateescape"))
        else:
            data += text.encode("utf-8", "surrogateescape")
    return decode_bytes(bytes(data), charset or None).text


# --------------------------------------------------------------------------- the body


@dataclass
class _PendingAttachment:
    filename: str
    content_type: str
    payload: bytes
    content_id: str


@dataclass
class _Body:
    plain: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)
    attached_text: list[str] = field(default_factory=list)  # attached messages, after the body
    attachments: list[_PendingAttachment] = field(default_factory=list)

    def own_text(self) -> str:
        plain = "\n\n".join(chunk.strip("\n") for chunk in self.plain if chunk.strip())
        if plain.strip():
            return plain
        # No text/plain, or an empty one beside real HTML (some mailers send that):
        # the HTML's text is what the sender wrote.
        return "\n\n".join(html_to_text(chunk) for chunk in self.html if chunk.strip())

    def finish(self) -> tuple[str, str, tuple[MailAttachment, ...]]:
        text = _normalise_text(
            "\n\n".join(chunk for chunk in [self.own_text(), *self.attached_text] if chunk.strip())
        )
        html = sanitize_html("\n".join(self.html)).strip()
        referenced = referenced_cids(html)
        attachments = []
        unnamed = 0
        for pending in self.attachments:
            filename = pending.filename
            if not filename:
                unnamed += 1
                filename = f"attachment-{unnamed}{_extension(pending.content_type)}"
            attachments.append(
                MailAttachment(
                    filename=filename,
                    content_type=pending.content_type,
                    payload=pending.payload,
                    content_id=pending.content_id,
                    inline=bool(pending.content_id) and pending.content_id.lower() in referenced,
                )
            )
        return text, html, tuple(attachments)


_BODY_TYPES = ("text/plain", "text/html")
_MESSAGE_TYPES = ("message/rfc822", "message/global")
_IDENTITY_ENCODINGS = {"", "7bit", "8bit", "binary", "7bits", "8bits", "none", "plain", "text"}
_UUENCODINGS = {"xuuencode", "uuencode", "uue", "xuue"}
_STDLIB_DECODED = {"quoted-printable", "base64", "x-uuencode", "uuencode", "uue", "x-uue"}
_BASE64_DAMAGE = (errors.InvalidBase64PaddingDefect, errors.InvalidBase64LengthDefect)
_BOUNDARY_LINE = re.compile(rb"^--([^\s]{1,200}?)(?:--)?[ \t]*\r?$", re.MULTILINE)
_PART_HEADER = re.compile(rb"[!-9;-~]+:")
# How many "--something" lines to try as the boundary of a multipart that lost it.
_BOUNDARY_CANDIDATES = 5


def _recover_multipart(data: bytes, content_type: str) -> list[Message] | None:
    """A multipart without a boundary parameter (or with one its body does not use):
    take the first "--something" line that recurs and is followed by part headers."""
    for tried, match in enumerate(_BOUNDARY_LINE.finditer(data)):
        if tried == _BOUNDARY_CANDIDATES:
            break
        boundary = match.group(1)
        if data.find(b"--" + boundary, match.end()) < 0:
            continue
        line_start = match.end() + 1
        following = data[
            line_start : data.find(b"\n", line_start) if line_start < len(data) else None
        ]
        if following.strip() and not _PART_HEADER.match(following):
            continue
        head = f'Content-Type: {content_type}; boundary="'.encode("ascii", "replace")
        rebuilt = email.message_from_bytes(
            head + boundary + b'"\r\n\r\n' + data, policy=_MAIL_POLICY
        )
        children = rebuilt.get_payload()
        return children if isinstance(children, list) and children else None
    return None


class _Walker:
    """Walks the MIME tree once, sorting parts into text, HTML and attachments."""

    def __init__(self, *, hints: tuple[str, ...], defects: list[str]) -> None:
        self.hints = hints
        self.defects = defects
        self.part_number = 0
        self.too_deep = False

    def walk(self, part: Message, body: _Body, depth: int) -> None:
        if depth > _MAX_DEPTH:
            if not self.too_deep:
                self.too_deep = True
                self.defects.append(
                    _("Parts nested deeper than %(depth)d levels were skipped.")
                    % {"depth": _MAX_DEPTH}
                )
            return
        self.part_number += 1
        number = self.part_number
        headers = _raw_headers(part)
        content_type = self._content_type(part, headers)
        if content_type.startswith("multipart/"):
            self._multipart(part, headers, content_type, body, depth, number)
        elif content_type in _MESSAGE_TYPES:
            self._attached_message(part, headers, body, depth, number)
        else:
            self._leaf(part, headers, content_type, body, number)

    # -- structure

    def _content_type(self, part: Message, headers: list[tuple[str, str]]) -> str:
        try:
            return part.get_content_type()
        except Exception:
            # policy.default choked on the header: read it the old way for this part.
            part.policy = policy.compat32
            try:
                return part.get_content_type()
            except Exception:
                declared = _header_params(_first(headers, "content-type"))[0]
                return declared if "/" in declared else "text/plain"

    def _multipart(
        self,
        part: Message,
        headers: list[tuple[str, str]],
        content_type: str,
        body: _Body,
        depth: int,
        number: int,
    ) -> None:
        children = self._children(part, headers, content_type, number)
        if children is None:
            self._leaf(part, headers, "text/plain", body, number, force_text=True)
            return
        if content_type == "multipart/alternative":
            self._alternative(children, body, depth)
            return
        for child in children:
            self.walk(child, body, depth + 1)

    def _children(
        self, part: Message, headers: list[tuple[str, str]], content_type: str, number: int
    ) -> list[Message] | None:
        try:
            payload = part.get_payload()
        except Exception:
            payload = None
        if isinstance(payload, list):
            return payload
        data = self._payload_bytes(part, headers, number)
        if not data.strip():
            return []
        recovered = _recover_multipart(data, content_type)
        if recovered is not None:
            self.defects.append(
                _(
                    "Part %(part)s said it had several parts but gave no usable boundary; "
                    "the boundary was guessed from its body."
                )
                % {"part": number}
            )
            return recovered
        self.defects.append(
            _(
                "Part %(part)s said it had several parts but none could be found; "
                "its body is shown as text."
            )
            % {"part": number}
        )
        return None

    def _alternative(self, children: list[Message], body: _Body, depth: int) -> None:
        """Keep the last (richest) plain and the last HTML version; attachments from all."""
        best_plain: list[str] = []
        best_html: list[str] = []
        for child in children:
            version = _Body()
            self.walk(child, version, depth + 1)
            if any(chunk.strip() for chunk in version.plain):
                best_plain = version.plain
            if any(chunk.strip() for chunk in version.html):
                best_html = version.html
            body.attached_text += version.attached_text
            body.attachments += version.attachments
        body.plain += best_plain
        body.html += best_html

    # -- attached messages

    def _attached_message(
        self,
        part: Message,
        headers: list[tuple[str, str]],
        body: _Body,
        depth: int,
        number: int,
    ) -> None:
        inner_message = self._inner_message(part, headers, number)
        if inner_message is None:
            self._leaf(part, headers, "message/rfc822", body, number)
            return
        inner = _Body()
        self.walk(inner_message, inner, depth + 1)
        inner_headers = _raw_headers(inner_message)
        subject = _one_line(decode_header_text(_first(inner_headers, "subject"), self.hints))
        block = [_("---- Attached message ----")]
        for label, value in (
            (_("From"), _one_line(decode_header_text(_first(inner_headers, "from"), self.hints))),
            (_("Subject"), subject),
            (_("Date"), _one_line(_first(inner_headers, "date"))),
        ):
            if value:
                block.append(f"{label}: {value}")
        inner_text = inner.own_text()
        text = "\n".join(block) + ("\n\n" + inner_text if inner_text.strip() else "")
        body.attached_text.append(text)
        body.attached_text += inner.attached_text

        filename = _filename(
            headers,
            _header_params(_first(headers, "content-disposition"))[1],
            _header_params(_first(headers, "content-type"))[1],
        )
        filename = filename or _safe_filename(subject)
        if filename and not filename.lower().endswith(".eml"):
            filename += ".eml"
        body.attachments.append(
            _PendingAttachment(
                filename=filename,
                content_type="message/rfc822",
                payload=_message_bytes(inner_message),
                content_id=_clean_id(_first(headers, "content-id")),
            )
        )
        body.attachments += inner.attachments

    def _inner_message(
        self, part: Message, headers: list[tuple[str, str]], number: int
    ) -> Message | None:
        encoding = _transfer_encoding(headers)
        try:
            payload = part.get_payload()
        except Exception:
            payload = None
        if encoding in ("base64", "quotedprintable") or not isinstance(payload, list):
            # Some mailers encode the attached message (RFC 2046 forbids it); the stdlib
            # then parses the encoded text as headers. Decode and parse again.
            data = self._payload_bytes(part, headers, number)
            return email.message_from_bytes(data, policy=_MAIL_POLICY) if data.strip() else None
        return payload[0] if payload and isinstance(payload[0], Message) else None

    # -- leaves

    def _leaf(
        self,
        part: Message,
        headers: list[tuple[str, str]],
        content_type: str,
        body: _Body,
        number: int,
        force_text: bool = False,
    ) -> None:
        disposition, disposition_params = _header_params(_first(headers, "content-disposition"))
        type_params = _header_params(_first(headers, "content-type"))[1]
        filename = _filename(headers, disposition_params, type_params)
        is_body = force_text or (
            content_type in _BODY_TYPES
            and disposition != "attachment"
            and not (filename and disposition != "inline")
        )
        data = self._payload_bytes(part, headers, number)
        if is_body:
            decoded = decode_bytes(data, type_params.get("charset"), self.hints)
            self._note_charset(decoded, type_params.get("charset", ""), number)
            if content_type == "text/html":
                body.html.append(decoded.text)
            elif type_params.get("format", "").lower() == "flowed":
                body.plain.append(_unflow(decoded.text, type_params.get("delsp", "") == "yes"))
            else:
                body.plain.append(decoded.text)
            return
        body.attachments.append(
            _PendingAttachment(
                filename=filename,
                content_type=content_type,
                payload=data,
                content_id=_clean_id(_first(headers, "content-id")),
            )
        )

    def _payload_bytes(self, part: Message, headers: list[tuple[str, str]], number: int) -> bytes:
        """The part's bytes with its transfer encoding undone, however it was spelled."""
        if part.is_multipart():
            payload = part.get_payload()
            return b"".join(_message_bytes(item) for item in payload if isinstance(item, Message))
        try:
            stdlib_encoding, data = _stdlib_payload(part)
        except Exception:
            # policy.default choked on a header of this part: read it the old way.
            part.policy = policy.compat32
            try:
                stdlib_encoding, data = _stdlib_payload(part)
            except Exception:
                return b""
        if stdlib_encoding in _STDLIB_DECODED:
            if stdlib_encoding == "base64" and any(
                isinstance(defect, _BASE64_DAMAGE) for defect in part.defects
            ):
                self.defects.append(
                    _("Part %(part)s has damaged base64; what could be read was kept.")
                    % {"part": number}
                )
            return data
        # The stdlib only undoes exact spellings; the bytes are still encoded for
        # "Quoted printable", "base64;" and the like.
        encoding = _transfer_encoding(headers)
        if encoding in _IDENTITY_ENCODINGS:
            return data
        if encoding == "base64":
            decoded, damaged = _base64(data)
            if damaged:
                self.defects.append(
                    _("Part %(part)s has damaged base64; what could be read was kept.")
                    % {"part": number}
                )
            return decoded
        if encoding == "quotedprintable":
            return binascii.a2b_qp(data)
        if encoding in _UUENCODINGS:
            return _uudecode(data)
        self.defects.append(
            _('Part %(part)s used an unknown transfer encoding "%(encoding)s"; read as is.')
            % {"part": number, "encoding": _one_line(_first(headers, "content-transfer-encoding"))}
        )
        return data

    def _note_charset(self, decoded: Decoded, declared: str, number: int) -> None:
        if not decoded.guessed:
            return
        label = normalise_label(declared)
        values = {"part": number, "charset": decoded.charset, "declared": declared.strip()}
        if not label or not codecs_for(label) or codecs_for(label)[0] == "ascii":
            message = _(
                "Part %(part)s has 8-bit text without a usable charset; read as %(charset)s."
            )
        else:
            message = _("Part %(part)s declared %(declared)s but was read as %(charset)s.")
        self.defects.append(message % values)


def _filename(
    headers: list[tuple[str, str]], disposition_params: dict[str, str], type_params: dict[str, str]
) -> str:
    name = disposition_params.get("filename") or type_params.get("name") or ""
    if not name:
        # Apple Mail names inline images only by their Content-Location.
        location = _one_line(_first(headers, "content-location"))
        name = location.rsplit("/", 1)[-1] if "." in location.rsplit("/", 1)[-1] else ""
    return _safe_filename(name)


def _stdlib_payload(part: Message) -> tuple[str, bytes]:
    """The payload as the stdlib decodes it, and the encoding name it went by (its
    get_payload(decode=True) undoes only exactly spelled encodings, else returns the
    raw bytes: the same bytes whatever charset the part declares)."""
    encoding = str(part.get("content-transfer-encoding", "")).lower()
    data = part.get_payload(decode=True)
    return encoding, data if isinstance(data, bytes) else b""


def _transfer_encoding(headers: list[tuple[str, str]]) -> str:
    """ "Quoted-Printable", "quoted printable", "7-bit", "base64;" -> comparable tokens."""
    value = _one_line(_first(headers, "content-transfer-encoding")).lower()
    value = value.split(";", 1)[0].strip().strip("\"'")
    return re.sub(r"[^a-z0-9]", "", value)


def _base64(raw: bytes) -> tuple[bytes, bool]:
    try:
        return binascii.a2b_base64(raw), False
    except (binascii.Error, ValueError):
        cleaned = re.sub(rb"[^A-Za-z0-9+/]", b"", raw)
        if len(cleaned) % 4 == 1:
            cleaned = cleaned[:-1]
        try:
            return binascii.a2b_base64(cleaned + b"=" * (-len(cleaned) % 4)), True
        except (binascii.Error, ValueError):
            return b"", True


def _uudecode(raw: bytes) -> bytes:
    out = bytearray()
    started = False
    for line in raw.splitlines():
        if not started:
            started = line.startswith(b"begin ")
            continue
        if line.strip() in (b"end", b"`"):
            if line.strip() == b"end":
                break
            continue
        try:
            out += binascii.a2b_uu(line)
        except binascii.Error:
            # Some encoders pad lines wrongly; the line's declared length is reliable.
            length = ((line[0] - 32) & 63) * 4 // 3 if line else 0
            try:
                out += binascii.a2b_uu(line[: length + 1])
            except binascii.Error:
                continue
    return bytes(out)


class _VerbatimHeaders(Compat32):
    """Writes each header exactly as it was received, its folding included (the
    stdlib's generators refold, slowly, and may rewrite what they do not understand)."""

    def fold_binary(self, name: str, value: str) -> bytes:  # type: ignore[override]
        return f"{name}: {value}{self.linesep}".encode("utf-8", "surrogateescape")


_VERBATIM = _VerbatimHeaders(linesep="\r\n")


def _message_bytes(message: Message) -> bytes:
    """An attached message as bytes for its .eml file."""
    buffer = io.BytesIO()
    try:
        BytesGenerator(buffer, mangle_from_=False, policy=_VERBATIM).flatten(message)
    except Exception:
        try:
            return message.as_bytes(policy=policy.compat32)
        except Exception:
            return b""
    return buffer.getvalue()


def _unflow(text: str, delsp: bool) -> str:
    """Join format=flowed soft line breaks (RFC 3676): a line ending in a space continues
    on the next line, except the signature separator "-- "."""
    text = text.replace("\r\n", "\n")
    out: list[str] = []
    paragraph: list[str] = []
    for line in text.split("\n"):
        if line.startswith(" "):  # space-stuffed
            line = line[1:]
        if line.endswith(" ") and line != "-- ":
            paragraph.append(line[:-1] if delsp else line)
            continue
        out.append("".join(paragraph) + line)
        paragraph = []
    if paragraph:
        out.append("".join(paragraph))
    return "\n".join(out)


_UNSAFE_FILENAME = re.compile(r"[\x00-\x1f\x7f/\\]")


def _safe_filename(name: str) -> str:
    """The last path segment, without control characters, at most 200 characters."""
    name = _one_line(name).replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE_FILENAME.sub("", name).strip().lstrip(".").strip()
    if len(name) > _MAX_FILENAME:
        stem, dot, extension = name.rpartition(".")
        if dot and len(extension) <= 10:
            name = stem[: _MAX_FILENAME - len(extension) - 1] + "." + extension
        else:
            name = name[:_MAX_FILENAME]
    return name


_EXTENSIONS = {
    "message/rfc822": ".eml",
    "message/global": ".eml",
    "message/delivery-status": ".txt",
    "message/disposition-notification": ".txt",
    "text/rfc822-headers": ".txt",
    "text/plain": ".txt",
    "text/html": ".html",
    "image/jpg": ".jpg",
    "image/jpeg": ".jpg",
    "image/pjpeg": ".jpg",
    "application/octet-stream": ".bin",
    "application/pgp-signature": ".asc",
    "application/pkcs7-signature": ".p7s",
}


def _extension(content_type: str) -> str:
    known = _EXTENSIONS.get(content_type) or mimetypes.guess_extension(content_type)
    return known or (".txt" if content_type.startswith("text/") else ".bin")


_LEADING_BLANK_LINES = re.compile(r"^(?:[ \t]*\n)+")


def _normalise_text(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    return _LEADING_BLANK_LINES.sub("", text).rstrip()


_CONTROL_BYTES = bytes(set(range(32)) - {9, 10, 12, 13})


def _looks_binary(raw: bytes) -> bool:
    """More than a tenth control bytes (NULs included) at the start: a file, not text."""
    sample = raw[:4096]
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    return controls > len(sample) * 0.1
