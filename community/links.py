"""Links, addresses, handles and staff IDs in a post, and which of them imitate ours.

Scammers post "support" links to look-alike domains and handles of fake agents. Every
candidate a post names is asked of the same checks /verify/ answers with
(helpcenter.selectors.channel_verify for channels, livechat.verification.agent_check for
staff IDs); what they flag is neutralised in the rendered post and holds it for review.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from helpcenter.selectors import channel_verify
from livechat.verification import STAFF_ID, agent_check, normalise_staff_id

# Candidates are cut at characters that end a link in prose or Markdown.
_STOP = r"\s<>()\[\]\"'`，。！？、；：（）【】「」"
_URL = re.compile(rf"https?://[^{_STOP}]+", re.IGNORECASE)
# A bare host (with Unicode letters: look-alikes use them), optionally with a path.
_BARE_HOST = re.compile(rf"(?<![\w@./:-])(?:[\w-]+\.)+[^\W\d_]{{2,}}(?:/[^{_STOP}]*)?")
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@(?:[\w-]+\.)+[^\W\d_]{2,}")
_HANDLE = re.compile(r"(?<![\w@.])@\w{3,32}")
_STAFF_ID = re.compile(r"\bBCN[\s_-]?\d{5}\b", re.IGNORECASE)
_HREF = re.compile(r'<a\s[^>]*?href="([^"]*)"[^>]*>(.*?)</a>', re.DOTALL)
_IMG = re.compile(r'<img\s[^>]*?src="([^"]*)"[^>]*>')
_TRAILING = ".,;:!?"
# More than this many candidates is spam in itself; the rest are still checked as hrefs.
MAX_CANDIDATES = 30


@dataclass(frozen=True)
class LinkScan:
    flagged: tuple[str, ...]  # candidates /verify/ calls look-alikes (or fake staff IDs)
    has_links: bool  # any URL, host or address at all (held for new accounts)


def candidates(text: str) -> list[str]:
    """URLs, bare hosts, email addresses and @handles, in order, each once."""
    found: list[str] = []
    for pattern in (_URL, _EMAIL, _BARE_HOST, _HANDLE):
        for match in pattern.finditer(text):
            value = match.group(0).rstrip(_TRAILING)
            if value and value not in found:
                found.append(value)
    return found[:MAX_CANDIDATES]


def hrefs(safe_html: str) -> list[str]:
    return [html.unescape(href) for href in _HREF_ONLY.findall(safe_html)]


_HREF_ONLY = re.compile(r'<(?:a|img)\s[^>]*?(?:href|src)="([^"]*)"')


# "report.pdf" reads like a host but names a file: not a link for the new-account rule.
_FILE_ENDINGS = frozenset("txt pdf png jpg jpeg gif webp csv xlsx docx zip json md".split())


def _is_link(candidate: str) -> bool:
    if candidate.startswith("@"):
        return False
    if "://" in candidate or "@" in candidate or "/" in candidate:
        return True
    return candidate.rsplit(".", 1)[-1].casefold() not in _FILE_ENDINGS


def _is_lookalike(candidate: str) -> bool:
    verdict, _channels = channel_verify(raw=candidate)
    return verdict.status == "lookalike"


def _fake_staff_ids(text: str) -> list[str]:
    fakes = []
    for match in _STAFF_ID.finditer(text):
        staff_id = normalise_staff_id(match.group(0))
        if (
            STAFF_ID.match(staff_id)
            and not agent_check(staff_id=staff_id, user=None, session_key=None).genuine
        ):
            fakes.append(match.group(0))
    return fakes


def link_scan(*, text: str, safe_html: str, check_staff_ids: bool) -> LinkScan:
    """What in `text` (the Markdown) and `safe_html` (its rendering) imitates Beacon.

    `check_staff_ids`: a staff ID that no agent holds, written by someone who is not
    staff, is an impersonation too.
    """
    found = candidates(text)
    links = [c for c in found if _is_link(c)] + hrefs(safe_html)
    flagged = [c for c in dict.fromkeys([*found, *hrefs(safe_html)]) if _is_lookalike(c)]
    if check_staff_ids:
        flagged += _fake_staff_ids(text)
    return LinkScan(flagged=tuple(flagged), has_links=bool(links))


def defang(text: str) -> str:
    """Still readable, no longer a link a person or a program would follow."""
    return text.replace("://", "[:]//").replace(".", "[.]").replace("@", "[@]", 1)


def neutralise(safe_html: str, flagged: tuple[str, ...]) -> str:
    """Flagged links lose their href (shown as marked text) and flagged images their src;
    flagged text elsewhere is defanged and marked."""
    if not flagged:
        return safe_html
    marked = set(flagged)

    def anchor(match: re.Match[str]) -> str:
        href = html.unescape(match.group(1))
        if href not in marked and not any(item in href for item in marked):
            return match.group(0)
        shown = html.escape(defang(href))
        return f'<span class="link-neutralised">{match.group(2)} <code>{shown}</code></span>'

    def image(match: re.Match[str]) -> str:
        return "" if html.unescape(match.group(1)) in marked else match.group(0)

    result = _IMG.sub(image, _HREF.sub(anchor, safe_html))
    for item in sorted(marked, key=len, reverse=True):
        escaped = html.escape(item, quote=False)
        result = result.replace(
            escaped, f'<mark class="link-flagged">{html.escape(defang(item), quote=False)}</mark>'
        )
    return result
