"""Undoing what was done to a part for transport: transfer encodings however they are
spelled (uuencode, damaged base64 included) and format=flowed line wrapping; and the
reverse for attached messages, written back to bytes as they were received.
"""

from __future__ import annotations

import binascii
import io
import re
from email import errors, policy
from email.generator import BytesGenerator
from email.message import Message
from email.policy import Compat32

from django.utils.translation import gettext as _

from .headers import header_value, one_line

_IDENTITY_ENCODINGS = {"", "7bit", "8bit", "binary", "7bits", "8bits", "none", "plain", "text"}
_UUENCODINGS = {"xuuencode", "uuencode", "uue", "xuue"}
_STDLIB_DECODED = {"quoted-printable", "base64", "x-uuencode", "uuencode", "uue", "x-uue"}
_BASE64_DAMAGE = (errors.InvalidBase64PaddingDefect, errors.InvalidBase64LengthDefect)


def part_bytes(
    part: Message, headers: list[tuple[str, str]], number: int, defects: list[str]
) -> bytes:
    """The part's bytes with its transfer encoding undone, however it was spelled.

    What had to be guessed is added to `defects`, naming the part by its `number`.
    """
    if part.is_multipart():
        payload = part.get_payload()
        return b"".join(message_bytes(item) for item in payload if isinstance(item, Message))
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
            defects.append(
                _("Part %(part)s has damaged base64; what could be read was kept.")
                % {"part": number}
            )
        return data
    # The stdlib only undoes exact spellings; the bytes are still encoded for
    # "Quoted printable", "base64;" and the like.
    encoding = transfer_encoding(headers)
    if encoding in _IDENTITY_ENCODINGS:
        return data
    if encoding == "base64":
        decoded, damaged = _base64(data)
        if damaged:
            defects.append(
                _("Part %(part)s has damaged base64; what could be read was kept.")
                % {"part": number}
            )
        return decoded
    if encoding == "quotedprintable":
        return binascii.a2b_qp(data)
    if encoding in _UUENCODINGS:
        return _uudecode(data)
    defects.append(
        _('Part %(part)s used an unknown transfer encoding "%(encoding)s"; read as is.')
        % {
            "part": number,
            "encoding": one_line(header_value(headers, "content-transfer-encoding")),
        }
    )
    return data


def _stdlib_payload(part: Message) -> tuple[str, bytes]:
    """The payload as the stdlib decodes it, and the encoding name it went by (its
    get_payload(decode=True) undoes only exactly spelled encodings, else returns the
    raw bytes: the same bytes whatever charset the part declares)."""
    encoding = str(part.get("content-transfer-encoding", "")).lower()
    data = part.get_payload(decode=True)
    return encoding, data if isinstance(data, bytes) else b""


def transfer_encoding(headers: list[tuple[str, str]]) -> str:
    """ "Quoted-Printable", "quoted printable", "7-bit", "base64;" -> comparable tokens."""
    value = one_line(header_value(headers, "content-transfer-encoding")).lower()
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


def unflow(text: str, delsp: bool) -> str:
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


# --------------------------------------------------------------------------- back to bytes


class _VerbatimHeaders(Compat32):
    """Writes each header exactly as it was received, its folding included (the
    stdlib's generators refold, slowly, and may rewrite what they do not understand)."""

    def fold_binary(self, name: str, value: str) -> bytes:  # type: ignore[override]
        return f"{name}: {value}{self.linesep}".encode("utf-8", "surrogateescape")


_VERBATIM = _VerbatimHeaders(linesep="\r\n")


def message_bytes(message: Message) -> bytes:
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
