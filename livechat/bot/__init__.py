"""The help-centre bot.

Interface the consumer relies on:
- `respond(*, conversation, message)`: called after a customer message is saved while
  the conversation is with the bot; posts the bot's messages itself (message_post) and
  may hand off (livechat.services.queue.conversation_enqueue).
- `freeze_confirm(*, conversation, user)`: the customer confirmed the freeze the bot offered.

Inside: `intents` (fixed rules), `knowledge` (help-centre answers and how sure they are),
`decide` (what to do, no writes), `replies` (doing it), `freeze` (the confirmed freeze).
"""

from __future__ import annotations

from livechat.bot.freeze import freeze_confirm
from livechat.bot.replies import respond

__all__ = ["freeze_confirm", "respond"]
