"""How the history names a browser and a network."""

from __future__ import annotations

import pytest

from accounts.security.devices import network_of
from accounts.security.user_agents import user_agent_label
from tests.accounts.security.conftest import IPHONE_SAFARI, WINDOWS_CHROME


@pytest.mark.parametrize(
    ("agent", "label"),
    [
        (WINDOWS_CHROME, "Chrome 120 on Windows"),
        (IPHONE_SAFARI, "Mobile Safari 17 on iPhone"),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.1; rv:121.0) Gecko/20100101 Firefox/121.0",
            "Firefox 121 on Mac",
        ),
        ("", "Unknown browser"),
        ("curl/8.5.0", "curl 8"),
        ("\x00" * 5000, "Unknown browser"),
    ],
    ids=["chrome", "iphone", "firefox-mac", "empty", "curl", "junk"],
)
def test_user_agent_labels(agent, label):
    assert user_agent_label(agent) == label


@pytest.mark.parametrize(
    ("ip", "network"),
    [
        ("203.0.113.77", "203.0.113.0/24"),
        ("2001:db8:1:ffff::9", "2001:db8:1::/48"),
        ("::ffff:203.0.113.5", "203.0.113.0/24"),
        ("", ""),
        ("not an address", ""),
    ],
)
def test_networks(ip, network):
    assert network_of(ip) == network
