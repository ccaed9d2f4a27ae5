"""Liveness (/ping) needs nothing; readiness (/healthz) needs the database, and reports the
channel layer and the broker (core.health.ProbeMiddleware)."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest
from django.test import override_settings

from tests.servers import AsgiServer

pytestmark = pytest.mark.django_db


def status_of(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def test_probes_ping_touches_no_database_even_for_a_signed_in_browser(
    client, customer, django_assert_num_queries
):
    # given: a browser with a session (every other page would load it from the database)
    client.force_login(customer)
    # when / then
    with django_assert_num_queries(0):
        response = client.get("/ping")
    assert response.status_code == 200 and response.content == b"pong"


@override_settings(ALLOWED_HOSTS=["support.example.com"], SECURE_SSL_REDIRECT=True)
def test_probes_answer_an_orchestrator_on_the_containers_own_address(client):
    # An orchestrator probes http://<pod address>:8000, a Host no setting lists, over HTTP.
    probe = {"HTTP_HOST": "10.1.2.3:8000"}
    assert client.get("/ping", **probe).status_code == 200
    assert client.get("/healthz", **probe).status_code == 200
    # every other page still checks the host
    assert client.get("/", **probe).status_code == 400


@pytest.mark.django_db(transaction=True)
def test_probes_a_server_without_its_database_is_alive_but_not_ready():
    # given: a server whose PostgreSQL does not answer (nothing listens on port 1)
    server = AsgiServer(DATABASE_URL="postgres://postgres@127.0.0.1:1/beacon")
    try:
        server.wait_ready()
        # when
        live = status_of(f"{server.url}/ping")
        ready = status_of(f"{server.url}/healthz")
    finally:
        log = server.stop()
    # then: the balancer takes it out of rotation; nothing restarts it
    assert (live, ready) == (200, 503), log
