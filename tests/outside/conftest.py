from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import itertools
import json
import time
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from accounts.models import Role
from accounts.services import user_role_grant
from livechat.models import AgentPresence
from livechat.services.presence import presence_for
from outside import services
from tests.outside.fake_platforms import (
    DISCORD_TOKEN,
    TELEGRAM_TOKEN,
    X_TOKEN,
    FakePlatforms,
)

FIXTURES = Path(__file__).parent / "fixtures"
TELEGRAM_SECRET = "telegram-webhook-secret_0123456789"
X_CONSUMER_SECRET = "x-consumer-secret-abcdefghijklmnop"


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


@pytest.fixture
def platforms():
    fake = FakePlatforms()
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def discord_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture(autouse=True)
def outside_settings(settings, platforms, discord_key):
    settings.OUTSIDE_TELEGRAM_BOT_TOKEN = TELEGRAM_TOKEN
    settings.OUTSIDE_TELEGRAM_SECRET_TOKEN = TELEGRAM_SECRET
    settings.OUTSIDE_TELEGRAM_API_BASE = platforms.base
    settings.OUTSIDE_X_CONSUMER_SECRET = X_CONSUMER_SECRET
    settings.OUTSIDE_X_ACCESS_TOKEN = X_TOKEN
    settings.OUTSIDE_X_API_BASE = platforms.base
    public = discord_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    settings.OUTSIDE_DISCORD_PUBLIC_KEY = public.hex()
    settings.OUTSIDE_DISCORD_BOT_TOKEN = DISCORD_TOKEN
    settings.OUTSIDE_DISCORD_API_BASE = platforms.base + "/api/v10"
    settings.OUTSIDE_HTTP_TIMEOUT = 5.0
    settings.SITE_URL = "https://support.beacon.test"
    return settings


@pytest.fixture
def deliver(db):
    """What the worker does: send every due reply now (the sweep); how many were sent."""

    def run(now=None) -> int:
        return services.outbox_sweep(now=now)

    return run


_ids = itertools.count(1)


@pytest.fixture
def telegram(client):
    """Post a Telegram update (the fixture's shape) to the webhook, signed unless told."""

    def send(text: str, *, update_id=None, user_id=700100200, secret=TELEGRAM_SECRET, **kw):
        update = copy.deepcopy(fixture("telegram_message.json"))
        update["update_id"] = update_id or 912345670 + next(_ids)
        update["message"]["message_id"] = 51 + next(_ids)
        update["message"]["text"] = text
        update["message"]["from"]["id"] = update["message"]["chat"]["id"] = user_id
        if kw.get("language"):
            update["message"]["from"]["language_code"] = kw["language"]
        headers = {"HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN": secret} if secret else {}
        return client.post(
            "/outside/telegram/webhook",
            data=json.dumps(update),
            content_type="application/json",
            **headers,
        )

    return send


def x_signature(body: bytes, secret: str = X_CONSUMER_SECRET) -> str:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return "sha256=" + base64.b64encode(digest).decode()


@pytest.fixture
def x_dm(client):
    def send(text: str, *, event_id=None, sender_id="2400000000000000002", sign=True):
        payload = copy.deepcopy(fixture("x_dm_event.json"))
        event = payload["direct_message_events"][0]
        event["id"] = event_id or str(1865000000000000001 + next(_ids))
        event["message_create"]["message_data"]["text"] = text
        event["message_create"]["sender_id"] = sender_id
        body = json.dumps(payload).encode()
        headers = {"HTTP_X_TWITTER_WEBHOOKS_SIGNATURE": x_signature(body)} if sign else {}
        return client.post(
            "/outside/x/webhook", data=body, content_type="application/json", **headers
        )

    return send


@pytest.fixture
def discord(client, discord_key):
    def send(payload: dict, *, key=None, timestamp=None):
        body = json.dumps(payload).encode()
        stamp = str(timestamp or int(time.time()))
        signature = (key or discord_key).sign(stamp.encode() + body).hex()
        return client.post(
            "/outside/discord/webhook",
            data=body,
            content_type="application/json",
            HTTP_X_SIGNATURE_ED25519=signature,
            HTTP_X_SIGNATURE_TIMESTAMP=stamp,
        )

    return send


@pytest.fixture
def agent(user_factory):
    """An English-speaking agent, online with room for three chats."""
    user = user_factory(first_name="Mei", email="mei@beacon.test")
    user_role_grant(user=user, role=Role.AGENT)
    presence = presence_for(user)
    presence.status = AgentPresence.Status.ONLINE
    presence.languages = ["en"]
    presence.skills = ["general"]
    presence.capacity = 3
    presence.save()
    return user
