"""Customers with chats, and their sockets through the real ASGI stack and Redis."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from accounts.models import User
from config.asgi import application
from tests.db_settle import wait_for_other_connections_to_settle

FRAME_WAIT = 5  # for frames that must come; generous, since Redis sits in between
QUIET = 0.5  # how long silence must last to count as "nothing came"


@dataclass
class Chat:
    client: Client  # the customer's browser (its session owns or signs in to the chat)
    public_id: str

    @property
    def cookie(self) -> bytes:
        return f"sessionid={self.client.cookies['sessionid'].value}".encode()


@database_sync_to_async
def person(email: str) -> User:
    return User.objects.create_user(email, "pw-long-enough-1", first_name=email.split("@")[0])


@database_sync_to_async
def start_chat(user: User | None = None, language: str = "en") -> Chat:
    """The customer's browser starts a chat as the widget does (POST /chat/start)."""
    client = Client()
    if user is not None:
        client.force_login(user)
    response = client.post("/chat/start", {"language": language})
    assert response.status_code == 200, response.content
    return Chat(client=client, public_id=response.json()["conversation"])


def socket_for(
    chat: Chat,
    *,
    after: int | None = None,
    cookie: bytes | None = None,
    origin=b"http://testserver",
) -> WebsocketCommunicator:
    path = f"/ws/chat/{chat.public_id}/" + (f"?after={after}" if after is not None else "")
    headers = [(b"origin", origin), (b"cookie", chat.cookie if cookie is None else cookie)]
    return WebsocketCommunicator(application, path, headers=headers)


async def open_chat(chat: Chat, *, after: int | None = None) -> tuple[WebsocketCommunicator, list]:
    """A connected customer socket, with `hello` checked; returns the resumed messages too."""
    socket = socket_for(chat, after=after)
    connected, _ = await socket.connect()
    assert connected
    hello = await socket.receive_json_from(FRAME_WAIT)
    assert hello["type"] == "hello" and hello["conversation"]["id"] == chat.public_id
    return socket, await drain(socket)


async def drain(socket: WebsocketCommunicator) -> list[dict]:
    """Every frame that comes until the socket falls quiet."""
    frames = []
    while not await socket.receive_nothing(QUIET):
        frames.append(await socket.receive_json_from(FRAME_WAIT))
    return frames


async def answers_to(socket: WebsocketCommunicator, client_ids: list[str]) -> list[dict]:
    """Frames until each of `client_ids` has its answer (an ack or an error naming it).

    Not `drain`: on a busy machine the bot's reply to one message may keep the socket
    quiet longer than QUIET before the next message's answer comes."""
    frames, waiting = [], set(client_ids)
    while waiting:
        frame = await socket.receive_json_from(FRAME_WAIT)
        frames.append(frame)
        if frame["type"] in ("message.ack", "error"):
            waiting.discard(frame.get("client_id"))
    return frames


async def send(socket: WebsocketCommunicator, client_id: str, body: str) -> dict:
    await socket.send_json_to({"type": "message.send", "client_id": client_id, "body": body})
    return await socket.receive_json_from(FRAME_WAIT)


@pytest.fixture(autouse=True)
def _sockets_settled_before_flush(transactional_db):
    """A socket's worker thread may still be answering (the bot) when a test ends."""
    yield
    wait_for_other_connections_to_settle()
