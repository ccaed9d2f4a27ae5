"""allauth's TOTP against RFC 6238 (appendix B, SHA-1): its 6-digit codes are the last six
digits of the RFC's 8-digit values."""

from __future__ import annotations

import base64

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

RFC_SECRET = base64.b32encode(b"12345678901234567890").decode()
RFC_6238_SHA1 = [
    (59, "94287082"),
    (1111111109, "07081804"),
    (1111111111, "14050471"),
    (1234567890, "89005924"),
    (2000000000, "69279037"),
    (20000000000, "65353130"),
]


@pytest.mark.parametrize(("unix_time", "rfc_code"), RFC_6238_SHA1)
def test_allauth_totp_matches_rfc_6238(unix_time, rfc_code):
    counter = unix_time // 30  # T0 = 0, X = 30 s
    assert format_hotp_value(hotp_value(RFC_SECRET, counter)) == rfc_code[-6:]
