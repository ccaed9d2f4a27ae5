"""No ghost in the queue: an anonymous visitor who closes the tab while waiting leaves the
queue; one whose tab is open stays; a signed-in customer has one open chat across tabs
and devices (issue 16)."""

from __future__ import annotations

import datetime as dt

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone

from livechat.models import Conversation
from livechat.open_chats import open_chats
from livechat.services.conversations import ABANDONED_AFTER, conversations_end_abandoned
from livechat.services.queue import queue_positions
from tests.livechat.consumers.conftest import FRAME_WAIT, open_chat, person, start_chat

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


@database_sync_to_async
def queue(chat) -> Conversation:
    Conversation.objects.filter(public_id=chat.public_id).update(
        status=Conversation.Status.QUEUED, queued_at=timezone.now()
    )
    return Conversation.objects.get(public_id=chat.public_id)


@database_sync_to_async
def sweep_later(minutes: float) -> int:
    return conversations_end_abandoned(now=timezone.now() + dt.timedelta(minutes=minutes))


@database_sync_to_async
def waiting_ids() -> set[str]:
    return {str(w.conversation.public_id) for w in queue_positions()}


@database_sync_to_async
def pk_of(chat) -> int:
    return Conversation.objects.get(public_id=chat.public_id).pk


@database_sync_to_async
def status_of(chat) -> str:
    return Conversation.objects.get(public_id=chat.public_id).status


async def test_a_visitor_who_closes_the_tab_leaves_the_queue_and_one_still_here_stays():
    # given: two anonymous visitors waiting, each with the chat open in a tab
    gone, here = await start_chat(), await start_chat()
    gone_tab, _ = await open_chat(gone)
    here_tab, _ = await open_chat(here)
    await queue(gone)
    await queue(here)
    # when: one closes the tab
    await gone_tab.disconnect()
    # then: within the allowance (a page change, a dropped network) nothing is ended
    assert await sweep_later(ABANDONED_AFTER.total_seconds() / 60 - 0.5) == 0
    # when: three minutes pass, in which the process beats for the chats open in it (as
    # it does every BEACON_CHAT_HEARTBEAT_SECONDS); the closed tab's chat is not among them
    await three_minutes_pass()
    open_here = open_chats.conversation_ids()
    assert await pk_of(here) in open_here and await pk_of(gone) not in open_here
    await open_chats.beat()
    # then: the sweep ends only the one who left; the queue no longer counts them
    assert await sweep_later(0) == 1
    assert (await status_of(gone), await status_of(here)) == ("ended", "queued")
    assert await waiting_ids() == {str(here.public_id)}
    await here_tab.disconnect()


@database_sync_to_async
def three_minutes_pass() -> None:
    for chat in Conversation.objects.all():
        chat.customer_seen_at -= dt.timedelta(minutes=3)
        chat.created_at -= dt.timedelta(minutes=3)
        chat.save(update_fields=["customer_seen_at", "created_at"])


async def test_a_signed_in_customer_has_one_open_chat_across_tabs_and_devices():
    # given: Mei started a chat in one browser
    mei = await person("mei@example.test")
    first = await start_chat(mei)
    # when: she starts one from another tab or device
    second = await start_chat(mei)
    # then: it is the same conversation
    assert second.public_id == first.public_id
    # when: it has ended, the next start is a new chat
    tab, _ = await open_chat(first)
    await tab.send_json_to({"type": "end"})
    await tab.receive_json_from(FRAME_WAIT)
    await tab.disconnect()
    assert (await start_chat(mei)).public_id != first.public_id
