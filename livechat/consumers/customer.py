"""The customer's chat socket, `/ws/chat/<public id>/?after=N` (PROTOCOL.md).

Transport only: ownership comes from the selector, every write from a service. Who may
hold it open at all (anyone, anonymous visitors too, but not a frozen account or one
that must set up 2FA again) is accounts.sockets' business, as for the chat's pages.
"""

from __future__ import annotations

import logging
from urllib.parse import parse_qs

from django.utils.translation import gettext as _

from accounts.access import OPEN_TO_ALL
from accounts.sockets import CLOSE_FORBIDDEN, AccountSocket
from core.sockets import run_blocking
from livechat import bot
from livechat.groups import conversation_group, conversation_staff_group
from livechat.models import ChatMessage, Conversation
from livechat.open_chats import open_chats
from livechat.selectors import conversation_for_participant, messages_after
from livechat.services.conversations import (
    conversation_customer_seen,
    conversation_end,
    conversation_frame,
    conversation_handoff,
    conversation_rate,
    conversation_read,
)
from livechat.services.messages import message_frame, message_post_by_customer

logger = logging.getLogger(__name__)

CUSTOMER = ChatMessage.Sender.CUSTOMER


def _after(value) -> int | None:
    """A message number from a frame or the query string; None if it is not one."""
    if isinstance(value, bool):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number >= 0 else None


def customer_message(frame: dict) -> dict:
    """A message frame as the customer may see it: public, without staff-only fields."""
    return {key: value for key, value in frame.items() if key != "internal"}


class CustomerChatConsumer(AccountSocket):
    area = OPEN_TO_ALL

    def admit(self) -> int | None:
        self.conversation = conversation_for_participant(
            user=self.user,
            session_key=self.session_key,
            public_id=self.scope["url_route"]["kwargs"]["public_id"],
        )
        return CLOSE_FORBIDDEN if self.conversation is None else None

    def groups_to_join(self) -> list[str]:
        return [conversation_group(self.conversation.public_id)]

    # No beat of its own: the process beats for all its open chats (livechat.open_chats),
    # which tells the queue the visitor is still here (conversations_end_abandoned).
    open_here: int | None = None

    async def __call__(self, scope, receive, send):
        try:
            return await super().__call__(scope, receive, send)
        finally:
            if self.open_here is not None:  # closed, or the server cancelled the socket
                open_chats.closed(self.open_here)

    async def websocket_connect(self, message: dict) -> None:
        await super().websocket_connect(message)
        if not self.closed:
            self.open_here = self.conversation.pk
            open_chats.opened(self.open_here)

    async def on_disconnect(self) -> None:
        await super().on_disconnect()
        if getattr(self, "conversation", None) is not None:
            await run_blocking(conversation_customer_seen, conversation=self.conversation)

    def on_connect(self) -> None:
        conversation_customer_seen(conversation=self.conversation)
        query = parse_qs(self.scope.get("query_string", b"").decode(errors="replace"))
        after = _after((query.get("after") or ["0"])[0]) or 0
        self.send_json({"type": "hello", "conversation": conversation_frame(self.conversation)})
        self.send_missed(after)

    def send_missed(self, after: int) -> None:
        for message in messages_after(conversation=self.conversation, after=after):
            self.send_json(
                {"type": "message.new", "message": customer_message(message_frame(message))}
            )

    def fresh(self) -> Conversation:
        self.conversation.refresh_from_db()
        return self.conversation

    # ---- client frames

    def on_message_send(self, frame: dict) -> None:
        client_id, body = frame.get("client_id"), frame.get("body")
        if not isinstance(client_id, str) or not client_id or not isinstance(body, str):
            self.send_error("bad_frame", _("message.send needs a client_id and a body."))
            return
        # Checks the end under the row lock and brings self.conversation up to date:
        # no second read of the conversation per message.
        message, created = message_post_by_customer(
            conversation=self.conversation,
            body=body,
            author=self.user if self.signed_in else None,
            client_id=client_id,
        )
        self.send_json(
            {
                "type": "message.ack",
                "client_id": client_id,
                "id": message.seq,
                "at": message.created_at.isoformat(),
            }
        )
        if message.masked:
            self.send_json({"type": "warning.sensitive", "kinds": list(message.masked)})
        if created and self.conversation.status == Conversation.Status.BOT:
            self.follow_up(self.ask_bot, message)  # after the ack: it does not wait for the bot

    def ask_bot(self, message: ChatMessage) -> None:
        # The customer's message is saved and acknowledged: a failing bot must not take
        # the socket down with it (the customer can still ask for a person).
        try:
            bot.respond(conversation=self.conversation, message=message)
        except Exception:
            logger.exception("bot failed on %s#%s", self.conversation.public_id, message.seq)
            self.send_error(
                "bot_unavailable",
                _("The assistant could not answer; try again or ask for a person."),
            )

    def on_resume(self, frame: dict) -> None:
        after = _after(frame.get("after"))
        if after is None:
            self.send_error("bad_frame", _("resume needs after, a message number."))
            return
        self.send_missed(after)

    def on_typing(self, frame: dict) -> None:
        on = frame.get("on")
        if not isinstance(on, bool):
            self.send_error("bad_frame", _("typing needs on, true or false."))
            return
        # Not stored: a lost typing hint costs nothing, so it goes straight to the layer.
        self.send_to_group(
            conversation_staff_group(self.conversation.public_id),  # the agents' side only
            {
                "type": "chat.typing",
                "conversation": str(self.conversation.public_id),
                "from": "customer",
                "on": on,
            },
        )

    def on_read(self, frame: dict) -> None:
        up_to = _after(frame.get("up_to"))
        if up_to is None:
            self.send_error("bad_frame", _("read needs up_to, a message number."))
            return
        conversation_read(conversation=self.conversation, by="customer", up_to=up_to)

    def on_handoff(self, frame: dict) -> None:
        conversation_handoff(conversation=self.fresh(), reason="customer")

    def on_freeze_confirm(self, frame: dict) -> None:
        if not self.signed_in:
            self.send_error("sign_in_required", _("Sign in to freeze your account from the chat."))
            return
        bot.freeze_confirm(conversation=self.fresh(), user=self.user)

    def on_rate(self, frame: dict) -> None:
        conversation_rate(
            conversation=self.conversation,
            rating=frame.get("rating"),
            comment=frame.get("comment", ""),
        )

    def on_end(self, frame: dict) -> None:
        conversation_end(
            conversation=self.conversation,
            by="customer",
            author=self.user if self.signed_in else None,
        )

    # ---- channel-layer events (sent by the services after commit)

    def chat_message(self, event: dict) -> None:
        # Internal notes are never sent to the customer's group (livechat.groups); this
        # check is a second wall, should a service ever send one there by mistake.
        if event["message"].get("internal"):
            return
        self.send_json({"type": "message.new", "message": customer_message(event["message"])})

    def chat_typing(self, event: dict) -> None:
        if event.get("from") == "agent":
            self.send_json({"type": "typing", "from": "agent", "on": event["on"]})

    def chat_read(self, event: dict) -> None:
        if event.get("by") == "agent":
            self.send_json({"type": "read", "by": "agent", "up_to": event["up_to"]})

    def conversation_update(self, event: dict) -> None:
        frame = {key: event.get(key) for key in ("type", "conversation", "status", "agent")}
        if event.get("rating") is not None:
            frame["rating"] = event["rating"]
        self.send_json(frame)

    def queue_update(self, event: dict) -> None:
        self.send_json(
            {
                "type": "queue.update",
                "position": event["position"],
                "eta_seconds": event.get("eta_seconds"),
            }
        )
