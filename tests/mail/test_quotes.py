"""The new text of a reply, cut from quoted history and signatures the way mail clients write them."""

from __future__ import annotations

import pytest

from tickets.mail.quotes import split_reply

NEW = "The withdrawal still has not arrived. TXID 0x9f3a."


@pytest.mark.parametrize(
    "history",
    [
        # Gmail, Apple Mail, Thunderbird
        "On Tue, Jan 2, 2024 at 10:00 AM Beacon Support <support@beacon.example> wrote:\n"
        "> We have sent your withdrawal.",
        # The same attribution wrapped by the client at 78 columns
        "On Tue, Jan 2, 2024 at 10:00 AM Beacon Support <\nsupport@beacon.example> wrote:\n\n"
        "> We have sent your withdrawal.",
        # Gmail in Chinese, both orders
        "在 2024年1月2日 周二 10:00，Beacon 客服 <support@beacon.example> 写道：\n> 您的提币已发出。",
        "Beacon 客服 <support@beacon.example> 于2024年1月2日周二 10:00写道：\n> 您的提币已发出。",
        # QQ Mail / Foxmail
        "------------------ 原始邮件 ------------------\n"
        '发件人: "Beacon 客服"<support@beacon.example>;\n发送时间: 2024年1月2日(星期二) 上午10:00\n'
        '收件人: "我"<me@qq.com>;\n主题: 回复：提币未到账',
        # Outlook, Exchange
        "-----Original Message-----\nFrom: Beacon Support\nSent: Tuesday, January 2, 2024",
        "-----原始邮件-----\n发件人: Beacon 客服\n发送时间: 2024年1月2日 10:00",
        "________________________________\nFrom: Beacon Support <support@beacon.example>\n"
        "Sent: Tuesday, January 2, 2024 10:00 AM\nTo: Me <me@example.com>\n"
        "Subject: RE: Withdrawal\n\nWe have sent your withdrawal.",
        "From: Beacon Support <support@beacon.example>\nSent: Tuesday, January 2, 2024 10:00 AM\n"
        "To: Me <me@example.com>\nSubject: RE: Withdrawal\n\nWe have sent your withdrawal.",
        "发件人: Beacon 客服 <support@beacon.example>\n发送时间: 2024年1月2日 10:00\n"
        "收件人: 我 <me@example.com>\n主题: 回复: 提币未到账\n\n您的提币已发出。",
        # Plain quoting with no attribution
        "> We have sent your withdrawal.\n> Regards,\n> Beacon Support",
    ],
)
def test_quoted_history_is_cut(history):
    new, cut = split_reply(f"{NEW}\n\n{history}")

    assert new == NEW
    assert cut == history


@pytest.mark.parametrize(
    "signature",
    [
        "-- \nZhang San\nHead of Trading",
        "--\nZhang San",
        "Sent from my iPhone",
        "发自我的iPhone",
        "Get Outlook for Android",
    ],
)
def test_signatures_are_cut(signature):
    assert split_reply(f"{NEW}\n\n{signature}") == (NEW, signature)


def test_the_earliest_marker_wins_so_signature_and_history_go_together():
    text = f"{NEW}\n\n-- \nZhang San\n\nOn Tue, Jan 2, 2024, Beacon <s@b.example> wrote:\n> hi"

    new, cut = split_reply(text)

    assert new == NEW
    assert cut.startswith("-- \nZhang San") and cut.endswith("> hi")


def test_attribution_in_another_language_goes_with_the_quote_below_it():
    text = f"{NEW}\nLe 2 janv. 2024 à 10:00, Beacon <s@b.example> a écrit :\n> bonjour"

    assert split_reply(text) == (
        NEW,
        "Le 2 janv. 2024 à 10:00, Beacon <s@b.example> a écrit :\n> bonjour",
    )


def test_a_customers_own_colon_line_above_a_quote_stays():
    text = "Hello,\nthis is the error the app showed:\n> Error 5003: address not whitelisted"

    new, cut = split_reply(text)

    assert new == "Hello,\nthis is the error the app showed:"
    assert cut == "> Error 5003: address not whitelisted"


def test_inline_answers_between_quotes_are_kept():
    text = "> Which network?\nTRC20\n> Which amount?\n500 USDT"

    assert split_reply(text) == (text, "")


def test_prose_ending_in_wrote_is_not_an_attribution():
    text = "On my side, nothing changed since I\nwrote:\nplease check again."

    assert split_reply(text) == (text, "")


def test_text_without_markers_is_all_new():
    assert split_reply(NEW) == (NEW, "")


@pytest.mark.parametrize(
    "text",
    [
        "-----Original Message-----\nFrom: someone\nSent: today\nTo: me\nSubject: fwd",
        "On Tue, Jan 2, 2024 at 10:00 AM X <x@y.example> wrote:\n> only a quote",
        "Sent from my iPhone",
    ],
)
def test_when_cutting_would_leave_nothing_the_whole_text_is_new(text):
    assert split_reply(text) == (text, "")
