"""Reading a message's headers leniently, as raw text and as one-line values.

The stdlib reads headers through `MAIL_POLICY` (policy.default with a parse cache and a
compat32 fallback for headers it chokes on); everything Beacon keeps is read from the
raw values by the helpers here, because real mail breaks the rules the modern parser
relies on. Header-block repair happens on the bytes, before the stdlib sees them.
"""

from __future__ import annotations

import re
from datetime import UTC
from email import policy
from email.message import Message
from email.policy import EmailPolicy
from email.utils import parsedate_to_datetime
from functools import lru_cache

from django.utils.translation import gettext as _

from .charsets import decode_bytes


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


MAIL_POLICY = _RereadingPolicy()
_MODERN_PARSE_LIMIT = 8192


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


def repair_header_block(raw: bytes, defects: list[str]) -> bytes:
    """Fix the header-block mistakes that make the stdlib parser give up on every header
    after them: "Subject   : x" (obsolete space before the colon), and a line that is not
    "Name: value" among header lines. Such a line continues the header before it, as
    other help desks read it (a fold that lost its leading space: "Subject: a long\n
    subject" ); before the first header it is junk and skipped. A line followed by more
    such lines, not by a header, is where the body starts (no blank line)."""
    end = _BLANK_LINE.search(raw)
    head = raw[: end.start()] if end else raw
    lines = head.split(b"\n")
    if all(_is_header_piece(line, index) for index, line in enumerate(lines)):
        return raw
    # headers_from[i]: lines i.. up to the blank line are all header lines or folds.
    headers_from = [True] * (len(lines) + 1)
    for index in range(len(lines) - 1, -1, -1):
        fixed = _SPACED_COLON.sub(rb"\1:", lines[index])
        headers_from[index] = headers_from[index + 1] and _is_header_piece(fixed, index)
    kept: list[bytes] = []
    skipped = continued = 0
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
        following = _SPACED_COLON.sub(rb"\1:", following)
        # A fold that lost its space is followed by the rest of the header block (a
        # known header next, or nothing but header lines up to the blank line); body
        # text that only happens to have a "Note: ..." line further down is not.
        fold = _KNOWN_HEADER.match(following) or (
            _HEADER_LINE.match(following) and headers_from[index + 1]
        )
        if fold and any(_HEADER_LINE.match(k) for k in kept):
            continued += 1
            kept.append(b" " + line)
            continue
        if _KNOWN_HEADER.match(following):
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
    if continued:
        defects.append(
            _(
                "%(count)d header line(s) did not start with a space; each was read as the "
                "continuation of the header before it."
            )
            % {"count": continued}
        )
    return b"\n".join(kept) + (raw[end.start() :] if end else b"")


def _is_header_piece(line: bytes, index: int) -> bool:
    return (
        bool(_HEADER_LINE.match(line))
        or line[:1] in (b" ", b"\t")
        or (index == 0 and line.startswith(b"From "))
        or not line.strip(b"\r")
    )


# --------------------------------------------------------------------------- raw values


def raw_headers(part: Message) -> list[tuple[str, str]]:
    """Header names and values as they came (8-bit bytes kept as surrogate escapes)."""
    try:
        return [(str(name).strip(), str(value)) for name, value in part.raw_items()]
    except Exception:
        return []


def header_value(headers: list[tuple[str, str]], name: str) -> str:
    """The first header called `name` (lower case), raw; "" when absent."""
    for key, value in headers:
        if key.lower() == name:
            return value
    return ""


def header_values(headers: list[tuple[str, str]], name: str) -> list[str]:
    """Every header called `name` (lower case), raw, in order."""
    return [value for key, value in headers if key.lower() == name]


_FOLDING = re.compile(r"\r?\n(?=[ \t])|\r?\n|\r")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_WHITESPACE_RUN = re.compile(r"\s+")
_COMMENT = re.compile(r"\([^()]*\)")
_TIME_COLON = re.compile(r"(?<=\d)\s*:\s*(?=\d)")


def _plain(value: str) -> str:
    """Raw header text with its 8-bit bytes (kept as surrogate escapes) decoded."""
    if value.isascii():
        return value
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return decode_bytes(value.encode("utf-8", "surrogateescape")).text
    return value


def unfold(value: str) -> str:
    """A raw header value with its line breaks removed and its 8-bit bytes decoded."""
    return _FOLDING.sub("", _plain(value))


def one_line(value: str) -> str:
    """A header value as one line of text: unfolded, control characters and runs of
    whitespace turned into single spaces."""
    return _WHITESPACE_RUN.sub(" ", _CONTROL.sub(" ", unfold(value))).strip()


def without_comments(value: str) -> str:
    """RFC 822 "(comments)" removed (innermost level only, as mailers write them)."""
    return _COMMENT.sub("", value)


def iso_date(value: str) -> str:
    """A Date header as ISO 8601 in UTC; "" when it cannot be read."""
    # RFC 822 allowed comments and spaces around the colons: "09(comment):   55  :  06".
    value = _TIME_COLON.sub(":", without_comments(one_line(value)))
    if not value:
        return ""
    try:
        moment = parsedate_to_datetime(value)
        if moment.tzinfo is None:  # "-0000" or no zone: RFC 5322 says treat as UTC
            moment = moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC).isoformat()
    except (TypeError, ValueError, IndexError, OverflowError, AttributeError):
        return ""
