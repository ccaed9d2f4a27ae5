from __future__ import annotations

import random

import pytest
from django.urls import reverse

from helpcenter.verification import MAX_INPUT_CHARS, RegistryEntry, Verdict, verify

HOTLINE = RegistryEntry(1, "hotline", "+86 400-820-8888", "tel:+864008208888")
EMAIL = RegistryEntry(2, "email", "support@beacon.test", "mailto:support@beacon.test")
TELEGRAM = RegistryEntry(3, "telegram", "https://t.me/BeaconOfficial", "")
X_SUPPORT = RegistryEntry(4, "x", "@BeaconSupport", "https://x.com/BeaconSupport")
WEBSITE = RegistryEntry(5, "website", "https://www.beacon.test", "")
DISCORD = RegistryEntry(6, "discord", "https://discord.gg/beacon", "")
X_NEWS = RegistryEntry(7, "x", "@BeaconNews", "")
TEAM_EMAIL = RegistryEntry(8, "email", "team@beacon.test", "")
LIVE_CHAT = RegistryEntry(9, "live_chat", "Live chat", "https://www.beacon.test/chat")
COMMUNITY = RegistryEntry(10, "community", "@BeaconTraders", "https://t.me/joinchat/AbCdEf")
REGISTRY = (
    HOTLINE,
    EMAIL,
    TELEGRAM,
    X_SUPPORT,
    WEBSITE,
    DISCORD,
    X_NEWS,
    TEAM_EMAIL,
    LIVE_CHAT,
    COMMUNITY,
)
STATUSES = {"official", "lookalike", "unknown", "empty"}
READINGS = {"email", "phone", "url", "handle", ""}


# --- empty and hostile input ----------------------------------------------------------------


@pytest.mark.parametrize("raw", ["", "   ", "\x00\x00\x00", "\u3000\t\r\n", "\x07\x1b\x7f\x9f"])
def test_verify_blank_or_control_only_input_is_empty(raw):
    # when
    verdict = verify(raw, REGISTRY)
    # then
    assert verdict == Verdict(status="empty", matches=(), interpreted_as="")


@pytest.mark.parametrize(
    "raw",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(document.cookie)",
        "data:text/html,<script>alert(1)</script>",
        "<script>alert(1)</script>",
        "'; DROP TABLE channels; --",
        "1' OR '1'='1",
        "😀",
        "👨\u200d👩\u200d👧 🚀",
        "@",
        "+",
        "+86",
        "ftp://beacon.test",
        "file:///etc/passwd",
        "../../etc/passwd",
        "%00%0a",
    ],
)
def test_verify_hostile_strings_are_unknown(raw):
    # when
    verdict = verify(raw, REGISTRY)
    # then
    assert verdict.status == "unknown" and verdict.matches == ()


@pytest.mark.parametrize("raw", ["@", "+", "javascript:alert(1)", "😀", "'; DROP TABLE x; --"])
def test_verify_unreadable_input_is_interpreted_as_nothing(raw):
    # when
    verdict = verify(raw, REGISTRY)
    # then
    assert verdict.interpreted_as == ""


def test_verify_10_kb_of_garbage_is_cut_and_answered():
    # given
    garbage = "A" * 10_240
    # when
    verdict = verify(garbage, REGISTRY)
    # then
    assert verdict == Verdict(status="unknown", matches=(), interpreted_as="")


def test_verify_reads_only_first_max_input_chars():
    # given: an official URL whose path runs far past the limit, and one hidden past the limit
    long_official = "https://www.beacon.test/" + "a" * 10_000
    hidden_after_limit = "x" * MAX_INPUT_CHARS + "support@beacon.test"
    # when
    official = verify(long_official, REGISTRY)
    hidden = verify(hidden_after_limit, REGISTRY)
    # then
    assert official.status == "official" and official.matches == (WEBSITE,)
    assert hidden.status == "unknown"


@pytest.mark.parametrize(
    "raw", ["support@beacon.test\x00", "\x00support@beacon.test", "supp\x00ort@beacon.test"]
)
def test_verify_strips_nul_bytes_before_matching(raw):
    # when
    verdict = verify(raw, REGISTRY)
    # then
    assert verdict.status == "official" and verdict.matches == (EMAIL,)


def test_verify_never_raises_on_random_unicode():
    # given: a fixed seed, code points from every plane including lone surrogates
    rng = random.Random(20240131)
    alphabet = "@+:/.\\-_#?%<> 0o1lI\u202e\u200b\x00"
    samples = []
    for _ in range(2_000):
        length = rng.randint(0, 40)
        samples.append(
            "".join(
                rng.choice(alphabet) if rng.random() < 0.5 else chr(rng.randint(0, 0x10FFFF))
                for _ in range(length)
            )
        )
    # when
    verdicts = [verify(sample, REGISTRY) for sample in samples]
    # then
    assert all(verdict.status in STATUSES for verdict in verdicts)
    assert all(verdict.interpreted_as in READINGS for verdict in verdicts)


# --- emails ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "support@beacon.test",
        "SUPPORT@Beacon.TEST",
        "  support@beacon.test  ",
        "mailto:support@beacon.test",
        "MAILTO:Support@Beacon.Test?subject=Help",
        "<support@beacon.test>",
        "< mailto:support@beacon.test >",
        "ｓｕｐｐｏｒｔ＠ｂｅａｃｏｎ．ｔｅｓｔ",
    ],
)
def test_verify_email_variants_are_official(raw):
    # when
    verdict = verify(raw, REGISTRY)
    # then
    assert verdict == Verdict(status="official", matches=(EMAIL,), interpreted_as="email")


@pytest.mark.parametrize(
    "raw", ["sales@beacon.test", "support@help.beacon.test", "support@evil.io"]
)
def test_verify_unregistered_email_is_unknown(raw):
    # when
    verdict = verify(raw, REGISTRY)
    # then
    assert verdict == Verdict(status="unknown", matches=(), interpreted_as="email")


# --- phones ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "+86 400-820-8888",
        "+86 (400) 820-8888",
        "+86 400.820.8888",
        "0086 400 820 8888",
        "+864008208888",
        "tel:+86-400-820-8888",
        "＋８６ ４００ ８２０ ８８８８",
        "400 820 8888",
        "0400-820-8888",
        "820 8888",
    ],
)
def test_verify_phone_formats_are_official(raw):
    # when
    verdict = verify(raw, REGISTRY)
    # then
    assert verdict == Verdict(status="official", matches=(HOTLINE,), interpreted_as="phone")


@pytest.mark.parametrize(
    "raw", ["+1 400 820 8888", "+86 400 820 8889", "001 400 820 8888", "400 820 8880"]
)
def test_verify_other_phone_numbers_are_unknown(raw):
    # when
    verdict = verify(raw, REGISTRY)
    # then
    assert verdict == Verdict(status="unknown", matches=(), interpreted_as="phone")


@pytest.mark.parametrize("raw", ["820888", "+86 8888", "82 08 88"])
def test_verify_fewer_than_seven_digits_is_not_a_phone(raw):
    # when
    verdict = verify(raw, REGISTRY)
    # then
    assert verdict == Verdict(status="unknown", matches=(), interpreted_as="")


def test_verify_phone_without_country_code_matches_domestic_registry_number():
    # given: a number registered without country code, with its trunk 0
    domestic = RegistryEntry(20, "hotline", "020 7946 0000", "")
    # when
    with_trunk = verify("02079460000", [domestic])
    without_trunk = verify("20 7946 0000", [domestic])
    # then
    assert with_trunk.status == without_trunk.status == "official"


# --- URLs -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "https://www.beacon.test",
        "https://www.beacon.test/",
        "beacon.test",
        "www.beacon.test///",
        "HTTP://WWW.BEACON.TEST:80/",
        "https://beacon.test:443/fees?lang=en#top",
        "https://help.beacon.test/articles/42",
        "https://a.b.help.beacon.test",
        "https://user:secret@beacon.test/",
        "ｈｔｔｐｓ：／／ｗｗｗ．ｂｅａｃｏｎ．ｔｅｓｔ",
        "https://beacon.test./",
    ],
)
def test_verify_url_on_official_website_host_is_official(raw):
    # when
    verdict = verify(raw, REGISTRY)
    # then
    assert verdict.status == "official" and WEBSITE in verdict.matches
    assert verdict.interpreted_as == "url"


@pytest.mark.parametrize(
    "raw",
    [
        "https://beacon.test@evil.io/",
        "https://www.beacon.test@evil.io/login",
        "https://evil.io\\@beacon.test",
        "https://evil.io#@beacon.test",
        "https://evil.io?@beacon.test",
        "https://beacon.test.evil.io/",
        "https://evilbeacon.test",
        "https://beacon.testing",
        "https://beacon.test:8443/",
        "http://beacon.test:443/",
    ],
)
def test_verify_url_on_another_host_or_port_is_unknown(raw):
    # when
    verdict = verify(raw, REGISTRY)
    # then
    assert verdict == Verdict(status="unknown", matches=(), interpreted_as="url")


def test_verify_url_matching_several_entries_returns_them_in_registry_order():
    # when: the chat page is both a live_chat entry and on the website host
    verdict = verify("https://beacon.test/chat/", REGISTRY)
    # then
    assert verdict == Verdict(status="official", matches=(WEBSITE, LIVE_CHAT), interpreted_as="url")


def test_verify_punycode_host_is_decoded_before_comparison():
    # given: a website registered under its Unicode name
    idn = RegistryEntry(30, "website", "https://www.bücher.test", "")
    # when
    verdict = verify("https://xn--bcher-kva.test/katalog", [idn])
    # then
    assert verdict == Verdict(status="official", matches=(idn,), interpreted_as="url")


@pytest.mark.parametrize("raw", ["https://xn--beacon-.test", "https://xn--a.beacon.test.evil.io"])
def test_verify_invalid_punycode_is_never_official(raw):
    # when
    verdict = verify(raw, REGISTRY)
    # then
    assert verdict.status == "unknown"


# --- social links and handles ---------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, entry",
    [
        ("https://t.me/BeaconOfficial", TELEGRAM),
        ("t.me/beaconofficial", TELEGRAM),
        ("https://telegram.me/BEACONOFFICIAL/", TELEGRAM),
        ("https://t.me/BeaconOfficial/1234?single", TELEGRAM),
        ("https://t.me/s/BeaconOfficial", TELEGRAM),
        ("https://x.com/BeaconSupport", X_SUPPORT),
        ("https://twitter.com/beaconsupport/status/1", X_SUPPORT),
        ("https://www.twitter.com/BeaconNews", X_NEWS),
        ("https://discord.gg/beacon", DISCORD),
        ("https://discord.com/invite/Beacon", DISCORD),
        ("https://t.me/joinchat/AbCdEf", COMMUNITY),
    ],
)
def test_verify_social_link_matches_host_and_account(raw, entry):
    # when
    verdict = verify(raw, REGISTRY)
    # then
    assert verdict == Verdict(status="official", matches=(entry,), interpreted_as="url")


@pytest.mark.parametrize(
    "raw",
    [
        "https://t.me/BeaconSupport",  # that name is official on X, not on Telegram
        "https://x.com/BeaconOfficial",
        "https://t.me/BeaconOfficialSupport",
        "https://t.me/joinchat/Evil",
        "https://discord.gg/beacon-airdrop",
        "https://discord.com/channels/beacon",
        "https://evil.io/BeaconOfficial",
    ],
)
def test_verify_social_link_to_other_account_or_platform_is_unknown(raw):
    # when
    verdict = verify(raw, REGISTRY)
    # then
    assert verdict == Verdict(status="unknown", matches=(), interpreted_as="url")


@pytest.mark.parametrize(
    "raw, entry",
    [
        ("@BeaconSupport", X_SUPPORT),
        ("beaconsupport", X_SUPPORT),
        ("@BeaconOfficial", TELEGRAM),
        ("BeaconOfficial", TELEGRAM),
        ("@beacontraders", COMMUNITY),
        ("＠ＢｅａｃｏｎＮｅｗｓ", X_NEWS),
    ],
)
def test_verify_handle_matches_social_entries(raw, entry):
    # when
    verdict = verify(raw, REGISTRY)
    # then
    assert verdict == Verdict(status="official", matches=(entry,), interpreted_as="handle")


@pytest.mark.parametrize("raw", ["@BeaconHelp", "support", "@chat", "@live", "beacon_support_team"])
def test_verify_unregistered_handle_is_unknown(raw):
    # when
    verdict = verify(raw, REGISTRY)
    # then
    assert verdict == Verdict(status="unknown", matches=(), interpreted_as="handle")


# --- look-alikes ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, imitated, reading",
    [
        ("support@beac\u043en.test", EMAIL, "email"),  # Cyrillic о
        ("https://beac0n.test", WEBSITE, "url"),
        ("www.b\u0435acon.test", WEBSITE, "url"),  # Cyrillic е
        ("https://xn--bacon-zwe.test", WEBSITE, "url"),  # punycode for b<Cyrillic е>acon
        ("https://help.b\u0435acon.test/login", WEBSITE, "url"),
        ("@BeaconSupp0rt", X_SUPPORT, "handle"),
        ("@BeaconOfficiaI", TELEGRAM, "handle"),  # capital I for l
        ("@BeaconNevvs", X_NEWS, "handle"),  # vv for w
        ("tearn@beacon.test", TEAM_EMAIL, "email"),  # rn for m
        ("https://t.me/Beac0nOfficial", TELEGRAM, "url"),
        ("\U0001d42c\U0001d42e\U0001d429\U0001d429\u043ert@beacon.test", EMAIL, "email"),
        ("+86 4OO 82O 8888", HOTLINE, "phone"),
    ],
)
def test_verify_lookalike_reports_imitated_entry_and_is_never_official(raw, imitated, reading):
    # when
    verdict = verify(raw, REGISTRY)
    # then
    assert verdict == Verdict(status="lookalike", matches=(imitated,), interpreted_as=reading)


@pytest.mark.parametrize(
    "raw",
    [
        "support@beacon.test\u202e",
        "\u202etset.nocaeb@troppus",  # displays as support@beacon.test
        "supp\u200bort@beacon.test",  # zero-width space
        "https://www.bea\u200dcon.test",  # zero-width joiner
        "\u2067@BeaconSupport\u2069",
    ],
)
def test_verify_invisible_or_bidi_disguise_is_lookalike(raw):
    # when
    verdict = verify(raw, REGISTRY)
    # then
    assert verdict.status == "lookalike" and len(verdict.matches) == 1


def test_verify_lookalike_of_unrelated_string_is_unknown():
    # when
    verdict = verify("supp0rt@evil.io", REGISTRY)
    # then
    assert verdict == Verdict(status="unknown", matches=(), interpreted_as="email")


# --- registry handling ----------------------------------------------------------------------


def test_verify_with_empty_registry_is_unknown():
    # when
    verdict = verify("support@beacon.test", [])
    # then
    assert verdict == Verdict(status="unknown", matches=(), interpreted_as="email")


def test_verify_accepts_any_iterable_registry():
    # given
    registry = (entry for entry in REGISTRY)
    # when
    verdict = verify("support@beacon.test", registry)
    # then
    assert verdict.matches == (EMAIL,)


def test_verify_ignores_handles_of_non_social_entries():
    # given: a live-chat entry whose value happens to be one word
    chat = RegistryEntry(40, "live_chat", "Chat", "")
    # when
    verdict = verify("@chat", [chat])
    # then
    assert verdict.status == "unknown"


def test_verify_with_1000_entry_registry_gives_the_right_verdicts():
    # given
    registry = [
        RegistryEntry(number, "email", f"agent{number}@beacon.test", "") for number in range(500)
    ] + [
        RegistryEntry(
            500 + number, "x", f"@BeaconAgent{number}", f"https://x.com/BeaconAgent{number}"
        )
        for number in range(500)
    ]
    inputs = [
        "agent499@beacon.test",
        "@BeaconAgent7",
        "@BeaconAgent0x",
        "https://x.com/beaconagent1",
    ]
    inputs += ["A" * 10_240, "agent1@beac\u043en.test"]
    # when (speed is bench material, not a test's: no time limit here)
    verdicts = [verify(raw, registry) for raw in inputs * 50]
    # then
    assert [verdict.status for verdict in verdicts[:6]] == [
        "official",
        "official",
        "unknown",
        "official",
        "unknown",
        "lookalike",
    ]


@pytest.mark.django_db
def test_verify_page_limits_checks_per_network_with_a_clear_message(client, settings):
    # given: a limit of three checks a minute
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "channel_verify": "3/m/ip"}
    url = reverse("helpcenter:verify")
    # when
    statuses = [client.get(url, {"value": f"@beacon_help{n}"}).status_code for n in range(4)]
    # then: the fourth is refused and says why; the empty form stays reachable
    assert statuses == [200, 200, 200, 429]
    refused = client.get(url, {"value": "@beacon_help"})
    assert refused.status_code == 429
    assert "Too many checks" in refused.content.decode()
    assert client.get(url).status_code == 200
