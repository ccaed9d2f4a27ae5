"""Every socket lets in whom its page lets in, and refuses the others with a code the
browser can read (accepted, then closed: 4401 signed out, 4403 not allowed).

One row per person, one column per socket; the console and the bell are also checked
against their pages, which ask the same function (accounts.access)."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from django.test import Client

from accounts.freeze.services import account_freeze
from accounts.models import AccountFreeze, Role, User
from livechat.services.conversations import conversation_start
from tests.sockets.helpers import answer, make_person, signed_in, socket

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

COLUMNS = ("console", "bell", "agent", "chat")
PATHS = {"console": "/ws/console/", "bell": "/ws/notifications/", "agent": "/ws/chat/agent/"}
# The staff 2FA rule is on, as in production. "no2fa" is an agent without a factor;
# "reenrol" a customer whose factor an unfreeze removed; "frozen" signed in, then frozen.
TABLE = {
    "anonymous": {"console": 4401, "bell": 4401, "agent": 4401, "chat": "open"},
    "customer": {"console": 4403, "bell": "open", "agent": 4403, "chat": "open"},
    "agent": {"console": "open", "bell": "open", "agent": "open", "chat": "open"},
    "no2fa": {"console": 4403, "bell": "open", "agent": 4403, "chat": "open"},
    "reviewer": {"console": "open", "bell": "open", "agent": 4403, "chat": "open"},
    "supervisor": {"console": "open", "bell": "open", "agent": "open", "chat": "open"},
    "reenrol": {"console": 4403, "bell": 4403, "agent": 4403, "chat": 4403},
    "frozen": {"console": 4401, "bell": 4401, "agent": 4401, "chat": 4403},
}
PAGES = {"console": "/console/", "bell": "/account/notifications/"}


def _page_answer(client: Client, path: str) -> str | int:
    """The page's answer in the socket's words."""
    response = client.get(path)
    if response.status_code == 200:
        return "open"
    location = response.headers.get("Location", "")
    if response.status_code == 302 and location.startswith("/accounts/login/"):
        return 4401
    if response.status_code == 403 or "/accounts/2fa/" in location:
        return 4403
    return response.status_code


@database_sync_to_async
def world(name: str):
    """The person, their browser (signed in as they would be), and a chat of theirs."""
    roles = {"agent": Role.AGENT, "no2fa": Role.AGENT, "reviewer": Role.SECURITY_REVIEWER}
    roles |= {"supervisor": Role.SUPERVISOR, "frozen": Role.AGENT}
    user = None
    if name != "anonymous":
        totp = name in roles and name != "no2fa"
        user = make_person(f"{name}@example.test", role=roles.get(name), totp=totp)
    client = Client()
    if user is not None:
        client.force_login(user)
    client.get("/account/notifications/")  # every browser has a session by now
    chat = conversation_start(
        user=user, session_key=client.session.session_key or _session(client), language="en"
    )
    if name == "reenrol":
        User.objects.filter(pk=user.pk).update(mfa_reenrolment_required=True)
    if name == "frozen":
        account_freeze(user=user, source=AccountFreeze.Source.SECURITY_PAGE, reason="")
    return client, chat


def _session(client: Client) -> str:
    session = client.session
    session.save()
    client.cookies["sessionid"] = session.session_key
    return session.session_key


@pytest.mark.parametrize("name", list(TABLE))
async def test_each_socket_lets_in_whom_its_page_lets_in(settings, name):
    # given: the person's browser, with the staff 2FA rule on
    settings.BEACON_STAFF_MFA_REQUIRED = True
    client, chat = await world(name)
    browser = await signed_in(None)
    browser.client = client
    paths = {**PATHS, "chat": f"/ws/chat/{chat.public_id}/"}
    # when: it opens each socket
    seen = {column: await answer(socket(paths[column], browser)) for column in COLUMNS}
    # then: the table's answers, and the console and the bell answer as their pages do
    assert seen == TABLE[name]
    for column, page in PAGES.items():
        assert await database_sync_to_async(_page_answer)(client, page) == seen[column], column
