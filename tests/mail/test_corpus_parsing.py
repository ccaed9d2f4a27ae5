"""The shared corpus of real-world messages (../shared/corpora/mail, from the Ruby mail gem's
fixtures): every one parses, and what a person sees in them comes out readable."""

from __future__ import annotations

import pytest

from tests.conftest import SHARED
from tickets.mail.parsing import parse_message

CORPUS = SHARED / "corpora" / "mail"  # BEACON_SHARED_DIR, else ../shared
ALL_MESSAGES = sorted(CORPUS.rglob("*.eml"))


def parse(name: str):
    return parse_message((CORPUS / name).read_bytes())


def test_the_corpus_is_there():
    assert len(ALL_MESSAGES) >= 100


@pytest.mark.parametrize("path", ALL_MESSAGES, ids=lambda path: str(path.relative_to(CORPUS)))
def test_every_corpus_message_parses(path):
    mail = parse_message(path.read_bytes())

    assert "\r" not in mail.text and "\x00" not in mail.text
    assert mail.text == mail.text.rstrip()
    assert "<script" not in mail.html.lower()
    assert all(attachment.filename for attachment in mail.attachments)
    assert all(address.address == address.address.lower() for address in mail.to)
    for value in (mail.message_id, *mail.references, *mail.in_reply_to):
        assert "<" not in value and ">" not in value and " " not in value


# Files whose text was read by eye against the raw bytes: the declared (or, where none is
# declared, the guessed) charset is right, so no replacement character may appear.
VERIFIED_TEXT = [
    "multi_charset/japanese.eml",
    "multi_charset/japanese_iso_2022.eml",
    "multi_charset/japanese_shift_jis.eml",
    "multi_charset/japanese_attachment.eml",
    "multi_charset/ks_c_5601-1987.eml",
    "plain_emails/raw_email.eml",
    "plain_emails/raw_email5.eml",
    "plain_emails/raw_email6.eml",
    "plain_emails/raw_email10.eml",
    "error_emails/header_fields_with_empty_values.eml",
    "error_emails/empty_group_lists.eml",
    "error_emails/bad_subject.eml",
    "mime_emails/raw_email_encoded_stack_level_too_deep.eml",
    "rfc6532/utf8_headers.eml",
]


@pytest.mark.parametrize("name", VERIFIED_TEXT)
def test_verified_texts_have_no_replacement_characters(name):
    mail = parse(name)

    assert mail.text
    assert "\ufffd" not in mail.text
    assert "\ufffd" not in mail.subject


def test_japanese_utf8_subject_body_and_recipient_name():
    mail = parse("multi_charset/japanese.eml")

    assert mail.subject == "まみむめも"
    assert mail.text.startswith("かきくえこ\n\n-- \nhttp://lindsaar.net/")
    assert mail.to[0].name == "みける"


def test_japanese_iso_2022_body():
    assert parse("multi_charset/japanese_iso_2022.eml").text == "すみません。"


def test_japanese_shift_jis_body():
    assert parse("multi_charset/japanese_shift_jis.eml").text == (
        "あいうえお\n\nこのメールはテスト用のメールです。\n\n今後ともよろしくお願い申し上げます！"
    )


def test_japanese_attachment_name_and_content():
    (attachment,) = parse("multi_charset/japanese_attachment.eml").attachments

    assert attachment.filename == "てすと.txt"
    assert attachment.payload.decode("utf-8") == "this is a test\nこれわてすと"


def test_japanese_long_rfc2231_name_and_folded_subject():
    mail = parse("multi_charset/japanese_attachment_long_name.eml")

    assert mail.subject == "まみむめも" * 10
    assert [a.filename for a in mail.attachments] == ["かきくけこ" * 5 + ".txt"]


def test_ks_c_5601_1987_body_is_korean():
    text = parse("multi_charset/ks_c_5601-1987.eml").text

    assert text == "스티해"
    assert all("\uac00" <= char <= "\ud7a3" for char in text)  # Hangul syllables


def test_euc_kr_subject_and_the_undeclared_body_it_hints_at():
    mail = parse("plain_emails/raw_email.eml")

    assert mail.subject == "NOTE: 한국말로 하는 것"
    assert mail.text.endswith("제 이름은 Jamis입니다.")


@pytest.mark.parametrize(
    ("name", "filenames"),
    [
        ("attachment_emails/attachment_with_quoted_filename.eml", ["Eelanalüüsi päring.jpg"]),
        ("attachment_emails/attachment_with_base64_encoded_name.eml", ["This is a test.pdf"]),
        ("attachment_emails/attachment_with_unquoted_name.eml", ["This is a test.txt"]),
        ("attachment_emails/attachment_nonascii_filename.eml", ["ciële.txt"]),
        # The disposition's filename wins over the type's name ("hello.rb").
        ("attachment_emails/attachment_content_disposition.eml", ["api.rb"]),
        ("attachment_emails/attachment_content_location.eml", ["Photo25.jpg"]),
        ("attachment_emails/attachment_only_email.eml", ["blah.gz"]),
        ("attachment_emails/attachment_pdf.eml", ["broken.pdf"]),
        ("mime_emails/raw_email7.eml", ["test.rb", "test.pdf", "smime.p7s"]),
        ("mime_emails/raw_email_with_nested_attachment.eml", ["truncated.png", "smime.p7s"]),
        ("error_emails/content_transfer_encoding_x_uuencode.eml", ["PGP_Cmts_on_12-14-01_Pkg.doc"]),
    ],
)
def test_attachment_names_decode_to_what_the_file_says(name, filenames):
    assert [a.filename for a in parse(name).attachments] == filenames


def test_rfc2231_name_in_a_wrong_charset_is_still_readable():
    # name*=iso-2022-jp'ja'01%20Quien%20Te%20Dij%8aat... : 0x8A is not ISO-2022-JP at all.
    (attachment,) = parse("attachment_emails/attachment_with_encoded_name.eml").attachments

    assert attachment.filename.startswith("01 Quien Te Dij")
    assert attachment.filename.endswith("at. Pitbull.mp3")
    assert "\ufffd" not in attachment.filename


def test_pdf_attachment_payload_is_decoded():
    mail = parse("attachment_emails/attachment_pdf.eml")

    assert mail.subject == "Another PDF with 🎉 Unicode chars in it 🍿"
    assert mail.attachments[0].payload.startswith(b"%PDF-1.4")


def test_attached_message_text_and_its_pdf():
    mail = parse("attachment_emails/attachment_message_rfc822.eml")

    assert mail.text.startswith("This is the first part.\n\n---- Attached message ----\n")
    assert "Subject: Another PDF" in mail.text
    assert "Just attaching another PDF" in mail.text
    assert [(a.filename, a.content_type) for a in mail.attachments] == [
        ("ForwardedMessage.eml", "message/rfc822"),
        ("broken.pdf", "application/pdf"),
    ]


def test_inline_image_beside_an_attached_message():
    mail = parse("attachment_emails/attachment_message_rfc822_inline_image.eml")

    image = next(a for a in mail.attachments if a.content_type == "image/png")
    assert (image.filename, image.inline) == ("img.png", True)
    assert image.content_id == "emedfeb92f-a786-4718-a446-98db8afb53fb@kronos"
    assert f'src="cid:{image.content_id}"' in mail.html
    assert "Testmail.eml" in [a.filename for a in mail.attachments]


@pytest.mark.parametrize(
    ("name", "sender", "says", "status_fields"),
    [
        (
            "multipart_report_emails/report_530.eml",
            "mailer-daemon@tttttt.com.au",
            "The following addresses had permanent fatal errors",
            [b"Status: 5.3.0"],
        ),
        (
            "multipart_report_emails/report_422.eml",
            "mailer-daemon@tppppp.com.au",
            "THIS IS A WARNING MESSAGE ONLY",
            [b"Action: delayed"],
        ),
        (
            "multipart_report_emails/multi_address_bounce1.eml",
            "mailer-daemon@lvmail01.ll.com",
            "could not\nbe delivered to one or more recipients",
            [b"Final-Recipient", b"Action: failed"],
        ),
        (
            "mime_emails/raw_email_with_mimepart_without_content_type.eml",
            "mailer-daemon@antivirus.uqam.ca",
            "Warning: message still undelivered after 1 day",
            [b"Final-Recipient: RFC822; larose.julie@courrier.uqam.ca"],
        ),
    ],
)
def test_bounce_reports_parse_with_their_status_and_text(name, sender, says, status_fields):
    mail = parse(name)

    assert mail.sender.address == sender
    assert says in mail.text
    status = b"".join(
        a.payload for a in mail.attachments if a.content_type == "message/delivery-status"
    )
    for field in status_fields:
        assert field in status


def test_bounce_with_two_status_parts_keeps_the_returned_message():
    mail = parse("multipart_report_emails/multipart_report_multiple_status.eml")

    types = [a.content_type for a in mail.attachments]
    assert types.count("message/delivery-status") == 2
    assert "message/rfc822" in types
    assert "Your Friend F M wants you to join HomeRun" in mail.text


@pytest.mark.parametrize(
    ("name", "subject"),
    [
        ("error_emails/bad_encoded_subject.eml", "TEST"),
        ("error_emails/bad_subject.eml", "MySurvey.com: You have a survey waiting! 91123105"),
        (
            "error_emails/invalid_subject_characters.eml",
            "Formação FrenetikPolis: Mega Campanha Final Verão | Cursos de Setembro",
        ),
        (
            "plain_emails/raw_email_with_partially_quoted_subject.eml",
            'Re: Test: "漢字" mid "漢字" tail',
        ),
        ("rfc2822/example14.eml", "Re: TEST テストテスト"),
        ("rfc6532/utf8_headers.eml", "Säying Hello"),
    ],
)
def test_broken_and_8bit_subjects_read_as_intended(name, subject):
    assert parse(name).subject == subject


def test_sender_names_from_encoded_words_and_raw_utf8():
    assert parse("error_emails/bad_subject.eml").sender.name == "MySurvey.com & Carol Adams"
    assert parse("error_emails/header_fields_with_empty_values.eml").sender.name == "Jørn Støylen"
    assert parse("rfc6532/utf8_headers.eml").sender.address == "jdöe@mächine.example"


def test_rfc2822_address_forms():
    example03 = parse("rfc2822/example03.eml")
    assert [(a.name, a.address) for a in example03.to] == [
        ("Mary Smith", "mary@x.test"),
        ("", "jdoe@example.org"),
        ("Who?", "one@y.test"),
        ("", "boss@nil.test"),
        ('Giant; "Big" Box', "sysservices@example.net"),
    ]
    example10 = parse("rfc2822/example10.eml")  # comments everywhere
    assert (example10.sender.name, example10.sender.address) == ("Pete", "pete@silly.test")


def test_obsolete_header_syntax_is_read():
    mail = parse("rfc2822/example13.eml")

    assert mail.subject == "Saying Hello"
    assert mail.sender.address == "jdoe@machine.example"
    assert mail.date == "1997-11-21T15:55:06+00:00"
    assert mail.message_id == "1234@local.machine.example"


def test_multipart_with_an_unquoted_illegal_boundary_still_has_its_text():
    assert parse("mime_emails/raw_email_with_illegal_boundary.eml").text == (
        "Hello\nThis is an outlook test\n\nSo there.\n\nMe."
    )


def test_html_only_spam_has_text_and_no_active_content():
    mail = parse("error_emails/content_transfer_encoding_text-html.eml")

    assert mail.text.startswith("Hello,\n\nYou have qualified for the lowest rate in years.\n")
    assert 'href="http://www.lenxzc.com/index2.php?refid=malx"' in mail.html
