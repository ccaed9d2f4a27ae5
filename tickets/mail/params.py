"""MIME header parameters and the attachment file names made from them.

Content-Type and Content-Disposition are read from the raw value, not by the stdlib,
because the names real mailers send (unquoted with spaces, encoded words inside quotes,
RFC 2231 pieces in any charset) are exactly where the stdlib is strict or gives up.
"""

from __future__ import annotations

import re
from urllib.parse import unquote_to_bytes

from .charsets import decode_bytes, decode_header_text
from .headers import header_value, one_line, unfold

_EXTENDED_KEY = re.compile(r"^([^*]+)\*(\d+)?(\*)?$")
_UNSAFE_FILENAME = re.compile(r"[\x00-\x1f\x7f/\\]")
_MAX_FILENAME = 200


def header_params(value: str) -> tuple[str, dict[str, str]]:
    """'attachment; filename="a b.pdf"' -> ("attachment", {"filename": "a b.pdf"}).

    Lenient where the stdlib is strict: unquoted values keep their spaces, encoded words
    are decoded even where RFC 2047 forbids them (inside quotes: every mailer does it),
    and RFC 2231 values (name*=, name*0*=) are joined and decoded with our charsets.
    """
    if not value:
        return "", {}
    segments = _split_params(unfold(value))
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


# --------------------------------------------------------------------------- file names


def part_filename(
    headers: list[tuple[str, str]], disposition_params: dict[str, str], type_params: dict[str, str]
) -> str:
    """The name a part gives itself, made safe; "" when it gives none."""
    name = disposition_params.get("filename") or type_params.get("name") or ""
    if not name:
        # Apple Mail names inline images only by their Content-Location.
        location = one_line(header_value(headers, "content-location"))
        name = location.rsplit("/", 1)[-1] if "." in location.rsplit("/", 1)[-1] else ""
    return safe_filename(name)


def safe_filename(name: str) -> str:
    """The last path segment, without control characters, at most 200 characters."""
    name = one_line(name).replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE_FILENAME.sub("", name).strip().lstrip(".").strip()
    if len(name) > _MAX_FILENAME:
        stem, dot, extension = name.rpartition(".")
        if dot and len(extension) <= 10:
            name = stem[: _MAX_FILENAME - len(extension) - 1] + "." + extension
        else:
            name = name[:_MAX_FILENAME]
    return name
