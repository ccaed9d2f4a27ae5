"""Discord DMs over the Gateway: `manage.py outside_discord_gateway`'s loop against a local
fake Gateway (fake_discord_gateway.py), the real database and Redis, and replies through
the outbox to the fake REST API. The loop runs in a thread of its own, as in production
in a process of its own; so the database is used for real (transaction=True)."""

from __future__ import annotations

import asyncio
import copy
import threading
import time

import pytest

from livechat.models import ChatMessage, Conversation
from outside.discord_gateway import DIRECT_MESSAGES, INTENTS, MESSAGE_CONTENT, GatewayFatal
from outside.management.commands.outside_discord_gateway import serve
from outside.models import ExternalContact, InboundEvent
from tests.outside.conftest import fixture
from tests.outside.fake_discord_gateway import BOT_USER_ID, FakeGateway
from tests.outside.fake_platforms import DISCORD_TOKEN

pytestmark = pytest.mark.django_db(transaction=True)

DM = fixture("discord_gateway_message_dm.json")["d"]
GUILD_MESSAGE = fixture("discord_gateway_message_guild.json")["d"]
DM_CHANNEL = DM["channel_id"]


def wait_until(condition, what: str, seconds: float = 30.0):
    """Poll until `condition()` is truthy (the loop works in its own thread)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"never happened: {what}")


def dm(text: str, message_id: str, **changes) -> dict:
    message = copy.deepcopy(DM)
    message.update(content=text, id=message_id, **changes)
    return message


def customer_texts() -> list[str]:
    return list(
        ChatMessage.objects.filter(sender=ChatMessage.Sender.CUSTOMER)
        .order_by("created_at")
        .values_list("body", flat=True)
    )


class Running:
    """The command's loop in a thread, with the stop event it runs until."""

    def __init__(self) -> None:
        self.loop: asyncio.AbstractEventLoop | None = None
        self.stop_event: asyncio.Event | None = None
        self.error: BaseException | None = None
        self._started = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        async def main() -> None:
            self.loop, self.stop_event = asyncio.get_running_loop(), asyncio.Event()
            self._started.set()
            await serve(
                self.stop_event, retry_base_seconds=0.05, invalid_session_pause=(0.01, 0.05)
            )

        def thread() -> None:
            try:
                asyncio.run(main())
            except BaseException as error:  # noqa: BLE001 - the test reads it
                self.error = error
            finally:
                self._started.set()

        self._thread = threading.Thread(target=thread, daemon=True)
        self._thread.start()
        self._started.wait()

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def stop(self) -> None:
        if self.alive and self.loop is not None:
            self.loop.call_soon_threadsafe(self.stop_event.set)
        self._thread.join(60)
        assert not self._thread.is_alive(), "the gateway loop did not stop when told"


@pytest.fixture
def gateway(settings):
    fake = FakeGateway()
    fake.start()
    settings.OUTSIDE_DISCORD_GATEWAY_URL = fake.url
    yield fake
    fake.stop()


@pytest.fixture
def running(gateway):
    """The loop, connected and READY; stopped (and checked to stop) after the test."""
    loop = Running()
    loop.start()
    wait_until(gateway.ready.is_set, "READY")
    yield loop
    loop.stop()
    assert loop.error is None


def test_it_identifies_with_the_dm_intents_and_heartbeats_the_last_sequence(gateway, running):
    identify = gateway.sent_by_client(2)[0]["d"]
    assert identify["token"] == DISCORD_TOKEN
    assert identify["intents"] == INTENTS == DIRECT_MESSAGES | MESSAGE_CONTENT == 36864
    assert set(identify["properties"]) == {"os", "browser", "device"}
    seq = gateway.dispatch("TYPING_START", {"channel_id": DM_CHANNEL, "user_id": "1"})
    wait_until(lambda: {"op": 1, "d": seq} in gateway.sent_by_client(1), "a beat with the seq")
    # and: a beat asked for by the server is sent at once
    beats = len(gateway.sent_by_client(1))
    gateway.opcode(1)
    wait_until(lambda: len(gateway.sent_by_client(1)) > beats, "an asked-for beat")


def test_a_dm_is_answered_by_the_bot_in_its_channel(gateway, running, platforms, deliver):
    gateway.dispatch("MESSAGE_CREATE", DM)
    wait_until(lambda: customer_texts() == [DM["content"]], "the DM stored")
    conversation = Conversation.objects.get()
    contact = ExternalContact.objects.get()
    assert (contact.platform, contact.external_id, contact.handle) == (
        "discord",
        DM["author"]["id"],
        "@kenji.dev",
    )
    # then: the bot's greeting and answer go straight to the DM channel (no DM opened)
    wait_until(lambda: conversation.messages.filter(sender="bot").count() >= 2, "the bot")
    assert deliver() >= 2
    assert {item["to"] for item in platforms.sent} == {DM_CHANNEL}
    assert platforms.texts("discord")[0].startswith("Hi, I'm Beacon's assistant")
    assert not any(path.endswith("/users/@me/channels") for path, _mode in platforms.requests)
    # and: the bot's answer took longer than a heartbeat (100 ms here), yet the beats
    # went on: the connection was never thought dead
    assert len(gateway.sent_by_client(2)) == 1 and not gateway.sent_by_client(6)


def test_guild_messages_and_the_bots_own_are_ignored(gateway, running):
    own = dm("Hi, I'm Beacon's assistant", "1320000000000000020")
    own["author"] = {**own["author"], "id": BOT_USER_ID, "username": "Beacon Support", "bot": True}
    other_bot = dm("beep", "1320000000000000021")
    other_bot["author"] = {**other_bot["author"], "id": "1100000000000000077", "bot": True}
    gateway.dispatch("MESSAGE_CREATE", GUILD_MESSAGE)
    gateway.dispatch("MESSAGE_CREATE", own)
    gateway.dispatch("MESSAGE_CREATE", other_bot)
    gateway.dispatch("MESSAGE_CREATE", dm("a real question", "1320000000000000022"))
    # the loop takes events in order: once the last is stored, the others were seen
    wait_until(lambda: customer_texts() == ["a real question"], "the last DM stored")
    assert Conversation.objects.count() == 1
    assert list(InboundEvent.objects.values_list("event_id", flat=True)) == ["1320000000000000022"]


def test_a_duplicated_message_create_is_stored_once(gateway, running):
    seq = gateway.dispatch("MESSAGE_CREATE", dm("first", "1320000000000000030"))
    gateway.redeliver(seq)
    gateway.dispatch("MESSAGE_CREATE", dm("first", "1320000000000000030"))  # a new seq too
    gateway.dispatch("MESSAGE_CREATE", dm("second", "1320000000000000031"))
    wait_until(lambda: "second" in customer_texts(), "the second DM stored")
    assert customer_texts() == ["first", "second"]


def test_reconnect_resumes_the_session_and_gets_what_it_missed(gateway, running):
    gateway.dispatch("MESSAGE_CREATE", dm("before", "1320000000000000040"))
    wait_until(lambda: customer_texts() == ["before"], "the first DM stored")
    session, seq = gateway.session_id, gateway.seq
    # when: Discord asks for a reconnect, and a DM comes while the client is away
    gateway.opcode(7)
    gateway.dispatch("MESSAGE_CREATE", dm("while away", "1320000000000000041"))
    wait_until(gateway.ready.is_set, "RESUMED")
    # then: it resumed (not a new IDENTIFY) at the resume URL, with the session and seq
    resume = gateway.sent_by_client(6)
    assert len(resume) == 1 and len(gateway.sent_by_client(2)) == 1
    assert resume[0]["d"] == {"token": DISCORD_TOKEN, "session_id": session, "seq": seq}
    assert gateway.paths[-1] == "/?v=10&encoding=json"
    assert gateway.close_codes[0] == 4000  # not 1000, which would end the session
    # and: the DM sent while it was away was replayed, and taken once
    wait_until(lambda: customer_texts() == ["before", "while away"], "the missed DM")
    gateway.dispatch("MESSAGE_CREATE", dm("after", "1320000000000000042"))
    wait_until(lambda: customer_texts() == ["before", "while away", "after"], "after resume")


def test_an_invalid_session_starts_a_new_one(gateway, running):
    first_session = gateway.session_id
    gateway.opcode(9, False)
    wait_until(lambda: len(gateway.sent_by_client(2)) == 2, "a second IDENTIFY")
    wait_until(gateway.ready.is_set, "READY again")
    assert gateway.session_id != first_session and not gateway.sent_by_client(6)
    gateway.dispatch("MESSAGE_CREATE", dm("new session", "1320000000000000050"))
    wait_until(lambda: customer_texts() == ["new session"], "a DM on the new session")


def test_a_resumable_invalid_session_resumes(gateway, running):
    session = gateway.session_id
    gateway.opcode(9, True)
    wait_until(gateway.ready.is_set, "RESUMED")
    (resume,) = gateway.sent_by_client(6)
    assert resume["d"]["session_id"] == session and len(gateway.sent_by_client(2)) == 1


@pytest.mark.parametrize("code", [4009, 4007])  # session timed out, invalid seq
def test_a_close_that_ends_the_session_starts_a_new_one(gateway, running, code):
    gateway.close_with(code)
    wait_until(lambda: len(gateway.sent_by_client(2)) == 2, "a second IDENTIFY")
    assert not gateway.sent_by_client(6)


def test_another_close_resumes(gateway, running):
    gateway.close_with(4000)  # unknown error
    wait_until(lambda: gateway.sent_by_client(6), "a RESUME")
    assert len(gateway.sent_by_client(2)) == 1


def test_a_zombie_connection_is_dropped_and_resumed(gateway, running):
    gateway.ack = False  # beats go unanswered
    wait_until(lambda: gateway.sent_by_client(6), "a RESUME after missing ACKs")
    gateway.ack = True
    wait_until(gateway.ready.is_set, "RESUMED")
    gateway.dispatch("MESSAGE_CREATE", dm("still here", "1320000000000000060"))
    wait_until(lambda: customer_texts() == ["still here"], "a DM after the zombie")


def test_hand_off_and_the_agents_reply_go_back_to_the_dm(
    gateway, running, platforms, deliver, agent
):
    from livechat.services.agent_actions import agent_reply

    gateway.dispatch("MESSAGE_CREATE", dm("I want to talk to a human agent", "1320000000000000070"))
    conversation = wait_until(
        lambda: Conversation.objects.filter(status="active").first(), "the hand-off"
    )
    agent_reply(user=agent, public_id=conversation.public_id, body="note", internal=True)
    agent_reply(user=agent, public_id=conversation.public_id, body="Hi Kenji, checking now.")
    deliver()
    texts = platforms.texts("discord")
    assert any("Hi Kenji, checking now." in text for text in texts)
    assert "note" not in " ".join(texts)
    assert {item["to"] for item in platforms.sent} == {DM_CHANNEL}
    # and: the customer's next DM continues the same chat, with the agent
    gateway.dispatch("MESSAGE_CREATE", dm("thanks", "1320000000000000071"))
    wait_until(lambda: "thanks" in customer_texts(), "the next DM")
    assert Conversation.objects.get() == conversation


def test_a_slash_command_user_who_then_dms_gets_replies_in_the_dm_channel(
    gateway, running, discord, platforms, deliver
):
    payload = copy.deepcopy(fixture("discord_support.json"))
    payload["data"]["options"][0]["value"] = "hello"
    assert discord(payload).status_code == 200
    deliver()
    assert {item["to"] for item in platforms.sent} == {"9" + DM["author"]["id"]}  # DM opened
    gateway.dispatch("MESSAGE_CREATE", dm("and one more thing", "1320000000000000080"))
    wait_until(lambda: "and one more thing" in customer_texts(), "the DM")
    wait_until(lambda: (deliver(), platforms.sent[-1]["to"] == DM_CHANNEL)[1], "a reply there")


def test_the_loop_stops_cleanly_when_told(gateway):
    loop = Running()
    loop.start()
    wait_until(gateway.ready.is_set, "READY")
    loop.stop()
    assert loop.error is None
    wait_until(lambda: gateway.close_codes == [1000], "a normal close")


def test_a_token_discord_refuses_ends_the_run(gateway, settings):
    settings.OUTSIDE_DISCORD_BOT_TOKEN = "not-the-token"
    loop = Running()
    loop.start()
    wait_until(lambda: not loop.alive, "the run to end")
    assert isinstance(loop.error, GatewayFatal) and "4004" in str(loop.error)
    loop.stop()


def test_while_the_gateway_is_unreachable_it_retries_until_stopped(gateway, settings):
    gateway.stop()  # nothing listens on the port now
    loop = Running()
    loop.start()
    time.sleep(0.5)  # a few tries, backing off
    assert loop.alive
    loop.stop()
    assert loop.error is None
    gateway.start()  # for the fixture's teardown


def allow_connections(allowed: bool) -> None:
    """PostgreSQL takes new connections to the test database, or refuses them (the open
    ones stay): said from its maintenance database, as an operator would."""
    import psycopg
    from django.db import connection

    params = connection.get_connection_params()
    params["dbname"] = "postgres"
    with psycopg.connect(**params, autocommit=True) as admin:
        name = connection.settings_dict["NAME"]
        verb = "true" if allowed else "false"
        admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {verb}')


def test_a_dm_that_finds_the_database_away_is_taken_when_it_is_back(gateway, running):
    gateway.dispatch("MESSAGE_CREATE", dm("before", "1320000000000000090"))
    wait_until(lambda: customer_texts() == ["before"], "the first DM stored")
    resumes = len(gateway.sent_by_client(6))
    customer_texts()  # this thread's connection is open: it stays
    allow_connections(False)
    try:
        # when: a DM comes: the loop cannot store it, leaves it unacknowledged, resumes
        gateway.dispatch("MESSAGE_CREATE", dm("while away", "1320000000000000091"))
        wait_until(lambda: len(gateway.sent_by_client(6)) >= resumes + 2, "two retries")
    finally:
        allow_connections(True)
    # then: once it is back, the replayed DM is stored, once
    wait_until(lambda: len(customer_texts()) == 2, "the DM taken after the outage")
    assert customer_texts() == ["before", "while away"]


def test_a_dm_links_the_account_with_a_code_and_the_next_chat_is_the_accounts(
    gateway, running, customer, platforms, deliver
):
    from outside.services import link_code_create

    code, _row = link_code_create(user=customer)
    gateway.dispatch("MESSAGE_CREATE", dm(f"/link {code}", "1320000000000000100"))
    wait_until(lambda: ExternalContact.objects.filter(user=customer).exists(), "the link")
    wait_until(lambda: deliver() or platforms.sent, "the confirmation")
    assert any("is now linked" in text for text in platforms.texts("discord"))
    assert {item["to"] for item in platforms.sent} == {DM_CHANNEL}
    gateway.dispatch("MESSAGE_CREATE", dm("where is my deposit", "1320000000000000101"))
    wait_until(lambda: "where is my deposit" in customer_texts(), "the next DM")
    assert Conversation.objects.get().customer == customer


def test_a_dm_in_chinese_opens_a_chinese_chat(gateway, running):
    gateway.dispatch("MESSAGE_CREATE", dm("我的提现还没到账", "1320000000000000110"))
    wait_until(lambda: customer_texts() == ["我的提现还没到账"], "the DM stored")
    assert Conversation.objects.get().language == "zh-hans"
