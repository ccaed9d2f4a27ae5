from __future__ import annotations

import pytest

from helpcenter.rendering import html_to_text, markdown_to_html, summary_from_markdown


@pytest.mark.parametrize("source, forbidden", [
    ("<script>alert(1)</script>", "<script"),
    ("[click](javascript:alert(1))", "javascript:"),
    ('<img src="x" onerror="alert(1)">', "onerror"),
    ("[x](JaVaScRiPt:alert(1))", "javascript"),
    ('<a href="data:text/html,<script>1</script>">x</a>', "data:"),
    ("![x](vbscript:msgbox)", "vbscript"),
    ("<iframe src='https://evil.test'></iframe>", "<iframe"),
    ('<div style="background:url(javascript:1)">x</div>', "style="),
])
def test_markdown_to_html_renders_hostile_markdown_harmless(source, forbidden):
    assert forbidden not in markdown_to_html(source).lower()


def test_markdown_to_html_keeps_structure_and_safe_links():
    html = markdown_to_html("# Title\n\n1. one\n2. **two**\n\n[site](https://beacon.test/x)\n\n| a | b |\n|---|---|\n| 1 | 2 |")
    assert "<h1>Title</h1>" in html
    assert "<strong>two</strong>" in html
    assert 'href="https://beacon.test/x"' in html and 'rel="noopener noreferrer nofollow"' in html
    assert "<table>" in html


def test_html_to_text_separates_blocks_and_unescapes():
    assert html_to_text("<h1>Fees &amp; limits</h1><p>First</p><p>Second</p>") == "Fees & limits First Second"


def test_summary_from_markdown_skips_headings_and_lists():
    source = "# Heading\n\n- a list\n\nThe first real paragraph.\n\nAnother."
    assert summary_from_markdown(source) == "The first real paragraph."
