"""A post's Markdown as safe HTML: helpcenter's renderer (the articles' nh3 allowlist, raw
HTML escaped, only http(s)/mailto/tel links), then look-alike links neutralised."""

from __future__ import annotations

from community.links import neutralise
from helpcenter.rendering import html_to_text, markdown_to_html

__all__ = ["html_to_text", "post_html"]


def post_html(source: str, *, flagged: tuple[str, ...] = ()) -> str:
    return neutralise(markdown_to_html(source), flagged)
