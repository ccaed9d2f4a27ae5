"""Decoding mail text by its declared charset, with the supersets and guesses real mail needs."""

from __future__ import annotations

import base64

import pytest

from tickets.mail.charsets import codecs_for, decode_bytes, decode_header_text

WITHDRAWAL_ZH = "提币未到账，请帮我查一下我的账户，谢谢。"
WITHDRAWAL_TW = "提幣未到賬，請幫我查一下我的賬戶，謝謝。"
WITHDRAWAL_JA = "出金が反映されない"
WITHDRAWAL_KO = "출금이 안 됩니다"


def _b(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


@pytest.mark.parametrize(
    ("label", "text", "codec"),
    [
        ("GBK", WITHDRAWAL_ZH, "gbk"),
        ("GB2312", WITHDRAWAL_ZH, "gb2312"),
        ("GB18030", WITHDRAWAL_ZH, "gb18030"),
        ("x-gbk", WITHDRAWAL_ZH, "gbk"),
        ("cp936", WITHDRAWAL_ZH, "gbk"),
        ("Big5", WITHDRAWAL_TW, "big5"),
        ("ISO-2022-JP", WITHDRAWAL_JA, "iso2022_jp"),
        ("Shift_JIS", WITHDRAWAL_JA, "shift_jis"),
        ("x-sjis", WITHDRAWAL_JA, "shift_jis"),
        ("UTF-7", WITHDRAWAL_ZH, "utf-7"),
        ("ks_c_5601-1987", WITHDRAWAL_KO, "euc_kr"),
        ("ks_c_5601", WITHDRAWAL_KO, "euc_kr"),
        ("EUC-KR", WITHDRAWAL_KO, "euc_kr"),
    ],
)
def test_declared_charsets_real_mail_uses_decode_cleanly(label, text, codec):
    decoded = decode_bytes(text.encode(codec), label)

    assert decoded.text == text
    assert not decoded.guessed


@pytest.mark.parametrize(
    ("label", "text", "written_as"),
    [
        # Chinese mailers label GBK text "gb2312": 镕 and 喆 are GBK-only.
        ("gb2312", "朱镕基和陶喆", "gbk"),
        # Hong Kong Big5 carries HKSCS characters (嗰, 喺).
        ("big5", "嗰個訂單喺邊度", "big5hkscs"),
        # Japanese Windows mail labelled Shift_JIS carries NEC extensions (①, ㈱).
        ("shift_jis", "① ㈱ビーコン", "cp932"),
        # Korean Windows mail labelled EUC-KR carries the extended Hangul of CP949.
        ("euc-kr", "똠방각하", "cp949"),
        # Half-width katakana in ISO-2022-JP (outside the base standard).
        ("iso-2022-jp", "ｼｭｯｷﾝ", "iso2022_jp_ext"),
    ],
)
def test_a_narrow_label_is_read_as_its_vendor_superset(label, text, written_as):
    assert decode_bytes(text.encode(written_as), label).text == text


def test_iso_2022_jp_with_windows_extensions_is_read_through_cp932():
    # "①出金" as a Windows mailer writes it in ISO-2022-JP: the circled digit is NEC row 13,
    # which none of Python's ISO-2022-JP codecs know.
    jis = b"\x1b$B-!=P6b\x1b(B"

    assert decode_bytes(jis, "ISO-2022-JP").text == "①出金"


def test_utf8_mislabelled_as_a_legacy_charset_is_read_as_utf8():
    decoded = decode_bytes(WITHDRAWAL_ZH.encode("utf-8"), "gb2312")

    assert decoded.text == WITHDRAWAL_ZH
    assert decoded.guessed


def test_a_utf8_byte_order_mark_is_not_text():
    assert decode_bytes(b"\xef\xbb\xbf" + "提币".encode(), "utf-8").text == "提币"


def test_latin1_labelled_text_uses_windows_1252_like_browsers():
    # Outlook writes curly quotes and the euro sign (0x80-0x9F) under an ISO-8859-1 label.
    assert decode_bytes("“€5” café".encode("cp1252"), "iso-8859-1").text == "“€5” café"


@pytest.mark.parametrize("label", [None, "", "x-unknown", "unknown-8bit", "bogus-charset"])
def test_missing_or_unknown_charset_on_utf8_is_utf8(label):
    assert decode_bytes("Envoyé par 张三".encode(), label).text == "Envoyé par 张三"


@pytest.mark.parametrize("label", [None, "x-unknown"])
def test_missing_or_unknown_charset_on_legacy_bytes_is_guessed_readably(label):
    decoded = decode_bytes(WITHDRAWAL_ZH.encode("gbk"), label)

    assert decoded.text == WITHDRAWAL_ZH
    assert decoded.guessed


def test_short_western_text_without_charset_is_read_as_windows_1252():
    # Too short for statistics: the tie goes to the commonest Western charset, not
    # to UTF-16 or Cyrillic.
    assert decode_bytes(b"caf\xe9", None).text == "café"


def test_hints_from_the_rest_of_the_message_come_before_guessing():
    data = "은 Jamis입니다.".encode("euc_kr")

    assert decode_bytes(data, None, hints=("euc-kr",)).text == "은 Jamis입니다."


@pytest.mark.parametrize("label", ["base64", "rot13", "hex", "zlib", "unicode_escape", "idna"])
def test_codecs_that_are_not_charsets_are_never_used(label):
    assert codecs_for(label) == ()
    assert decode_bytes(b"\\u0041 hi", label).text == "\\u0041 hi"


def test_bytes_that_fit_no_charset_still_decode_without_surrogates():
    decoded = decode_bytes(bytes(range(128, 256)), "utf-8")

    decoded.text.encode("utf-8")  # raises on surrogates
    assert decoded.guessed


def test_undeclared_iso_2022_jp_is_recognised_by_its_escape_sequences():
    assert decode_bytes(WITHDRAWAL_JA.encode("iso2022_jp"), None).text == WITHDRAWAL_JA


@pytest.mark.parametrize(
    ("label", "text", "codec"),
    [
        ("GB2312", WITHDRAWAL_ZH, "gbk"),
        ("GBK", WITHDRAWAL_ZH, "gbk"),
        ("GB18030", WITHDRAWAL_ZH, "gb18030"),
        ("Big5", WITHDRAWAL_TW, "big5"),
        ("ISO-2022-JP", WITHDRAWAL_JA, "iso2022_jp"),
        ("Shift_JIS", WITHDRAWAL_JA, "shift_jis"),
        ("UTF-7", WITHDRAWAL_ZH, "utf-7"),
        ("ks_c_5601-1987", WITHDRAWAL_KO, "euc_kr"),
    ],
)
def test_encoded_word_headers_in_each_charset(label, text, codec):
    assert decode_header_text(f"=?{label}?B?{_b(text.encode(codec))}?=") == text


def test_a_character_split_across_two_encoded_words_is_joined():
    data = WITHDRAWAL_ZH.encode("gbk")
    header = f"=?gb2312?B?{_b(data[:3])}?=\r\n =?gb2312?B?{_b(data[3:])}?="

    assert decode_header_text(header) == WITHDRAWAL_ZH


def test_encoded_word_with_wrong_charset_label_is_still_readable():
    header = f"=?GB2312?B?{_b(WITHDRAWAL_ZH.encode('utf-8'))}?="

    assert decode_header_text(header) == WITHDRAWAL_ZH


def test_encoded_word_with_unknown_charset_label_is_still_readable():
    header = f"=?x-no-such-charset?B?{_b(WITHDRAWAL_ZH.encode('gbk'))}?="

    assert decode_header_text(header) == WITHDRAWAL_ZH


def test_encoded_words_keep_surrounding_text_and_drop_folding_between_words():
    header = "Re: =?UTF-8?Q?=E6=8F=90=E5=B8=81?= =?UTF-8?B?5pyq5Yiw6LSm?= (#1234)"

    assert decode_header_text(header) == "Re: 提币未到账 (#1234)"


def test_q_encoding_underscores_are_spaces_and_broken_padding_is_forgiven():
    assert decode_header_text("=?ISO-8859-1?Q?Eelanal=FC=FCsi_p=E4ring?=") == "Eelanalüüsi päring"
    assert decode_header_text("=?NONE?B?VEVTVA=?=") == "TEST"


def test_raw_8bit_header_bytes_are_decoded():
    # The stdlib parser hands 8-bit header bytes over as surrogate escapes.
    raw = "主题".encode().decode("ascii", "surrogateescape")

    assert decode_header_text(f"Re: {raw}") == "Re: 主题"
