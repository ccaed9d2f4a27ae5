"""The one walk over a message's MIME tree, sorting its parts into text, HTML and
attachments (into a `Body`), attached messages included.

Every access to a part can fail on broken mail, so each is guarded and falls back to
something readable, with what was guessed added to `defects`.
"""

from __future__ import annotations

import email
import re
from email import policy
from email.message import Message

from django.utils.translation import gettext as _

from .addresses import clean_id
from .body import Body, PendingAttachment
from .charsets import Decoded, codecs_for, decode_bytes, decode_header_text, normalise_label
from .headers import MAIL_POLICY, header_value, one_line, raw_headers
from .params import header_params, part_filename, safe_filename
from .transfer import message_bytes, part_bytes, transfer_encoding, unflow

# Deeper nesting than this is an attack or a loop, not mail.
_MAX_DEPTH = 30

_BODY_TYPES = ("text/plain", "text/html")
_MESSAGE_TYPES = ("message/rfc822", "message/global")
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
            head + boundary + b'"\r\n\r\n' + data, policy=MAIL_POLICY
        )
        children = rebuilt.get_payload()
        return children if isinstance(children, list) and children else None
    return None


class Walker:
    """Walks the MIME tree once, sorting parts into text, HTML and attachments."""

    def __init__(self, *, hints: tuple[str, ...], defects: list[str]) -> None:
        self.hints = hints
        self.defects = defects
        self.part_number = 0
        self.too_deep = False

    def walk(self, part: Message, body: Body, depth: int) -> None:
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
        headers = raw_headers(part)
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
                declared = header_params(header_value(headers, "content-type"))[0]
                return declared if "/" in declared else "text/plain"

    def _multipart(
        self,
        part: Message,
        headers: list[tuple[str, str]],
        content_type: str,
        body: Body,
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
        data = part_bytes(part, headers, number, self.defects)
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

    def _alternative(self, children: list[Message], body: Body, depth: int) -> None:
        """Keep the last (richest) plain and the last HTML version; attachments from all.
        The text is the plain version, else the HTML's, as one segment of the body."""
        best_plain: list[str] = []
        best_html: list[str] = []
        best_segments: list[tuple[str, str]] = []
        for child in children:
            version = Body()
            self.walk(child, version, depth + 1)
            if any(chunk.strip() for chunk in version.plain):
                best_plain = version.plain
            if any(chunk.strip() for chunk in version.html):
                best_html = version.html
            if any(chunk.strip() for _kind, chunk in version.segments):
                has_plain = any(k == "plain" and c.strip() for k, c in version.segments)
                had_plain = any(k == "plain" and c.strip() for k, c in best_segments)
                if has_plain or not had_plain:
                    best_segments = version.segments
            body.attached_text += version.attached_text
            body.attachments += version.attachments
        body.plain += best_plain
        body.html += best_html
        body.segments += best_segments

    # -- attached messages

    def _attached_message(
        self,
        part: Message,
        headers: list[tuple[str, str]],
        body: Body,
        depth: int,
        number: int,
    ) -> None:
        inner_message = self._inner_message(part, headers, number)
        if inner_message is None:
            self._leaf(part, headers, "message/rfc822", body, number)
            return
        inner = Body()
        self.walk(inner_message, inner, depth + 1)
        inner_headers = raw_headers(inner_message)
        subject = one_line(decode_header_text(header_value(inner_headers, "subject"), self.hints))
        sender = one_line(decode_header_text(header_value(inner_headers, "from"), self.hints))
        block = [_("---- Attached message ----")]
        for label, value in (
            (_("From"), sender),
            (_("Subject"), subject),
            (_("Date"), one_line(header_value(inner_headers, "date"))),
        ):
            if value:
                block.append(f"{label}: {value}")
        inner_text = inner.own_text()
        text = "\n".join(block) + ("\n\n" + inner_text if inner_text.strip() else "")
        body.attached_text.append(text)
        body.attached_text += inner.attached_text

        filename = part_filename(
            headers,
            header_params(header_value(headers, "content-disposition"))[1],
            header_params(header_value(headers, "content-type"))[1],
        )
        filename = filename or safe_filename(subject)
        if filename and not filename.lower().endswith(".eml"):
            filename += ".eml"
        body.attachments.append(
            PendingAttachment(
                filename=filename,
                content_type="message/rfc822",
                payload=message_bytes(inner_message),
                content_id=clean_id(header_value(headers, "content-id")),
            )
        )
        body.attachments += inner.attachments

    def _inner_message(
        self, part: Message, headers: list[tuple[str, str]], number: int
    ) -> Message | None:
        encoding = transfer_encoding(headers)
        try:
            payload = part.get_payload()
        except Exception:
            payload = None
        if encoding in ("base64", "quotedprintable") or not isinstance(payload, list):
            # Some mailers encode the attached message (RFC 2046 forbids it); the stdlib
            # then parses the encoded text as headers. Decode and parse again.
            data = part_bytes(part, headers, number, self.defects)
            return email.message_from_bytes(data, policy=MAIL_POLICY) if data.strip() else None
        return payload[0] if payload and isinstance(payload[0], Message) else None

    # -- leaves

    def _leaf(
        self,
        part: Message,
        headers: list[tuple[str, str]],
        content_type: str,
        body: Body,
        number: int,
        force_text: bool = False,
    ) -> None:
        disposition, disposition_params = header_params(
            header_value(headers, "content-disposition")
        )
        type_params = header_params(header_value(headers, "content-type"))[1]
        filename = part_filename(headers, disposition_params, type_params)
        is_body = force_text or (
            content_type in _BODY_TYPES
            and disposition != "attachment"
            and not (filename and disposition != "inline")
        )
        data = part_bytes(part, headers, number, self.defects)
        if is_body:
            decoded = decode_bytes(data, type_params.get("charset"), self.hints)
            self._note_charset(decoded, type_params.get("charset", ""), number)
            if content_type == "text/html":
                body.add_html(decoded.text)
            elif type_params.get("format", "").lower() == "flowed":
                body.add_plain(unflow(decoded.text, type_params.get("delsp", "") == "yes"))
            else:
                body.add_plain(decoded.text)
            return
        body.attachments.append(
            PendingAttachment(
                filename=filename,
                content_type=content_type,
                payload=data,
                content_id=clean_id(header_value(headers, "content-id")),
            )
        )

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
