"""Authentication-Results (RFC 8601): what the receiving mail server verified of a message.

Anyone can write any From: on an email, and any Authentication-Results header too. Only
the header our own receiving server added counts: it is the topmost one (each server
adds its header above the others) and names our server's authserv-id, which operators
list in BEACON_MAIL_AUTHSERV_IDS. A well-configured receiver also deletes headers that
claim its id on arrival (RFC 8601 section 5); taking only the topmost keeps us safe when
it does not.

The From domain counts as authenticated when that header says, for it:
    dmarc=pass                                   (header.from is the From domain), or
    dkim=pass  with header.d aligned to the From domain, or
    spf=pass   with smtp.mailfrom's domain aligned to the From domain.
Aligned is relaxed alignment, as DMARC's default (see `_aligned`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

_COMMENT = re.compile(r"\((?:[^()\\]|\\.)*\)")
_METHOD = re.compile(r"^\s*([a-z0-9_-]+)\s*=\s*([a-z]+)\b(.*)$", re.I | re.S)
_PROPERTY = re.compile(r"([a-z0-9_-]+\.[a-z0-9_-]+)\s*=\s*(\"[^\"]*\"|[^\s;]+)", re.I)


@dataclass(frozen=True)
class MethodResult:
    method: str  # "dmarc", "dkim", "spf"
    result: str  # "pass", "fail", "none", ...
    properties: dict[str, str] = field(default_factory=dict)  # "header.d" -> "example.com"


@dataclass(frozen=True)
class AuthResults:
    authserv_id: str
    results: tuple[MethodResult, ...]


def parse(value: str) -> AuthResults | None:
    """One header's value, or None when it has no authserv-id."""
    text = _COMMENT.sub(" ", value or "")
    parts = [part.strip() for part in text.split(";")]
    head = parts[0].split() if parts else []
    if not head:
        return None
    results = []
    for part in parts[1:]:
        match = _METHOD.match(part)
        if match is None:
            continue  # "none" (no checks made) or a malformed entry: it proves nothing
        props = {k.lower(): v.strip('"').lower() for k, v in _PROPERTY.findall(match[3])}
        results.append(MethodResult(match[1].lower(), match[2].lower(), props))
    return AuthResults(authserv_id=head[0].lower(), results=tuple(results))


def _domain(value: str) -> str:
    return value.rpartition("@")[2].strip().strip(".").lower()


def _aligned(a: str, b: str) -> bool:
    """Relaxed alignment without a public-suffix list: equal, or one a subdomain of the
    other where the shorter has at least two labels (never a bare "com")."""
    if not a or not b:
        return False
    shorter, longer = sorted((a, b), key=len)
    return a == b or ("." in shorter and longer.endswith("." + shorter))


def from_domain_authenticated(
    headers: list[str], *, from_address: str, trusted_ids: Iterable[str]
) -> bool:
    """Did our receiving server (the topmost header, with a trusted id) authenticate the
    From address's domain?"""
    trusted = {t.strip().lower() for t in trusted_ids if t.strip()}
    domain = _domain(from_address)
    if not headers or not trusted or not domain:
        return False
    top = parse(headers[0])
    if top is None or top.authserv_id not in trusted:
        return False
    for entry in top.results:
        if entry.result != "pass":
            continue
        if entry.method == "dmarc" and entry.properties.get("header.from") == domain:
            return True
        if entry.method == "dkim" and _aligned(entry.properties.get("header.d", ""), domain):
            return True
        if entry.method == "spf" and _aligned(
            _domain(entry.properties.get("smtp.mailfrom", "")), domain
        ):
            return True
    return False
