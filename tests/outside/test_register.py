"""`manage.py outside_register`: the platforms are told where Beacon listens."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.outside.conftest import TELEGRAM_SECRET


def test_telegram_gets_the_webhook_and_its_secret(platforms):
    out = StringIO()
    call_command("outside_register", "telegram", stdout=out)
    assert platforms.registered["telegram"] == {
        "url": "https://support.beacon.test/outside/telegram/webhook",
        "secret_token": TELEGRAM_SECRET,
        "allowed_updates": ["message"],
    }
    assert "https://support.beacon.test/outside/telegram/webhook" in out.getvalue()


def test_discord_gets_both_commands(platforms):
    call_command("outside_register", "discord", "--application-id", "1300000000000000000")
    names = [command["name"] for command in platforms.registered["discord"]]
    assert names == ["support", "link"]


def test_mistakes_are_said_plainly(platforms, settings):
    with pytest.raises(CommandError, match="application-id"):
        call_command("outside_register", "discord")
    platforms.mode = "down"
    with pytest.raises(CommandError, match="502"):
        call_command("outside_register", "telegram")
    settings.OUTSIDE_TELEGRAM_BOT_TOKEN = ""
    with pytest.raises(CommandError, match="not configured"):
        call_command("outside_register", "telegram")
