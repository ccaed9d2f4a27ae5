"""What the walk over a message's parts collects, and how that becomes the `text`,
`html` and `attachments` of a `ParsedMail`: which text wins, what the HTML is allowed
to keep, and the names made up for attachments that gave none.
"""

from __future__ import annotations

import mimetypes
import re
from dataclasses import dataclass, field

from .html import html_to_text, referenced_cids, sanitize_html
from .parsed import MailAttachment


@dataclass
class PendingAttachment:
    """An attachment as the walk found it: its name may still be missing."""

    filename: str
    content_type: str
    payload: bytes
    content_id: str


@dataclass
class Body:
    """Text, HTML and attachments of one message (or one version of an alternative)."""

    plain: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)
    attached_text: list[str] = field(default_factory=list)  # attached messages, after the body
    attachments: list[PendingAttachment] = field(default_factory=list)
    # The readable text of each inline part (or of each alternative, its best version),
    # in the order of the message: ("plain", text) or ("html", html).
    segments: list[tuple[str, str]] = field(default_factory=list)

    def add_plain(self, text: str) -> None:
        self.plain.append(text)
        self.segments.append(("plain", text))

    def add_html(self, html: str) -> None:
        self.html.append(html)
        self.segments.append(("html", html))

    def own_text(self) -> str:
        """Every inline text part, in order: a multipart/mixed of HTML, then text, then
        HTML again is one body (the request in the HTML, the signature in the text)."""
        chunks = []
        for kind, chunk in self.segments:
            if not chunk.strip():
                continue
            chunks.append(chunk.strip("\n") if kind == "plain" else html_to_text(chunk))
        return "\n\n".join(chunk for chunk in chunks if chunk.strip())

    def finish(self) -> tuple[str, str, tuple[MailAttachment, ...]]:
        text = normalise_text(
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


def normalise_text(text: str) -> str:
    """\\n line ends, no NULs, no blank lines at the start, no whitespace at the end."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    return _LEADING_BLANK_LINES.sub("", text).rstrip()
