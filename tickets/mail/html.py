"""HTML from mail: sanitised for Beacon's pages, turned into plain text, cid: images resolved.

Mail HTML is written for mail clients, not for a page with a strict Content-Security-Policy:
it loses scripts, styles (inline ones too: the CSP forbids them), forms, frames and event
handlers, and keeps its structure, links and images. Images may point at `cid:` parts of
the same message until `rewrite_cids` points them at the stored attachments.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from html import unescape
from html.parser import HTMLParser

import nh3

_ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "caption",
    "center",
    "cite",
    "code",
    "col",
    "colgroup",
    "dd",
    "del",
    "div",
    "dl",
    "dt",
    "em",
    "font",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "ins",
    "kbd",
    "li",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "small",
    "span",
    "strike",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "tt",
    "u",
    "ul",
}
# Removed together with their content: code, styling and the document head (its <title>
# would otherwise show up as a stray word at the top of the message).
_CLEAN_CONTENT_TAGS = {"script", "style", "head", "title", "noscript", "template", "xml"}
_ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan", "align", "valign"},
    "th": {"colspan", "rowspan", "align", "valign"},
    "table": {"summary"},
    "ol": {"start", "type"},
    "*": {"dir", "lang"},
}
_LINK_SCHEMES = ("http:", "https:", "mailto:")
_IMAGE_SCHEMES = ("http:", "https:", "cid:")
_CID_SRC = re.compile(r'(<img\b[^>]*?\bsrc=")cid:([^"]*)(")', re.IGNORECASE)
_CID_SOURCE = re.compile(r'\bsrc="cid:([^"]*)"', re.IGNORECASE)


def sanitize_html(html: str) -> str:
    """Safe HTML for an agent's or customer's page; "" for empty input."""
    if not html or not html.strip():
        return ""
    return nh3.clean(
        html.replace("\x00", ""),
        tags=_ALLOWED_TAGS,
        clean_content_tags=_CLEAN_CONTENT_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        attribute_filter=_keep_url,
        url_schemes={"http", "https", "mailto", "cid"},
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def _keep_url(tag: str, attribute: str, value: str) -> str | None:
    """Links keep http/https/mailto, images http/https/cid; relative URLs (meaningless
    outside the sender's mailbox) and every other scheme go."""
    if attribute == "href":
        return value if value.strip().lower().startswith(_LINK_SCHEMES) else None
    if attribute == "src":
        return value if value.strip().lower().startswith(_IMAGE_SCHEMES) else None
    return value


def rewrite_cids(html: str, urls: Mapping[str, str]) -> str:
    """Point `<img src="cid:X">` at urls[X] (X without <>, any case); drop unknown ones.

    Works on `sanitize_html` output, whose attributes are always double-quoted and
    escaped, so a regular expression is enough.
    """
    if "cid:" not in html.lower():
        return html
    by_id = {_content_id_key(key): url for key, url in urls.items()}

    def replace(match: re.Match[str]) -> str:
        url = by_id.get(_content_id_key(match.group(2)))
        if url is None:
            return match.group(1)[: -len('src="')].rstrip()
        return f"{match.group(1)}{_escape_attribute(url)}{match.group(3)}"

    return _CID_SRC.sub(replace, html)


def referenced_cids(html: str) -> set[str]:
    """The content ids (without <>, lower case) that `sanitize_html` output shows as images."""
    if "cid:" not in html.lower():
        return set()
    return {_content_id_key(cid) for cid in _CID_SOURCE.findall(html)}


def _content_id_key(content_id: str) -> str:
    # Attribute values come entity-escaped from the sanitiser ("&lt;id&gt;").
    return unescape(content_id).strip().strip("<>").strip().lower()


def _escape_attribute(value: str) -> str:
    return value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


def html_to_text(html: str) -> str:
    """The readable text of an HTML body: block elements on their own lines, list items
    as "- ", links keep their text, head/script/style skipped, blank lines collapsed."""
    if not html:
        return ""
    parser = _TextExtractor()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # html.parser gives up on some malformed markup; keep what it read
        pass
    return parser.text()


# Blocks that end a paragraph (a blank line after them) and blocks that only end a line.
_PARAGRAPH_TAGS = {
    "address",
    "blockquote",
    "dl",
    "fieldset",
    "figure",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "ol",
    "p",
    "pre",
    "table",
    "ul",
}
_LINE_TAGS = {
    "article",
    "aside",
    "center",
    "dd",
    "div",
    "dt",
    "figcaption",
    "footer",
    "header",
    "li",
    "main",
    "nav",
    "section",
    "tr",
}
_SKIPPED_TAGS = {"head", "script", "style", "title", "noscript", "template", "xml"}
_SPACES = re.compile(r"[ \t\r\n\f\v\u00a0]+")
_BLANK_LINES = re.compile(r"\n{3,}")


class _TextExtractor(HTMLParser):
    """Collects text; block boundaries ask for one or two line breaks, and a run of
    boundaries (</p></div></td>) gives the largest asked for, not the sum."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._chunks: list[str] = []
        self._pending_breaks = 0
        self._skip_depth = 0
        self._pre_depth = 0

    def _break(self, count: int) -> None:
        if self._chunks:  # no blank lines before the first text
            self._pending_breaks = max(self._pending_breaks, count)

    def _write(self, text: str, verbatim: bool = False) -> None:
        if self._pending_breaks:
            if not verbatim:
                text = text.lstrip(" ")
            if not text:
                return
            if self._chunks:
                self._chunks[-1] = self._chunks[-1].rstrip(" ")
            self._chunks.append("\n" * self._pending_breaks)
            self._pending_breaks = 0
        if text:
            self._chunks.append(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED_TAGS:
            self._skip_depth += 1
        elif self._skip_depth:
            return
        elif tag == "br":
            self._write("\n", verbatim=True)
        elif tag == "li":
            self._break(1)
            self._write("- ")
        elif tag in ("td", "th"):
            self._write(" ")
        elif tag in _PARAGRAPH_TAGS:
            self._break(2)
            if tag == "pre":
                self._pre_depth += 1
        elif tag in _LINE_TAGS:
            self._break(1)
        elif tag == "img":
            alt = (dict(attrs).get("alt") or "").strip()
            if alt:
                self._write(f" {alt} ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _SKIPPED_TAGS:  # <script/> opens nothing to skip
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_TAGS:
            self._skip_depth = max(0, self._skip_depth - 1)
        elif self._skip_depth:
            return
        elif tag in _PARAGRAPH_TAGS:
            self._break(2)
            if tag == "pre":
                self._pre_depth = max(0, self._pre_depth - 1)
        elif tag in _LINE_TAGS:
            self._break(1)

    def handle_data(self, data: str) -> None:
        if self._skip_depth:
            return
        if self._pre_depth:
            self._write(data, verbatim=True)
            return
        data = _SPACES.sub(" ", data)
        if not self._chunks or self._chunks[-1].endswith((" ", "\n")):
            data = data.lstrip(" ")
        self._write(data)

    def text(self) -> str:
        lines = "".join(self._chunks).split("\n")
        return _BLANK_LINES.sub("\n\n", "\n".join(line.rstrip(" ") for line in lines)).strip("\n")
