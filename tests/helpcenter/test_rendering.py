from __future__ import annotations

from html.parser import HTMLParser

import pytest

from helpcenter.rendering import (
    html_to_text,
    markdown_to_html,
    sanitize_html,
    summary_from_markdown,
)


class _Elements(HTMLParser):
    """Every element and attribute a browser would build from the HTML."""

    def __init__(self, html: str):
        super().__init__()
        self.found: list[tuple[str, dict[str, str]]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, {name: value or "" for name, value in attrs}))


def assert_harmless(html: str) -> None:
    for tag, attrs in _Elements(html).found:
        assert tag not in {"script", "iframe", "object", "embed", "style", "form", "svg"}, html
        for name, value in attrs.items():
            assert not name.startswith("on") and name != "style", html
            if name in {"href", "src"}:
                assert (
                    value.split(":", 1)[0].lower() in {"http", "https", "mailto", "tel"}
                    or ":" not in value
                ), html


HOSTILE = [
    "<script>alert(1)</script>",
    "[click](javascript:alert(1))",
    '<img src="x" onerror="alert(1)">',
    "[x](JaVaScRiPt:alert(1))",
    "[x](java\tscript:alert(1))",
    '<a href="data:text/html,<script>1</script>">x</a>',
    "![x](vbscript:msgbox)",
    "<iframe src='https://evil.test'></iframe>",
    '<div style="background:url(javascript:1)">x</div>',
    "[x](<javascript:alert(1)>)",
    "<svg onload=alert(1)>",
]


@pytest.mark.parametrize("source", HOSTILE)
def test_markdown_to_html_renders_hostile_markdown_harmless(source):
    assert_harmless(markdown_to_html(source))


@pytest.mark.parametrize("source", HOSTILE)
def test_sanitize_html_strips_hostile_raw_html(source):
    assert_harmless(sanitize_html(source))


def test_markdown_to_html_keeps_structure_and_safe_links():
    html = markdown_to_html(
        "# Title\n\n1. one\n2. **two**\n\n[site](https://beacon.test/x)\n\n| a | b |\n|---|---|\n| 1 | 2 |"
    )
    assert "<h1>Title</h1>" in html
    assert "<strong>two</strong>" in html
    assert 'href="https://beacon.test/x"' in html and 'rel="noopener noreferrer nofollow"' in html
    assert "<table>" in html


def test_html_to_text_separates_blocks_and_unescapes():
    assert (
        html_to_text("<h1>Fees &amp; limits</h1><p>First</p><p>Second</p>")
        == "Fees & limits First Second"
    )


def test_summary_from_markdown_skips_headings_and_lists():
    source = "# Heading\n\n- a list\n\nThe first real paragraph.\n\nAnother."
    assert summary_from_markdown(source) == "The first real paragraph."
