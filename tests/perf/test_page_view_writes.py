"""No database write on a plain page view (issue 19): allauth's user-session tracking
writes a session's row at most every BEACON_USERSESSION_TOUCH_SECONDS, or at once when
the session's IP or browser changes; the security page still lists each session."""

from __future__ import annotations

import pytest
from allauth.usersessions.models import UserSession
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.perf.helpers import client_for, fill, writes

pytestmark = pytest.mark.django_db

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"


@pytest.mark.parametrize(
    "who, path",
    [("customer", "/account/security/"), ("agent", "/console/?queue=all")],
)
def test_a_second_page_view_by_the_same_session_writes_nothing(world, who, path):
    fill(world, 2)
    client = client_for(world[who], HTTP_USER_AGENT=FIREFOX)
    assert client.get(path).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    assert writes(captured.captured_queries) == []


def test_the_sessions_list_still_learns_a_new_ip_at_once(world):
    client = client_for(world["customer"])
    assert client.get("/account/security/", REMOTE_ADDR="192.0.2.10").status_code == 200
    assert UserSession.objects.get(user=world["customer"]).ip == "192.0.2.10"
    with CaptureQueriesContext(connection) as captured:
        page = client.get("/account/security/", REMOTE_ADDR="198.51.100.7")
    assert any(sql.startswith("UPDATE") for sql in writes(captured.captured_queries))
    assert UserSession.objects.get(user=world["customer"]).ip == "198.51.100.7"
    assert "198.51.100.7" in page.content.decode()
