"""A live event sent from a worker thread whose event loop has stopped (a chat's bot
answer still running when the server shuts down) is still sent, and the thread ends:
waiting forever on the stopped loop held the whole process open at exit."""

from __future__ import annotations

import asyncio
import threading

import pytest
from asgiref.sync import SyncToAsync
from channels.layers import get_channel_layer

from core.realtime import broadcast_on_commit, group_name

# The database: on_commit asks the thread's connection whether a transaction is open.
pytestmark = [pytest.mark.django_db, pytest.mark.asyncio]

THREAD_WAIT = 30  # for a thread that must end; a hang, not a speed, is what fails


async def test_an_event_sent_after_its_loop_stopped_is_sent_and_the_thread_ends():
    # given: someone listens on a chat's group
    layer = get_channel_layer()
    group = group_name("test", "stopped-loop")
    listener = await layer.new_channel()
    await layer.group_add(group, listener)
    # and: a server's loop hands a worker thread the bot's answer, then stops
    started, loop_stopped, ended = threading.Event(), threading.Event(), threading.Event()

    def bots_answer() -> None:
        started.set()
        loop_stopped.wait(THREAD_WAIT)
        broadcast_on_commit(group, {"type": "chat.message", "body": "answer"})
        ended.set()

    loop = asyncio.new_event_loop()

    async def serve() -> asyncio.Future:
        answer = asyncio.ensure_future(SyncToAsync(bots_answer, thread_sensitive=False)())
        while not started.is_set():
            await asyncio.sleep(0.01)
        return answer

    def server() -> asyncio.Future:
        answer = loop.run_until_complete(serve())  # returns with the loop stopped, not closed
        loop_stopped.set()
        return answer

    answer = await asyncio.to_thread(server)
    # then: the worker thread ends, and the event reached the listener all the same
    assert await asyncio.to_thread(ended.wait, THREAD_WAIT)
    event = await asyncio.wait_for(layer.receive(listener), THREAD_WAIT)
    assert (event["type"], event["body"]) == ("chat.message", "answer")
    # (the loop, run again, collects its finished task, so none is left pending)
    await asyncio.to_thread(loop.run_until_complete, answer)
    loop.close()
    await layer.group_discard(group, listener)
