"""Signals livechat sends for apps above it (the arrow still points one way).

- `chat_message_posted(sender=ChatMessage, message=…)`: a message was stored by
  message_post, sent inside its transaction, so a receiver that writes rows (an outbox)
  writes them in the same transaction as the message, or not at all.
"""

from __future__ import annotations

from django.dispatch import Signal

chat_message_posted = Signal()
