"""Tell whether a pasted contact (email, phone, URL or handle) is an official Beacon channel.

Pure Python (no Django) and total: any string gets a verdict, nothing raises. Only an exact
match after normalising is "official"; anything that merely looks like an official channel
(homoglyphs, 0/o swaps, invisible or bidi characters) is reported as a "lookalike".
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache, lru_cache
from urllib.parse import urlsplit

from confusable_homoglyphs import confusables

MAX_INPUT_CHARS = 500

_Key = tuple[str, ...]
_Positions = set[int]

_HANDLE_KINDS = frozenset({"telegram", "x", "discord", "community"})
_HANDLE_PLATFORMS = {"telegram": "telegram", "x": "x"}  # where a bare @handle has a known URL
_SOCIAL_HOSTS = {
    "t.me": "telegram",
    "telegram.me": "telegram",
    "x.com": "x",
    "twitter.com": "x",
    "discord.gg": "discord",
}
# First path segments that name a kind of link rather than an account: keep the next one too,
# so that an official t.me/joinchat/abc does not make every t.me/joinchat/… link official.
_LINK_TYPE_SEGMENTS = frozenset({"joinchat", "c", "addlist", "i", "intent", "invite", "s"})
_DEFAULT_PORTS = {"": frozenset({80, 443}), "http": frozenset({80}), "https": frozenset({443})}

_CONTROL_CHARS = dict.fromkeys([*range(0x20), *range(0x7F, 0xA0)])
_RTL_OVERRIDE = "\u202e"  # shows the characters after it in reverse order …
_POP_DIRECTION = "\u202c"  # … until this one
_LEFT_TO_RIGHT_MARKS = "\u200e\u200f"
_ASCII_SWAPS = str.maketrans({"0": "o", "1": "l", "i": "l"})  # "i" is a case-folded "I"
_SEQUENCE_SWAPS = (("rn", "m"), ("vv", "w"))
_LETTERS_TO_DIGITS = str.maketrans({"o": "0", "l": "1"})

_EMAIL = re.compile(r'([^\s@<>()\[\]\\,;:"/?#]+)@([^\s@<>()\[\]\\,;:"/?#]+)')
_HOST = re.compile(r"(?:[\w-]+\.)+[\w-]+")
_SCHEME = re.compile(r"(https?):/*")
_PHONE = re.compile(r"\+?[0-9 ().\-/]+")
_NON_DIGITS = re.compile(r"[^0-9]")
_AT_HANDLE = re.compile(r"@(\w{1,32})")
_BARE_HANDLE = re.compile(r"\w{3,32}")
_MIN_PHONE_DIGITS = 7


@dataclass(frozen=True)
class RegistryEntry:
    id: int
    kind: str  # live_chat, request_form, email, hotline, telegram, x, discord, community, website
    value: str
    link: str  # may be "" or another URL for the same channel


@dataclass(frozen=True)
class Verdict:
    status: str  # "official" | "lookalike" | "unknown" | "empty"
    matches: tuple[RegistryEntry, ...]  # official: entries matched; lookalike: entries imitated
    interpreted_as: str  # "email" | "phone" | "url" | "handle" | ""


@dataclass(frozen=True)
class _Phone:
    international: bool
    digits: str  # without the international prefix, or (domestic) without the trunk 0


@dataclass(frozen=True)
class _Reading:
    """One way of reading a normalised string, with the keys it is looked up by."""

    kind: str
    keys: tuple[_Key, ...] = ()
    host: str = ""  # a URL's host on a default port: subject to the website rule
    handle: str = ""  # the account name, for handles and social-network URLs
    phone: _Phone | None = None


@dataclass(frozen=True)
class _Index:
    """The registry keyed every way an input can hit it, exactly and by skeleton."""

    entries: tuple[RegistryEntry, ...]
    keys: dict[_Key, _Positions] = field(default_factory=dict)
    skeleton_keys: dict[_Key, _Positions] = field(default_factory=dict)
    hosts: dict[str, _Positions] = field(default_factory=dict)
    skeleton_hosts: dict[str, _Positions] = field(default_factory=dict)
    international_phones: dict[str, _Positions] = field(default_factory=dict)
    phone_tails: dict[str, _Positions] = field(default_factory=dict)

    def pick(self, positions: _Positions) -> tuple[RegistryEntry, ...]:
        return tuple(self.entries[position] for position in sorted(positions))


def verify(raw: str, registry: Iterable[RegistryEntry]) -> Verdict:
    """Classify any pasted string against the registry of official channels.

    Official needs an exact normalised match; a skeleton match (or one hidden behind
    invisible or bidi characters) is a lookalike; the rest is unknown.
    """
    text = _normalise(raw)
    if not text:
        return Verdict(status="empty", matches=(), interpreted_as="")
    index = _build_index(tuple(registry))
    reading = _read(text)
    if reading is not None and (found := _exact_hits(index, reading)):
        return Verdict(status="official", matches=index.pick(found), interpreted_as=reading.kind)
    lookalike = _find_lookalike(index, text, reading)
    if lookalike is not None:
        return lookalike
    return Verdict(status="unknown", matches=(), interpreted_as=reading.kind if reading else "")


def _normalise(raw: object) -> str:
    """Controls out, length capped, NFKC (full-width → ASCII), trimmed and case-folded."""
    if not isinstance(raw, str):
        return ""
    text = raw.translate(_CONTROL_CHARS)[:MAX_INPUT_CHARS]
    return unicodedata.normalize("NFKC", text).strip().casefold()


def _read(text: str) -> _Reading | None:
    """Email first, then phone, URL and handle: the first reading that fits wins."""
    return _read_email(text) or _read_phone(text) or _read_url(text) or _read_handle(text)


def _read_email(text: str) -> _Reading | None:
    match = _EMAIL.fullmatch(_unwrap_email(text))
    domain = _clean_host(match[2]) if match else None
    if match is None or domain is None:
        return None
    return _Reading("email", keys=(("email", f"{match[1]}@{domain}"),))


def _unwrap_email(text: str) -> str:
    """Drop surrounding spaces, <…> and mailto: (with its ?subject=… part), in either order."""
    candidate = text
    for _ in range(2):
        candidate = candidate.strip()
        if candidate.startswith("<") and candidate.endswith(">"):
            candidate = candidate[1:-1].strip()
        if candidate.startswith("mailto:"):
            candidate = candidate.removeprefix("mailto:").split("?", 1)[0]
    return candidate.strip()


def _read_phone(text: str) -> _Reading | None:
    """Digits with phone punctuation; a leading + or 00 marks the number as international."""
    candidate = text.removeprefix("tel:").strip()
    if not _PHONE.fullmatch(candidate):
        return None
    international = candidate.startswith("+")
    digits = _NON_DIGITS.sub("", candidate.replace("(0)", "") if international else candidate)
    if len(digits) < _MIN_PHONE_DIGITS:
        return None
    if not international and digits.startswith("00"):
        international, digits = True, digits[2:]
    elif not international:
        digits = digits.removeprefix("0")
    return _Reading("phone", phone=_Phone(international=international, digits=digits))


def _read_url(text: str) -> _Reading | None:
    """An http(s) URL, with or without scheme, read the way a browser would find its host.

    Backslashes count as slashes and user-info is dropped, as in browsers, so
    `https://beacon.test@evil.io/` is on evil.io. Without a scheme the host needs a dot
    and a TLD that is not all digits.
    """
    scheme_match = _SCHEME.match(text)
    scheme = scheme_match[1] if scheme_match else ""
    rest = text[scheme_match.end() :] if scheme_match else text
    if not rest or any(char.isspace() for char in rest):
        return None
    try:
        parts = urlsplit("//" + rest.replace("\\", "/"))
        hostname, port = parts.hostname, parts.port
    except ValueError:
        return None
    host = _clean_host(hostname or "")
    if host is None or (not scheme and host.rsplit(".", 1)[-1].isdigit()):
        return None
    host = _drop_www(host)
    port_key = "" if port is None or port in _DEFAULT_PORTS[scheme] else str(port)
    segments = tuple(segment for segment in parts.path.split("/") if segment)
    keys: list[_Key] = [("url", host, port_key, "/".join(segments))]
    account = _social_account(host, segments) if not port_key else None
    if account is not None:
        keys.append(("social", *account))
    handle = account[1] if account is not None and "/" not in account[1] else ""
    return _Reading("url", keys=tuple(keys), host="" if port_key else host, handle=handle)


def _read_handle(text: str) -> _Reading | None:
    """`@name`, or a bare word of 3–32 word characters that is not just digits."""
    at_match = _AT_HANDLE.fullmatch(text)
    if at_match:
        name = at_match[1]
    elif _BARE_HANDLE.fullmatch(text) and not text.isdigit():
        name = text
    else:
        return None
    return _Reading("handle", keys=(("handle", name),), handle=name)


def _clean_host(hostname: str) -> str | None:
    """Host with punycode labels decoded; None unless every label is word characters/hyphens."""
    labels = []
    for label in hostname.removesuffix(".").split("."):
        decoded = _decode_label(label)
        if decoded is None:
            return None
        labels.append(decoded)
    host = unicodedata.normalize("NFKC", ".".join(labels)).casefold()
    return host if _HOST.fullmatch(host) else None


def _decode_label(label: str) -> str | None:
    """`xn--` labels to Unicode. None for invalid ones, such as an ASCII-only `xn--beacon-`,
    which is a different DNS name from `beacon` and must not be read as it."""
    if not label.startswith("xn--"):
        return label
    encoded = label[4:]
    try:
        decoded = encoded.encode("ascii").decode("punycode")
        round_trip = decoded.encode("punycode").decode("ascii")
    except (UnicodeError, ValueError):
        return None
    if not decoded or decoded.isascii() or round_trip != encoded:
        return None
    return decoded


def _drop_www(host: str) -> str:
    stripped = host.removeprefix("www.")
    return stripped if "." in stripped else host


def _social_account(host: str, segments: tuple[str, ...]) -> tuple[str, str] | None:
    """(platform, account) for social-network links: t.me/name, x.com/name, discord invites."""
    if host == "discord.com" and len(segments) >= 2 and segments[0] == "invite":
        return "discord", segments[1]
    platform = _SOCIAL_HOSTS.get(host)
    if platform is None or not segments:
        return None
    if segments[0] == "s" and platform == "telegram" and len(segments) >= 2:
        return platform, segments[1]  # t.me/s/name is the web preview of t.me/name
    if segments[0] in _LINK_TYPE_SEGMENTS:
        return platform, "/".join(segments[:2])
    return platform, segments[0]


def _exact_hits(index: _Index, reading: _Reading) -> _Positions:
    found: _Positions = set()
    for key in reading.keys:
        found |= index.keys.get(key, set())
    if reading.host:
        found |= _website_hits(index.hosts, reading.host)
    if reading.phone is not None:
        found |= _phone_hits(index, reading.phone)
    return found


def _skeleton_hits(index: _Index, reading: _Reading) -> _Positions:
    found: _Positions = set()
    for key in reading.keys:
        found |= index.skeleton_keys.get(_skeleton_key(key), set())
    if reading.host:
        found |= _website_hits(index.skeleton_hosts, _skeleton(reading.host))
    return found


def _website_hits(hosts: dict[str, _Positions], host: str) -> _Positions:
    """Entries whose website host is `host` or a parent of it, on a dot boundary."""
    found: _Positions = set()
    suffix = host
    while True:
        found |= hosts.get(suffix, set())
        if "." not in suffix:
            return found
        suffix = suffix.split(".", 1)[1]


def _phone_hits(index: _Index, phone: _Phone) -> _Positions:
    """International numbers must be equal; a domestic one must end an official number."""
    if phone.international:
        return index.international_phones.get(phone.digits, set())
    if len(phone.digits) < _MIN_PHONE_DIGITS:
        return set()
    return index.phone_tails.get(phone.digits, set())


def _find_lookalike(index: _Index, text: str, reading: _Reading | None) -> Verdict | None:
    """Imitations: same skeleton, or a real match hidden behind invisible/bidi characters."""
    candidates = [(reading, _skeleton_hits)] if reading is not None else []
    for variant in _disguise_variants(text):
        variant_reading = _read(variant)
        if variant_reading is not None:
            candidates.append((variant_reading, _exact_hits))
            candidates.append((variant_reading, _skeleton_hits))
    for candidate, hits in candidates:
        if found := hits(index, candidate):
            return Verdict(
                status="lookalike", matches=index.pick(found), interpreted_as=candidate.kind
            )
    return _phone_lookalike(index, text)


def _phone_lookalike(index: _Index, text: str) -> Verdict | None:
    """A phone number with letters for digits, such as `+86 4OO 820 8888`."""
    if not any("0" <= char <= "9" for char in text):
        return None
    digits = _skeleton(text.removeprefix("tel:")).translate(_LETTERS_TO_DIGITS)
    reading = _read_phone(digits)
    found = _phone_hits(index, reading.phone) if reading and reading.phone else set()
    if not found:
        return None
    return Verdict(status="lookalike", matches=index.pick(found), interpreted_as="phone")


def _disguise_variants(text: str) -> Iterator[str]:
    """The text without invisible format characters, and as displayed after RTL overrides."""
    seen = {text}
    for variant in (text, _display_order(text)):
        variant = variant.translate(_format_chars()).strip()
        if variant and variant not in seen:
            seen.add(variant)
            yield variant


def _display_order(text: str) -> str:
    """Reverse every run after a right-to-left override, roughly as a screen shows it."""
    pieces: list[str] = []
    reversing = False
    run: list[str] = []
    for char in text:
        if char in (_RTL_OVERRIDE, _POP_DIRECTION):
            pieces.append("".join(reversed(run)) if reversing else "".join(run))
            run, reversing = [], char == _RTL_OVERRIDE
        else:
            run.append(char)
    pieces.append("".join(reversed(run)) if reversing else "".join(run))
    return "".join(pieces)


@lru_cache(maxsize=16)
def _build_index(entries: tuple[RegistryEntry, ...]) -> _Index:
    """Read every entry's value and link once; cached, as the registry rarely changes."""
    index = _Index(entries)
    for position, entry in enumerate(entries):
        for text in (entry.value, entry.link):
            reading = _read(_normalise(text)) if text else None
            if reading is not None:
                _index_reading(index, position, entry.kind, reading)
    return index


def _index_reading(index: _Index, position: int, kind: str, reading: _Reading) -> None:
    """Handles count only for social kinds; website hosts only for `website` entries."""
    keys = [key for key in reading.keys if key[0] != "handle"]
    if kind in _HANDLE_KINDS and reading.handle:
        keys.append(("handle", reading.handle))
        if reading.kind == "handle" and kind in _HANDLE_PLATFORMS:
            keys.append(("social", _HANDLE_PLATFORMS[kind], reading.handle))
    for key in keys:
        index.keys.setdefault(key, set()).add(position)
        index.skeleton_keys.setdefault(_skeleton_key(key), set()).add(position)
    if kind == "website" and reading.host:
        index.hosts.setdefault(reading.host, set()).add(position)
        index.skeleton_hosts.setdefault(_skeleton(reading.host), set()).add(position)
    if reading.phone is not None:
        _index_phone(index, position, reading.phone)


def _index_phone(index: _Index, position: int, phone: _Phone) -> None:
    """Every tail of at least seven digits, so a number typed without country code is found."""
    if phone.international:
        index.international_phones.setdefault(phone.digits, set()).add(position)
    for length in range(_MIN_PHONE_DIGITS, len(phone.digits) + 1):
        index.phone_tails.setdefault(phone.digits[-length:], set()).add(position)


def _skeleton_key(key: _Key) -> _Key:
    return (key[0], *(_skeleton(part) for part in key[1:]))


def _skeleton(text: str) -> str:
    """What `text` looks like: homoglyphs to ASCII, format characters gone, then 0→o, 1/I→l,
    rn→m, vv→w. Precondition: `text` is already NFKC-normalised and case-folded."""
    shape = text.translate(_skeleton_table()).casefold().translate(_ASCII_SWAPS)
    for sequence, replacement in _SEQUENCE_SWAPS:
        shape = shape.replace(sequence, replacement)
    return shape


@cache
def _format_chars() -> dict[int, None]:
    """Invisible format characters (Unicode category Cf): zero-width, bidi controls, tags."""
    return dict.fromkeys(
        code for code in range(sys.maxunicode + 1) if unicodedata.category(chr(code)) == "Cf"
    )


@cache
def _skeleton_table() -> dict[int, str | None]:
    """Translation table: each non-ASCII character that looks like an ASCII letter or digit."""
    table: dict[int, str | None] = dict(_format_chars())
    for char, looks_like in _ascii_lookalikes().items():
        table[ord(char)] = min(looks_like)
    return table


def _ascii_lookalikes() -> dict[str, set[str]]:
    """Non-ASCII character → the ASCII letters/digits it is confusable with, either direction."""
    found: dict[str, set[str]] = {}
    for char, homoglyphs in confusables.confusables_data.items():
        for homoglyph in homoglyphs:
            pair = (char.strip(_LEFT_TO_RIGHT_MARKS), homoglyph["c"].strip(_LEFT_TO_RIGHT_MARKS))
            for source, target in (pair, pair[::-1]):
                if len(source) == 1 and not source.isascii() and _is_ascii_alnum(target):
                    found.setdefault(source, set()).add(target.casefold().translate(_ASCII_SWAPS))
    return found


def _is_ascii_alnum(text: str) -> bool:
    return len(text) == 1 and text.isascii() and text.isalnum()
