from __future__ import annotations

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db


def test_healthz_reports_every_part_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "database": "ok",
        "channel_layer": "ok",
        "broker": "ok",
        "status": "ok",
    }


@override_settings(
    CHANNEL_LAYERS={
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": ["redis://127.0.0.1:1/0"]},  # nothing listens on port 1
        }
    }
)
def test_healthz_stays_ready_but_says_degraded_when_the_channel_layer_is_down(client):
    # Every page still answers without Redis (tests/faults/test_redis_down.py): the
    # process stays in the load balancer, and monitoring reads which part is down.
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    try:
        response = client.get("/healthz")
    finally:
        channel_layers.backends.clear()
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["channel_layer"].startswith("down")
    assert response.json()["database"] == "ok"


def test_ping_is_trivial(client):
    response = client.get("/ping")
    assert response.status_code == 200 and response.content == b"pong"
