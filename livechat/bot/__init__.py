"""The help-centre bot (placeholder until the bot's package fills it).

Interface the consumer relies on:
- `respond(*, conversation, message)`: called after a customer message is saved while
  the conversation is with the bot; posts the bot's messages itself (message_post) and
  may hand off (livechat.services.queue.conversation_enqueue).
- `freeze_confirm(*, conversation, user)`: the customer confirmed the freeze the bot offered.
"""

from __future__ import annotations


def respond(*, conversation, message) -> None:
    return None


def freeze_confirm(*, conversation, user) -> None:
    return None
