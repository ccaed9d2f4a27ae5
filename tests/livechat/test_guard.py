"""The sensitive-data guard masks seed phrases, private keys and passwords, and only them."""

from __future__ import annotations

import random

import pytest
from mnemonic import Mnemonic

from livechat.guard import scan

ENGLISH = Mnemonic("english")
CHINESE = Mnemonic("chinese_simplified")


def _phrase(words: Mnemonic, strength: int, seed: int = 0) -> str:
    """A real BIP39 phrase (valid checksum) from fixed entropy, so every run tests the same."""
    return words.to_mnemonic(random.Random(seed * 1000 + strength).randbytes(strength // 8))


HEX = "e9873d79c6d87dc0fb6a5778633389f4453213303da61f20bd67fc233aa33262"


def _hidden(result, secret: str) -> None:
    assert secret not in result.body
    assert "••••" in result.body


@pytest.mark.parametrize("strength", [128, 160, 192, 224, 256])  # 12, 15, 18, 21, 24 words
def test_real_english_seed_phrases_are_masked_and_the_rest_kept(strength):
    phrase = _phrase(ENGLISH, strength)
    result = scan(f"hi support, my wallet words are {phrase} can you check my balance")
    assert result.found == ["seed_phrase"]
    context = {"hi", "support", "my", "wallet", "words", "are", "can", "you", "check", "balance"}
    for word in set(phrase.split()) - context:
        assert f" {word} " not in f" {result.body} "
    assert result.body.startswith("hi support, my wallet")
    assert "balance" in result.body


def test_an_english_phrase_with_numbers_line_breaks_and_a_typo_is_still_found():
    words = _phrase(ENGLISH, 160).split()  # 15 words
    words[5] = "zzzx"  # a typo: 14 list words are left
    numbered = "\n".join(f"{i}. {word}" for i, word in enumerate(words, start=1))
    result = scan(numbered)
    assert result.found == ["seed_phrase"]
    assert words[0] not in result.body and words[-1] not in result.body


@pytest.mark.parametrize("strength", [128, 256])
def test_chinese_phrases_spaced_as_wallets_show_them(strength):
    phrase = _phrase(CHINESE, strength)
    result = scan(f"我的助记词是 {phrase} 请帮我找回")
    assert result.found == ["seed_phrase"]
    _hidden(result, phrase)
    assert result.body.startswith("我的助记词是") and result.body.endswith("请帮我找回")


def test_a_chinese_phrase_typed_without_spaces():
    phrase = _phrase(CHINESE, 128).replace(" ", "")
    assert scan(phrase).found == ["seed_phrase"]
    cued = scan(f"助记词：{phrase}")
    assert cued.found == ["seed_phrase"] and cued.body.startswith("助记词：")


@pytest.mark.parametrize(
    "text",
    [
        "I have a problem with my account because I cannot withdraw my money and the fee "
        "is too high please help me find a solution today",
        "abandon ability able about above absent absorb abstract absurd abuse access",  # 11
        "我的账户被盗了怎么办请帮我看一下提现到银行卡要多久",
        "我想知道怎么提现到银行卡",
        "请问一下为什么我的订单一直没有成交呢谢谢你们了",
        "你好 我 想 问 一下",
    ],
)
def test_ordinary_messages_are_not_seed_phrases(text):
    assert scan(text).found == []
    assert scan(text).body == text


@pytest.mark.parametrize(
    "text",
    [
        f"my private key is {HEX}",
        f"{HEX}",
        f"私钥 0x{HEX}",
        f"here: 0x{HEX.upper()} is that safe?",
    ],
)
def test_hex_private_keys_are_masked(text):
    result = scan(text)
    assert result.found == ["private_key"]
    _hidden(result, HEX)
    assert HEX.upper() not in result.body


@pytest.mark.parametrize(
    "text",
    [
        "5HueCGU8rMjxEXxiPuD5BDku4MkFqeZyd4dZ1jvhTVqvbTLvyTJ",  # WIF, uncompressed
        "KwDiBf89QgGbjEhKnhXJuH7LrciVrZi3qYjgd9M7rFU73sVHnoWn",  # WIF, compressed
        "L1aW4aubDFB7yfras2S1mN3bqg9nwySY8nkoLmJebSLD5BWv3ENZ",
        "xprv9s21ZrQH143K3QTDL4LXw2F7HEK3wJUD2nW2nRk4stbPy6cq3jPPqjiChkVvvNKmPGJxWUtg6LnF5kejMRNNU3TGtRBeJgk33yuGBxrMPHi",
        "tprv8ZgxMBicQKsPd9TeAdPADNnSyH9SSUUbTVeFszDE23Ki6TBB5nCefAdHkK8Fm3qMQR6sHwA56zqRmKmxnHk37JkiFzvncDqoKmPWubu7hDF",
    ],
)
def test_wif_and_extended_keys_are_masked(text):
    result = scan(f"key {text} thanks")
    assert result.found == ["private_key"]
    assert text not in result.body and result.body.endswith("thanks")


@pytest.mark.parametrize(
    "text",
    [
        f"txid {HEX}",
        f"TXID: 0x{HEX}",
        f"my deposit hasn't arrived, tx hash is 0x{HEX}",
        f"交易哈希: {HEX} 还没到账",
        f"交易哈希是 0x{HEX}",
        f"https://etherscan.io/tx/0x{HEX}",
        f"{HEX} is the transaction id",
        "send it to 0x52908400098527886E0F7030069857D2E4169EE7",  # an Ethereum address
        "0x" + "a" * 40,
    ],
)
def test_transaction_ids_and_addresses_are_not_keys(text):
    result = scan(text)
    assert result.found == [] and result.body == text


def test_the_nearest_cue_decides_between_txid_and_key():
    text = f"the txid I mentioned earlier is wrong. my private key: {HEX}"
    assert scan(text).found == ["private_key"]


@pytest.mark.parametrize(
    ("text", "secret", "kept"),
    [
        ("my password is Hunter22! please reset", "Hunter22!", "please reset"),
        ("Password: s3cr3t-Pa55", "s3cr3t-Pa55", "Password:"),
        ("pwd qwerty99", "qwerty99", "pwd"),
        ('my password is "correct horse battery"', "correct horse battery", "my password is"),
        ("login password = abcd1234.", "abcd1234", "login password"),
        ("密码是abc123456请帮我看看", "abc123456", "请帮我看看"),
        ("我的密码：Zz998877", "Zz998877", "我的密码："),
        ("登录密码为 P@ssw0rd", "P@ssw0rd", "登录密码为"),
    ],
)
def test_passwords_in_both_languages_are_masked(text, secret, kept):
    result = scan(text)
    assert result.found == ["password"]
    assert secret not in result.body and kept in result.body


@pytest.mark.parametrize(
    "text",
    [
        "I forgot my password",
        "my password is wrong",
        "my password is not working",
        "password reset link expired",
        "how do I change my password?",
        "我的密码是多少",
        "密码错误",
        "密码是错的吗",
        "忘记密码了怎么办",
    ],
)
def test_talk_about_passwords_is_not_a_password(text):
    result = scan(text)
    assert result.found == [] and result.body == text


def test_several_kinds_at_once_are_all_reported_in_a_fixed_order():
    phrase = _phrase(ENGLISH, 128)
    result = scan(f"password: Secret123 and key {HEX} and {phrase}")
    assert result.found == ["seed_phrase", "private_key", "password"]
    assert "Secret123" not in result.body and HEX not in result.body


def test_the_customer_message_is_stored_masked(db, customer):
    from livechat.models import Conversation
    from livechat.services.messages import message_post

    conversation = Conversation.objects.create(customer=customer)
    phrase = _phrase(ENGLISH, 128)
    message, _ = message_post(conversation=conversation, sender="customer", body=phrase)
    message.refresh_from_db()
    assert message.masked == ["seed_phrase"] and phrase not in message.body
