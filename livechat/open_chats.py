"""The customers' chat sockets open in this process, and one beat for all of them.

Each open customer socket used to beat on its own every BEACON_CHAT_HEARTBEAT_SECONDS:
a message through Redis to itself, a hop to a worker thread, an UPDATE. At 5,000
sockets that was 250 of each a second, as much server work as the chat messages
themselves (bench/README.md, chat under load). All a beat has to do is keep the
conversation's customer_seen_at moving, so the visitor is not taken for gone
(conversations_end_abandoned); so the process keeps count of the conversations its
customer sockets hold open and moves them all with one statement a beat. A process that
dies stops moving them, as its sockets' own beats stopped before.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections import Counter

from core.sockets import run_blocking
from livechat.services.conversations import conversations_customer_seen
from livechat.services.presence import heartbeat_seconds

logger = logging.getLogger(__name__)


class OpenChats:
    def __init__(self) -> None:
        self._sockets: Counter[int] = Counter()  # conversation id -> sockets open here
        # One beating task per event loop (one in a server; tests run several).
        self._beats: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def opened(self, conversation_id: int) -> None:
        """A customer socket of this conversation opened here. Call from the event loop."""
        self._sockets[conversation_id] += 1
        loop = asyncio.get_running_loop()
        task = self._beats.get(loop)
        if task is None or task.done():
            self._beats[loop] = loop.create_task(self._beat_forever())

    def closed(self, conversation_id: int) -> None:
        self._sockets[conversation_id] -= 1
        if self._sockets[conversation_id] <= 0:
            del self._sockets[conversation_id]

    def conversation_ids(self) -> list[int]:
        return list(self._sockets)

    async def beat(self) -> None:
        """Every conversation with a customer socket open here: seen now."""
        ids = self.conversation_ids()
        if not ids:
            return
        try:
            await run_blocking(conversations_customer_seen, conversation_ids=ids)
        except Exception:  # the database away for a beat: the next one tries again
            logger.warning("open chats not marked seen", exc_info=True)

    async def _beat_forever(self) -> None:
        while True:
            await asyncio.sleep(heartbeat_seconds())
            await self.beat()


open_chats = OpenChats()
