"""What the parser makes of one raw message: plain values only, no database."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class MailAddress:
    name: str  # display name, decoded ("张三"), may be ""
    address: str  # lower-cased "user@example.com"; "" when the header had none usable


@dataclass(frozen=True)
class MailAttachment:
    filename: str  # decoded, never empty (a made-up name when the message gave none)
    content_type: str  # as declared, lower case: "image/png", "application/pdf"
    payload: bytes  # the decoded bytes
    content_id: str = ""  # without <>, for inline parts referenced as cid:...
    inline: bool = False  # an inline image the HTML refers to (by its content_id)


@dataclass(frozen=True)
class ParsedMail:
    message_id: str  # without <>, "" when missing or unusable
    in_reply_to: tuple[str, ...]  # ids without <>
    references: tuple[str, ...]  # ids without <>, oldest first
    subject: str  # decoded, one line, "" when missing
    sender: MailAddress  # From (first address), else Sender / Return-Path
    reply_to: MailAddress | None
    to: tuple[MailAddress, ...]  # To + Cc + Delivered-To/X-Original-To, in that order
    date: str  # ISO 8601 in UTC, "" when missing or unparseable
    headers: tuple[tuple[str, str], ...]  # every header, decoded, in order (for the record)
    text: str  # the whole readable text body (from text/plain, else from the HTML)
    # The HTML body sanitised by nh3; "" when none. Inline images keep their "cid:X"
    # sources until `html.rewrite_cids` points them at the stored attachments.
    html: str
    attachments: tuple[MailAttachment, ...] = ()
    # Parts the parser had to guess or skip, in words an agent understands.
    defects: tuple[str, ...] = field(default=())

    def header(self, name: str) -> str:
        """The first header called `name` (any case), decoded; "" when absent."""
        wanted = name.lower()
        for key, value in self.headers:
            if key.lower() == wanted:
                return value
        return ""

    def header_all(self, name: str) -> list[str]:
        wanted = name.lower()
        return [value for key, value in self.headers if key.lower() == wanted]


class MailUnparseable(ValueError):
    """Nothing usable could be read from the bytes (not a message at all)."""
