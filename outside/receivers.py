"""livechat tells us of each stored message (livechat.signals); a reply for a platform
becomes an outbox row in the same transaction."""

from __future__ import annotations

from django.dispatch import receiver

from livechat.signals import chat_message_posted


@receiver(chat_message_posted, dispatch_uid="outside.deliver")
def _deliver(sender, message, **kwargs) -> None:
    from outside.services import chat_message_deliver, chat_message_deliverable

    if chat_message_deliverable(message):  # no query for what never leaves
        chat_message_deliver(message=message)
