"""Every socket route through the real ASGI app (origin check, session, user, routing)
and the real PostgreSQL and Redis, opened as a browser on the site's own page would."""

from __future__ import annotations

from dataclasses import dataclass

from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from accounts.models import Role, User
from accounts.services import user_role_grant
from config.asgi import application

FRAME_WAIT = 5  # seconds, for what must come; generous, since Redis sits in between
OWN_ORIGIN = b"http://testserver"


@dataclass
class Browser:
    """One signed-in (or anonymous) browser: its test client and session cookie."""

    client: Client

    @property
    def cookie(self) -> bytes:
        morsel = self.client.cookies.get("sessionid")
        return f"sessionid={morsel.value}".encode() if morsel else b""

    @property
    def session_key(self) -> str:
        return self.client.cookies["sessionid"].value


def make_person(email: str, *, role: Role | None = None, totp: bool = False) -> User:
    user = User.objects.create_user(email, "pw-long-enough-1", first_name=email.split("@")[0])
    if role is not None:
        user_role_grant(user=user, role=role)
    if totp:
        TOTP.activate(user, generate_totp_secret())
    return User.objects.get(pk=user.pk)


person = database_sync_to_async(make_person)


@database_sync_to_async
def signed_in(user: User | None) -> Browser:
    client = Client()
    if user is not None:
        client.force_login(user)
    return Browser(client)


def socket(path: str, browser: Browser | None = None, *, origin: bytes | None = OWN_ORIGIN):
    headers = [] if origin is None else [(b"origin", origin)]
    if browser is not None and browser.cookie:
        headers.append((b"cookie", browser.cookie))
    return WebsocketCommunicator(application, path, headers=headers)


async def answer(communicator: WebsocketCommunicator) -> str | int:
    """How a browser would see the connect: "open", a close code it can read (accepted,
    then closed), or "refused" (the handshake failed: only 1006 for the browser). The
    socket is closed afterwards."""
    connected, _ = await communicator.connect(FRAME_WAIT)
    if not connected:
        return "refused"
    while not await communicator.receive_nothing(0.3):
        output = await communicator.receive_output(FRAME_WAIT)
        if output["type"] == "websocket.close":
            await communicator.disconnect()
            return output["code"]
    await communicator.disconnect()
    return "open"


async def closed_with(communicator: WebsocketCommunicator) -> int:
    """The close code of a socket that must close now (frames before it are skipped)."""
    while True:
        output = await communicator.receive_output(FRAME_WAIT)
        if output["type"] == "websocket.close":
            await communicator.disconnect()
            return output["code"]


async def error_then_still_open(communicator: WebsocketCommunicator, text: str) -> dict:
    """Send a raw frame; return the error frame that answers it, after checking the socket
    still answers a frame of its own kind."""
    await communicator.send_to(text_data=text)
    frame = await communicator.receive_json_from(FRAME_WAIT)
    assert frame["type"] == "error", frame
    await communicator.send_json_to({"type": "no.such_type"})
    assert (await communicator.receive_json_from(FRAME_WAIT))["code"] == "bad_frame"
    return frame
