"""An open socket ends when its page would turn the person away: the account frozen or
deactivated, the session ended (sign-out in another tab, "sign out other sessions", a
password changed elsewhere, the session's expiry), a role or the staff 2FA factor taken
away. At once, without waiting for the browser's next frame; others stay open."""

from __future__ import annotations

import time

import pytest
from allauth.mfa.models import Authenticator
from channels.db import database_sync_to_async
from django.contrib.auth.models import Group
from django.test import Client

from accounts.freeze.services import account_freeze
from accounts.models import AccountFreeze, Role, User
from livechat.services.conversations import conversation_start
from tests.sockets.helpers import FRAME_WAIT, Browser, closed_with, make_person, signed_in, socket

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

KINDS = ("console", "bell", "agent", "chat")
HANG_UP_WITHIN = 1.0  # seconds: the freeze closed a chat in 0.16 s on the dev machine


@database_sync_to_async
def _setup(email: str, role: Role | None):
    user = make_person(email, role=role, totp=role is not None)
    client = Client()
    client.force_login(user, backend="allauth.account.auth_backends.AuthenticationBackend")
    client.get("/account/notifications/")  # a page first: allauth now tracks the session
    chat = conversation_start(
        user=user, session_key=client.cookies["sessionid"].value, language="en"
    )
    return user, Browser(client), chat


async def open_all(email: str, role: Role | None = Role.AGENT, kinds=KINDS):
    """The person's sockets of each kind, open and quiet; with their browser."""
    user, browser, chat = await _setup(email, role)
    paths = {
        "console": "/ws/console/",
        "bell": "/ws/notifications/",
        "agent": "/ws/chat/agent/",
        "chat": f"/ws/chat/{chat.public_id}/",
    }
    sockets = {}
    for kind in kinds:
        sockets[kind] = socket(paths[kind], browser)
        connected, _ = await sockets[kind].connect(FRAME_WAIT)
        assert connected
        while not await sockets[kind].receive_nothing(0.3):
            output = await sockets[kind].receive_output(FRAME_WAIT)
            assert output["type"] == "websocket.send", (kind, output)
    return user, browser, sockets


async def codes(sockets: dict) -> dict:
    return {kind: await closed_with(communicator) for kind, communicator in sockets.items()}


async def still_open(sockets: dict) -> None:
    for communicator in sockets.values():
        assert await communicator.receive_nothing(0.5)
        await communicator.disconnect()


async def test_a_freeze_closes_every_socket_of_the_person_4403():
    # given: Alex, an agent, with every socket open; Sam, another agent, too
    alex, _, mine = await open_all("alex@example.test")
    _, _, sams = await open_all("sam@example.test")
    # when: Alex's account is frozen
    started = time.monotonic()
    await database_sync_to_async(account_freeze)(
        user=alex, source=AccountFreeze.Source.AGENT, reason="stolen laptop"
    )
    # then: each of his sockets closes 4403 within a second; Sam's stay open
    assert await codes(mine) == dict.fromkeys(KINDS, 4403)
    assert time.monotonic() - started < HANG_UP_WITHIN * len(KINDS)
    await still_open(sams)


async def test_signing_out_in_another_tab_closes_that_sessions_sockets_4401():
    # given: Alex's sockets in one browser, and the same Alex in a second browser
    alex, browser, mine = await open_all("alex@example.test")
    other_browser = await signed_in(alex)
    _, _, elsewhere = await open_all("sam@example.test")
    # when: he signs out in the first browser (another tab of it)
    await database_sync_to_async(browser.client.post)("/accounts/logout/")
    # then: that browser's sockets close 4401 at once, without a frame from them
    assert await codes(mine) == dict.fromkeys(KINDS, 4401)
    # and: the second browser is still signed in (its session lives on), Sam is untouched
    assert await database_sync_to_async(other_browser.client.get)("/console/") is not None
    await still_open(elsewhere)


async def test_signing_out_other_sessions_closes_their_sockets_4401():
    # given: Alex's sockets in the office browser; he signs in on his phone too
    alex, office, mine = await open_all("alex@example.test")

    @database_sync_to_async
    def end_others_from_the_phone() -> int:
        phone = Client()
        phone.force_login(alex, backend="allauth.account.auth_backends.AuthenticationBackend")
        return phone.post("/accounts/sessions/").status_code

    # when: from the phone, "sign out other sessions"
    assert await end_others_from_the_phone() in (200, 302)
    # then: the office browser's sockets close 4401
    assert await codes(mine) == dict.fromkeys(KINDS, 4401)


async def test_a_password_changed_elsewhere_signs_the_other_sessions_sockets_out():
    alex, _, mine = await open_all("alex@example.test", kinds=("console", "bell"))

    @database_sync_to_async
    def change_password() -> None:
        user = User.objects.get(pk=alex.pk)
        user.set_password("a-new-long-password-2")
        user.save()

    await change_password()
    assert await codes(mine) == {"console": 4401, "bell": 4401}


@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR])
async def test_taking_the_role_away_closes_the_staff_sockets_4403(role):
    # given: a staff member with every socket open
    user, _, mine = await open_all("alex@example.test", role=role)

    @database_sync_to_async
    def take_the_role_away() -> None:
        User.objects.get(pk=user.pk).groups.remove(Group.objects.get(name=role.value))

    # when: the role goes (the admin's user page does this)
    await take_the_role_away()
    # then: the console's sockets close 4403; the bell and their own chat are any
    # signed-in person's, and stay
    staff = {kind: mine.pop(kind) for kind in ("console", "agent")}
    assert await codes(staff) == {"console": 4403, "agent": 4403}
    await still_open(mine)


async def test_emptying_a_role_group_closes_its_members_console_4403():
    user, _, mine = await open_all("alex@example.test", kinds=("console",))

    @database_sync_to_async
    def empty_the_group() -> None:
        Group.objects.get(name=Role.AGENT.value).user_set.clear()

    await empty_the_group()
    assert await codes(mine) == {"console": 4403}


async def test_removing_the_staff_factor_closes_the_staff_sockets_4403(settings):
    # given: the staff 2FA rule on, and an agent (with TOTP) on the console
    settings.BEACON_STAFF_MFA_REQUIRED = True
    user, _, mine = await open_all("alex@example.test")
    # when: their authenticator is removed
    await database_sync_to_async(Authenticator.objects.filter(user=user).delete)()
    # then: the staff areas close, as their pages now send them to set up 2FA
    staff = {kind: mine.pop(kind) for kind in ("console", "agent")}
    assert await codes(staff) == {"console": 4403, "agent": 4403}
    await still_open(mine)


async def test_deactivating_the_account_closes_its_sockets_4403():
    user, _, mine = await open_all("alex@example.test")

    @database_sync_to_async
    def deactivate() -> None:  # as the admin's user page saves it
        account = User.objects.get(pk=user.pk)
        account.is_active = False
        account.save()

    await deactivate()
    assert await codes(mine) == dict.fromkeys(KINDS, 4403)


async def test_a_socket_closes_4401_when_its_session_expires():
    # given: a session that expires in two seconds
    user, browser, _ = await _setup("alex@example.test", Role.AGENT)

    @database_sync_to_async
    def expire_soon() -> None:
        session = browser.client.session
        session.set_expiry(2)
        session.save()

    await expire_soon()
    console = socket("/ws/console/", browser)
    assert (await console.connect(FRAME_WAIT))[0]
    # when: it runs out, with no frame from the browser
    started = time.monotonic()
    code = await closed_with(console)
    # then: closed 4401 about then
    assert code == 4401
    assert time.monotonic() - started < 2 * 1.1 + 1 + HANG_UP_WITHIN
