"""Who a message is from and to, and which messages it answers: addresses, display
names and Message-ID lists read leniently from raw header values.

Real address headers break RFC 5322 freely (lists without commas, unquoted display
names with "@" in them, 8-bit names, obsolete routes), so they are split by hand here
rather than by the stdlib's strict parser.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from .charsets import decode_bytes, decode_header_text
from .headers import header_value, header_values, one_line, unfold, without_comments
from .parsed import MailAddress

_ANGLE_ID = re.compile(r"<([^<>]*)>")
_SPACE_OR_CONTROL = re.compile(r"[\s\x00-\x1f\x7f]+")
_ADDRESS = re.compile(r"[^\s@<>()\[\],;:\"]+@[^\s@<>()\[\],;:\"]+")
_AROUND_DOTS = re.compile(r"\s*([.@])\s*")
_INNER_SPACE = re.compile(r"[^\s,:]\s+[^\s]")


# --------------------------------------------------------------------------- message ids


def clean_id(value: str) -> str:
    """'<abc@example.com>' -> 'abc@example.com'; whitespace and comments removed."""
    value = unfold(value).strip()
    found = _ANGLE_ID.search(value)
    if found:
        inner = found.group(1)
    else:
        inner = value.split()[0] if value.split() else ""
    return _SPACE_OR_CONTROL.sub("", without_comments(inner))


def message_ids(values: list[str]) -> tuple[str, ...]:
    """All message ids in In-Reply-To / References headers, in order, without repeats."""
    found: list[str] = []
    for value in values:
        value = unfold(value)
        bracketed = _ANGLE_ID.findall(value)
        if bracketed:
            found += [_SPACE_OR_CONTROL.sub("", without_comments(inner)) for inner in bracketed]
        else:  # ids without brackets: take the tokens that look like ids
            found += [token for token in re.split(r"[\s,]+", value) if "@" in token]
    return tuple(dict.fromkeys(token for token in found if token))


# --------------------------------------------------------------------------- addresses


def read_addresses(value: str, hints: tuple[str, ...]) -> list[MailAddress]:
    """Every address in an address header, leniently: bare lists without commas,
    unquoted display names with "@" in them, groups, comments, obsolete routes."""
    if not value:
        return []
    if not value.isascii():  # RFC 6532 UTF-8 or raw 8-bit: decode before splitting
        value = decode_bytes(value.encode("utf-8", "surrogateescape"), None, hints).text
    text = unfold(value)
    found: list[MailAddress] = []
    for chunk in _split_address_list(text):
        for name, address in _read_mailbox(chunk):
            name = one_line(decode_header_text(name, hints))
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
        inside = _AROUND_DOTS.sub(r"\1", rest.split(">", 1)[0].strip())
        if _INNER_SPACE.search(inside):
            # "<power quadrant system@example.com>": squeezing the spaces out would make
            # up an address someone else may own; the sender is unknown instead.
            return [(_unquote(name) or inside, "")]
        address = _SPACE_OR_CONTROL.sub("", inside)
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


def first_usable(addresses: list[MailAddress]) -> MailAddress | None:
    """The first address that has an address part (not only a display name)."""
    return next((address for address in addresses if address.address), None)


def sender_of(
    headers: list[tuple[str, str]], hints: tuple[str, ...], defects: list[str]
) -> MailAddress:
    """The first usable address of the From headers; without one, Reply-To (it reaches the person), then
    Sender, then Return-Path (a bulk sender's bounce address), noted in `defects`."""
    from_addresses: list[MailAddress] = []
    for value in header_values(headers, "from"):  # a junk From before the real one
        from_addresses += read_addresses(value, hints)
    usable = first_usable(from_addresses)
    if usable:
        return usable
    for fallback in ("reply-to", "sender", "return-path"):
        usable = first_usable(read_addresses(header_value(headers, fallback), hints))
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


def recipients_of(
    headers: list[tuple[str, str]], hints: tuple[str, ...]
) -> tuple[MailAddress, ...]:
    """To, Cc, Delivered-To and X-Original-To addresses, in that order, each once."""
    seen: dict[str, MailAddress] = {}
    for name in ("to", "cc", "delivered-to", "x-original-to"):
        for value in header_values(headers, name):
            for address in read_addresses(value, hints):
                if address.address and address.address not in seen:
                    seen[address.address] = address
    return tuple(seen.values())
