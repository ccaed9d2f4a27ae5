"""Raw messages, built here with the stdlib or byte by byte, parsed into what agents read."""

from __future__ import annotations

import base64
import random
from email.message import EmailMessage
from urllib.parse import quote_from_bytes

import pytest

from tests.conftest import SHARED
from tickets.mail.parsed import MailAddress, MailUnparseable
from tickets.mail.parsing import parse_message

CORPUS = SHARED / "corpora" / "mail"  # BEACON_SHARED_DIR, else ../shared


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def raw_message(*headers: str, body: str | bytes = "") -> bytes:
    head = "\r\n".join(headers).encode("utf-8")
    body_bytes = body.encode("utf-8") if isinstance(body, str) else body
    return head + b"\r\n\r\n" + body_bytes


def cjk_message(*, charset: str, codec: str, subject: str, text: str, filename: str) -> bytes:
    """A message as a Chinese, Japanese or Korean mail client writes it: subject as an
    encoded word, body in the charset, attachment name both RFC 2231 and encoded word."""
    encoded_name = quote_from_bytes(filename.encode(codec), safe="")
    return raw_message(
        f"From: =?{charset}?B?{_b64('张三'.encode('gb18030'))}?= <Customer@Example.COM>"
        if codec.startswith("gb")
        else "From: Customer <Customer@Example.COM>",
        "To: support@beacon.example",
        f"Subject: =?{charset}?B?{_b64(subject.encode(codec))}?=",
        "Message-ID: <cjk-1@example.com>",
        "Date: Tue, 02 Jan 2024 18:00:00 +0800",
        "MIME-Version: 1.0",
        'Content-Type: multipart/mixed; boundary="b1"',
        body=b"\r\n".join(
            [
                b"--b1",
                f"Content-Type: text/plain; charset={charset}".encode(),
                b"Content-Transfer-Encoding: base64",
                b"",
                _b64(text.encode(codec)).encode(),
                b"--b1",
                f'Content-Type: application/pdf; name="=?{charset}?B?'.encode()
                + _b64(filename.encode(codec)).encode()
                + b'?="',
                f"Content-Disposition: attachment; filename*={charset}''{encoded_name}".encode(),
                b"Content-Transfer-Encoding: base64",
                b"",
                _b64(b"%PDF-1.4 statement").encode(),
                b"--b1--",
                b"",
            ]
        ),
    )


@pytest.mark.parametrize(
    ("charset", "codec", "subject", "text", "filename"),
    [
        ("GBK", "gbk", "提币未到账", "您好，我的提币三个小时了还没有到账。", "提币截图.pdf"),
        ("GB2312", "gbk", "提币未到账", "朱镕基的提币未到账，请查一下。", "账单.pdf"),
        ("GB18030", "gb18030", "提币未到账", "您好，我的提币还没有到账。", "账单.pdf"),
        ("Big5", "big5", "提幣未到賬", "您好，我的提幣三個小時了還沒有到賬。", "提幣截圖.pdf"),
        (
            "ISO-2022-JP",
            "iso2022_jp",
            "出金が反映されない",
            "出金が反映されないので確認してください。",
            "明細.pdf",
        ),
        (
            "Shift_JIS",
            "cp932",
            "出金が反映されない",
            "①出金が反映されないので確認してください。",
            "明細.pdf",
        ),
        ("UTF-7", "utf-7", "提币未到账", "您好，我的提币还没有到账。", "账单.pdf"),
        (
            "ks_c_5601-1987",
            "cp949",
            "출금이 안 됩니다",
            "출금이 안 됩니다. 확인 부탁드립니다.",
            "내역.pdf",
        ),
    ],
)
def test_cjk_charsets_in_body_subject_and_file_name(charset, codec, subject, text, filename):
    mail = parse_message(
        cjk_message(charset=charset, codec=codec, subject=subject, text=text, filename=filename)
    )

    assert mail.subject == subject
    assert mail.text == text
    assert [a.filename for a in mail.attachments] == [filename]
    assert mail.attachments[0].payload == b"%PDF-1.4 statement"
    assert mail.defects == ()


def test_gbk_sender_name_is_decoded():
    mail = parse_message(
        cjk_message(charset="GB2312", codec="gbk", subject="提币", text="提币", filename="a.pdf")
    )

    assert mail.sender == MailAddress(name="张三", address="customer@example.com")


def test_envelope_headers_come_out_clean():
    mail = parse_message(
        raw_message(
            'From: "Zhang, San" <Zhang.San@Example.COM>',
            "To: Support <Support@Beacon.Example>, other@example.com",
            "Cc: boss@example.com, support@beacon.example",
            "Delivered-To: inbox@beacon.example",
            "X-Original-To: support@beacon.example",
            "Reply-To: Zhang San <replies@example.com>",
            "Subject: Re: [#1042] Withdrawal\r\n  delayed",
            "Message-ID:  < abc.123@mail.example.com >",
            "In-Reply-To: <ticket-1042.1@beacon.example>",
            "References: <ticket-1042.0@beacon.example>\r\n <ticket-1042.1@beacon.example>",
            "Date: Tue, 02 Jan 2024 18:00:00 +0800",
            body="Hi",
        )
    )

    assert mail.message_id == "abc.123@mail.example.com"
    assert mail.in_reply_to == ("ticket-1042.1@beacon.example",)
    assert mail.references == ("ticket-1042.0@beacon.example", "ticket-1042.1@beacon.example")
    assert mail.subject == "Re: [#1042] Withdrawal delayed"
    assert mail.date == "2024-01-02T10:00:00+00:00"
    assert mail.sender == MailAddress(name="Zhang, San", address="zhang.san@example.com")
    assert mail.reply_to == MailAddress(name="Zhang San", address="replies@example.com")
    assert [a.address for a in mail.to] == [
        "support@beacon.example",
        "other@example.com",
        "boss@example.com",
        "inbox@beacon.example",
    ]
    assert mail.header("subject") == "Re: [#1042] Withdrawal delayed"
    assert mail.header_all("References") == [
        "<ticket-1042.0@beacon.example> <ticket-1042.1@beacon.example>"
    ]


def test_sender_falls_back_to_sender_then_return_path():
    mail = parse_message(
        raw_message("From: Undisclosed", "Return-Path: <Bounce@Example.com>", body="x")
    )

    assert mail.sender.address == "bounce@example.com"
    assert any("Return-Path" in defect for defect in mail.defects)


def test_two_from_headers_use_the_first_and_say_so():
    mail = parse_message(
        raw_message("From: first@example.com", "From: second@example.com", body="x")
    )

    assert mail.sender.address == "first@example.com"
    assert any("2 From headers" in defect for defect in mail.defects)


def test_addresses_without_commas_or_with_at_in_the_name_are_still_found():
    mail = parse_message(
        raw_message(
            "From: Big Bug bb@bug.example",
            "To: a@example.com b@example.com, Mikel@Lindsaar <mikel@example.net>",
            "Cc: Undisclosed recipients:;",
            body="x",
        )
    )

    assert mail.sender == MailAddress(name="Big Bug", address="bb@bug.example")
    assert [a.address for a in mail.to] == ["a@example.com", "b@example.com", "mikel@example.net"]


def test_unreadable_date_is_empty_and_noted():
    mail = parse_message(raw_message("From: a@example.com", "Date: Pn, 29 paX 2007", body="x"))

    assert mail.date == ""
    assert any("Pn, 29 paX 2007" in defect for defect in mail.defects)


def test_plain_and_html_alternatives_give_text_from_plain_and_sanitised_html():
    message = EmailMessage()
    message["From"] = "a@example.com"
    message["Subject"] = "Both"
    message.set_content("Plain version\r\nsecond line   \r\n\r\n")
    message.add_alternative(
        '<p style="color:red">HTML <b>version</b></p><script>x()</script>', subtype="html"
    )

    mail = parse_message(message.as_bytes())

    assert mail.text == "Plain version\nsecond line"
    assert mail.html == "<p>HTML <b>version</b></p>"


def test_html_only_mail_gets_its_text_from_the_html():
    message = EmailMessage()
    message["From"] = "a@example.com"
    message.set_content(
        "<html><head><style>p{}</style></head><body><p>提币未到账</p><ul><li>USDT</li></ul>"
        "<script>steal()</script></body></html>",
        subtype="html",
    )

    mail = parse_message(message.as_bytes())

    assert mail.text == "提币未到账\n\n- USDT"
    assert "<script" not in mail.html and "steal" not in mail.html


def test_empty_plain_part_beside_real_html_reads_the_html():
    message = EmailMessage()
    message["From"] = "a@example.com"
    message.set_content(" \r\n")
    message.add_alternative("<p>The real text</p>", subtype="html")

    assert parse_message(message.as_bytes()).text == "The real text"


def test_text_is_normalised():
    mail = parse_message(
        raw_message(
            "From: a@example.com", body=b"\r\n\r\nline one\r\nline\x00 two\rthree \r\n\t\r\n"
        )
    )

    assert mail.text == "line one\nline two\nthree"


def test_flowed_text_is_joined_into_paragraphs():
    mail = parse_message(
        raw_message(
            "From: a@example.com",
            "Content-Type: text/plain; charset=utf-8; format=flowed; delsp=yes",
            body="This line was wrapped by the mail cli \r\nent at 78 columns.\r\n\r\n-- \r\nSig",
        )
    )

    assert mail.text == "This line was wrapped by the mail client at 78 columns.\n\n-- \nSig"


def test_attached_message_becomes_text_and_an_eml_with_its_own_attachments():
    inner = EmailMessage()
    inner["From"] = "Scammer <fake-support@evil.example>"
    inner["Subject"] = "Verify your wallet"
    inner["Date"] = "Mon, 01 Jan 2024 09:00:00 +0000"
    inner.set_content("Send us your seed phrase.")
    inner.add_attachment(b"PK\x03\x04", maintype="application", subtype="zip", filename="tool.zip")
    outer = EmailMessage()
    outer["From"] = "customer@example.com"
    outer["Subject"] = "Is this you?"
    outer.set_content("I received this, is it real?")
    outer.add_attachment(inner, filename="suspicious.eml")

    mail = parse_message(outer.as_bytes())

    assert mail.text.startswith("I received this, is it real?\n\n---- Attached message ----\n")
    assert "From: Scammer <fake-support@evil.example>" in mail.text
    assert "Subject: Verify your wallet" in mail.text
    assert "Date: Mon, 01 Jan 2024 09:00:00 +0000" in mail.text
    assert mail.text.endswith("Send us your seed phrase.")
    eml, zip_file = mail.attachments
    assert (eml.filename, eml.content_type) == ("suspicious.eml", "message/rfc822")
    assert parse_message(eml.payload).subject == "Verify your wallet"
    assert (zip_file.filename, zip_file.payload) == ("tool.zip", b"PK\x03\x04")


def test_attached_message_without_a_name_is_named_after_its_subject():
    inner = EmailMessage()
    inner["Subject"] = "Your withdrawal"
    inner.set_content("Done.")
    outer = EmailMessage()
    outer["From"] = "a@example.com"
    outer.set_content("See attached.")
    outer.add_attachment(inner)

    assert [a.filename for a in parse_message(outer.as_bytes()).attachments] == [
        "Your withdrawal.eml"
    ]


def test_inline_image_keeps_its_content_id_and_the_html_its_cid_source():
    message = EmailMessage()
    message["From"] = "a@example.com"
    message.set_content("See the screenshot.")
    message.add_alternative('<p>See:</p><img src="cid:shot1@example">', subtype="html")
    message.get_payload()[1].add_related(
        b"\x89PNG fake", maintype="image", subtype="png", cid="<shot1@example>"
    )
    message.add_attachment(
        b"\x89PNG other", maintype="image", subtype="png", filename="other.png", cid="<x@y>"
    )

    mail = parse_message(message.as_bytes())

    shot, other = mail.attachments
    assert (shot.content_id, shot.inline, shot.payload) == ("shot1@example", True, b"\x89PNG fake")
    assert shot.filename == "attachment-1.png"
    assert (other.filename, other.inline) == ("other.png", False)  # not shown by the HTML
    assert 'src="cid:shot1@example"' in mail.html


@pytest.mark.parametrize(
    ("disposition", "expected"),
    [
        ('attachment; filename="quoted name.pdf"', "quoted name.pdf"),
        ("attachment; filename=This is a test.txt", "This is a test.txt"),
        ("attachment; filename==?utf-8?B?5o+Q5biB5oiq5Zu+LnBuZw==?=", "提币截图.png"),
        ('attachment; filename="=?GB2312?B?zOGx0r3Yzbwu?=png"', "提币截图.png"),
        (
            "attachment; filename*0*=utf-8''%E6%8F%90%E5%B8%81;\r\n filename*1*=%E6%88%AA%E5%9B%BE.png",
            "提币截图.png",
        ),
        ('attachment; filename="C:\\\\Users\\\\me\\\\statement.pdf"', "statement.pdf"),
        ('attachment; filename="../../etc/passwd"', "passwd"),
        ("attachment", "attachment-1.pdf"),
    ],
)
def test_attachment_names_are_decoded_and_made_safe(disposition, expected):
    mail = parse_message(
        raw_message(
            "From: a@example.com",
            'Content-Type: multipart/mixed; boundary="b"',
            body=f"--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n--b\r\n"
            f"Content-Type: application/pdf\r\nContent-Disposition: {disposition}\r\n\r\n"
            "%PDF\r\n--b--\r\n",
        )
    )

    assert mail.text == "see attached"
    assert [a.filename for a in mail.attachments] == [expected]


def test_multipart_without_boundary_is_recovered_from_its_body():
    mail = parse_message(
        raw_message(
            "From: a@example.com",
            "Content-Type: multipart/alternative;",
            body="--=_part_1\r\nContent-Type: text/plain\r\n\r\nRecovered text\r\n"
            "--=_part_1\r\nContent-Type: text/html\r\n\r\n<p>Recovered</p>\r\n--=_part_1--\r\n",
        )
    )

    assert mail.text == "Recovered text"
    assert mail.html == "<p>Recovered</p>"
    assert any("boundary was guessed" in defect for defect in mail.defects)


def test_misspelt_and_unknown_transfer_encodings_degrade():
    mail = parse_message(
        raw_message(
            "From: a@example.com",
            'Content-Type: multipart/mixed; boundary="b"',
            body="--b\r\nContent-Type: text/plain; charset=utf-8\r\n"
            "Content-Transfer-Encoding: Quoted printable\r\n\r\ncaf=C3=A9 =E6=8F=90=E5=B8=81\r\n"
            "--b\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: base64;\r\n\r\n"
            "aGVsbG8gd29ybGQ\r\n"
            "--b\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: x-rot13\r\n\r\n"
            "uryyb\r\n--b--\r\n",
        )
    )

    assert mail.text == "café 提币\n\nhello world\n\nuryyb"
    assert any('unknown transfer encoding "x-rot13"' in defect for defect in mail.defects)


def test_undeclared_body_charset_is_taken_from_the_subject_charset():
    mail = parse_message(
        raw_message(
            "From: a@example.com",
            f"Subject: =?GB2312?B?{_b64('提币'.encode('gbk'))}?=",
            "Content-Type: text/plain",
            body="提币未到账".encode("gbk"),
        )
    )

    assert mail.text == "提币未到账"
    assert any("without a usable charset" in defect for defect in mail.defects)


def test_obsolete_header_syntax_and_junk_lines_do_not_end_the_headers():
    mail = parse_message(
        b"junk before the headers\r\n"
        b"From  : John Doe <jdoe@machine.example>\r\n"
        b"__\r\n"
        b"Subject     : Saying Hello\r\n"
        b"\r\nThis is a message just to say hello.\r\n"
    )

    assert mail.sender.address == "jdoe@machine.example"
    assert mail.subject == "Saying Hello"
    assert mail.text == "This is a message just to say hello."
    # The line before the first header is junk; "__" between two headers continues From.
    assert any("Skipped 1 unreadable line" in defect for defect in mail.defects)
    assert any("1 header line(s) did not start" in defect for defect in mail.defects)


def test_headerless_text_is_read_and_noted():
    mail = parse_message(b"just some text\r\n")

    assert mail.text == "just some text"
    assert any("no headers" in defect for defect in mail.defects)


@pytest.mark.parametrize(
    "raw", [b"", b"   \r\n\r\n", bytes(range(32)) * 20, b"\x89PNG\r\n\x1a\n" + bytes(200)]
)
def test_nothing_readable_raises_unparseable(raw):
    with pytest.raises(MailUnparseable):
        parse_message(raw)


def test_absurd_nesting_is_cut_off_not_fatal():
    raw = b"From: a@example.com\r\nContent-Type: multipart/mixed; boundary=b0\r\n\r\n"
    for level in range(200):
        raw += b"--b%d\r\nContent-Type: multipart/mixed; boundary=b%d\r\n\r\n" % (level, level + 1)
    raw += b"--b200\r\nContent-Type: text/plain\r\n\r\ndeep\r\n"

    mail = parse_message(raw)

    assert mail.sender.address == "a@example.com"
    assert any("nested deeper" in defect for defect in mail.defects)


def test_damaged_messages_never_raise_anything_but_unparseable():
    """Mangled copies of the corpus (bytes cut, inserted, replaced) always parse to
    something, or are refused as unparseable; never another exception."""
    originals = [path.read_bytes() for path in sorted(CORPUS.rglob("*.eml"))]
    noise = [b"\x00", b"\r\n", b"=?", b"?=", b"=?gb2312?B?", b'"', b";", b"--", b"\xff", b"\x1b$B"]
    noise += [b"boundary=", b"charset=", b"*0*=", b"%", b"<", b">", b"(", b":", b"\t"]
    rng = random.Random(7)
    for _round in range(300):
        data = bytearray(rng.choice(originals))
        for _edit in range(rng.randint(1, 10)):
            at = rng.randrange(len(data) + 1)
            kind = rng.random()
            if kind < 0.4:
                data[at:at] = rng.choice(noise)
            elif kind < 0.7:
                del data[at : at + rng.randint(1, 20)]
            else:
                data[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
        try:
            mail = parse_message(bytes(data))
        except MailUnparseable:
            continue
        for value in [mail.text, mail.subject, mail.html, *(v for _k, v in mail.headers)]:
            value.encode("utf-8")  # no stray surrogates from 8-bit bytes
        assert "\r" not in mail.text and "\x00" not in mail.text


def test_a_header_the_modern_parser_crashes_on_is_read_the_old_way():
    # policy.default raises IndexError on a parameter name ending in "*" (CPython #151857).
    mail = parse_message(
        raw_message(
            "From: a@example.com",
            "Content-Type: multipart/mixed; boundary=b; name*",
            body="--b\r\nContent-Type: text/plain; charset=utf-8; name*0*\r\n\r\nstill here\r\n"
            "--b\r\nContent-Type: image/png; name*\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            "iVBORw0KGgo=\r\n--b--\r\n",
        )
    )

    assert mail.text == "still here"
    assert [(a.content_type, a.payload) for a in mail.attachments] == [
        ("image/png", b"\x89PNG\r\n\x1a\n")
    ]
