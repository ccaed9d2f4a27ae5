"""Markdown in, safe HTML and plain text out. Sanitised once, when content is saved."""

from __future__ import annotations

import html
import re

import nh3
from markdown_it import MarkdownIt

# CommonMark with tables; raw HTML in the source is escaped, not passed through.
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")

_ALLOWED_TAGS = {
    "a",
    "p",
    "br",
    "hr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "strong",
    "em",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "img",
    "del",
}
_ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "th": {"align"},
    "td": {"align"},
    "ol": {"start"},
}
_WHITESPACE = re.compile(r"\s+")


def sanitize_html(raw_html: str) -> str:
    """Keep structure, drop scripts, event handlers and any URL scheme but http(s)/mailto/tel."""
    return nh3.clean(
        raw_html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer nofollow",
    )


def without_leading_title(source: str) -> str:
    """Drop a first-line `# Title`: pages print the title themselves, once, as the only <h1>."""
    first, _, rest = source.lstrip("\ufeff\n ").partition("\n")
    return rest if first.startswith("# ") else source


def markdown_to_html(source: str) -> str:
    return sanitize_html(_markdown.render(source.replace("\x00", "")))


def html_to_text(safe_html: str) -> str:
    """Plain text of already-sanitised HTML, block elements separated by spaces."""
    spaced = re.sub(r"</(p|h\d|li|tr|td|th|pre|blockquote)>", r" \g<0>\n", safe_html)
    text = html.unescape(nh3.clean(spaced, tags=set()))
    return _WHITESPACE.sub(" ", text).strip()


def summary_from_markdown(source: str, limit: int = 200) -> str:
    """The first paragraph of prose (not a heading or a list), cut at `limit` characters."""
    for block in source.split("\n\n"):
        block = block.strip()
        if (
            block
            and not block.startswith(("#", "-", "*", "|", ">", "```"))
            and not block[0].isdigit()
        ):
            text = html_to_text(markdown_to_html(block))
            return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
    return ""
