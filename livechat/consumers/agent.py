"""The agent's console socket, `/ws/chat/agent/` (PROTOCOL.md, agent section).

Transport only: who may act on which chat is decided in livechat.services.agent_actions.
One socket carries all of the agent's chats, so every frame about a chat names it.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from accounts.access import Area
from accounts.models import User
from accounts.sockets import AccountSocket
from core.sockets import run_blocking
from livechat.groups import (
    agent_group,
    agents_group,
    conversation_group,
    conversation_staff_group,
)
from livechat.models import AgentPresence, Conversation
from livechat.selectors import messages_after
from livechat.services import agent_actions, chat_tickets, presence, queue, routing
from livechat.services.messages import message_frame
from tickets.permissions import is_staff_agent


def _number(value) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if value >= 0 else None


_STAFF_ID_MAX = AgentPresence._meta.get_field("staff_id").max_length
# The chat console's door: staff agents and supervisors, with the console's 2FA rule.
AGENT_CHATS = Area(staff_area=True, role=is_staff_agent)


class AgentChatConsumer(AccountSocket):
    area = AGENT_CHATS

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.online = False

    def heartbeat_seconds(self) -> float:
        # If this process dies, the beats stop and presence_expire takes the agent offline.
        return presence.heartbeat_seconds()

    def on_heartbeat(self) -> None:
        if self.online:
            presence.presence_heartbeat(agent=self.user)

    def groups_to_join(self) -> list[str]:
        chats = Conversation.objects.filter(agent=self.user, status=Conversation.Status.ACTIVE)
        return [
            agents_group(),
            agent_group(self.user.id),
            *(
                conversation_staff_group(public_id)
                for public_id in chats.values_list("public_id", flat=True)
            ),
        ]

    def on_connect(self) -> None:
        # The chats the agent already has, read before coming online: coming online may
        # route waiting chats to them, and those arrive as `chat.assigned` events on the
        # agent's group (joined before this), so listing them here too sent them twice.
        chats = Conversation.objects.filter(agent=self.user, status=Conversation.Status.ACTIVE)
        already = list(chats.order_by("assigned_at"))
        mine = presence.presence_connect(agent=self.user)
        self.online = True
        self.send_json(
            {"type": "presence.update", "status": mine.status, "staff_id": mine.staff_id}
        )
        self.send_snapshot()
        for conversation in already:
            self.send_json(
                {
                    "type": "chat.assigned",
                    "conversation": routing.conversation_summary(conversation),
                }
            )

    async def on_disconnect(self) -> None:
        if getattr(self, "online", False):
            self.online = False
            await run_blocking(presence.presence_disconnect, agent=self.user)

    def send_snapshot(self) -> None:
        waiting = [
            {
                **routing.conversation_summary(w.conversation),
                "position": w.position,
                "eta_seconds": w.eta_seconds,
            }
            for w in queue.queue_positions()
        ]
        self.send_json({"type": "queue.snapshot", "waiting": waiting})

    def _chat_id(self, frame: dict) -> str | None:
        value = frame.get("conversation")
        if not isinstance(value, str) or not value:
            self.send_error("bad_frame", _("Name the chat: conversation is missing."))
            return None
        return value

    # ---- client frames

    def on_presence_set(self, frame: dict) -> None:
        presence.presence_set(agent=self.user, status=frame.get("status"))

    def on_chat_open(self, frame: dict) -> None:
        """Join a chat's live updates and get what was missed (internal notes included)."""
        public_id = self._chat_id(frame)
        after = _number(frame.get("after", 0))
        if public_id is None or after is None:
            if public_id is not None:
                self.send_error("bad_frame", _("after must be a message number."))
            return
        conversation = agent_actions.conversation_for_agent(user=self.user, public_id=public_id)
        self.join(conversation_staff_group(conversation.public_id))
        for message in messages_after(
            conversation=conversation, after=after, include_internal=True
        ):
            self.send_json(
                {
                    "type": "message.new",
                    "conversation": public_id,
                    "message": message_frame(message),
                }
            )

    def on_message_send(self, frame: dict) -> None:
        public_id = self._chat_id(frame)
        client_id, body = frame.get("client_id"), frame.get("body")
        internal = frame.get("internal", False)
        if public_id is None:
            return
        if not isinstance(client_id, str) or not client_id or not isinstance(body, str):
            self.send_error("bad_frame", _("message.send needs a client_id and a body."))
            return
        message, _created = agent_actions.agent_reply(
            user=self.user,
            public_id=public_id,
            body=body,
            client_id=client_id,
            internal=internal is True,
        )
        self.send_json(
            {
                "type": "message.ack",
                "conversation": public_id,
                "client_id": client_id,
                "id": message.seq,
                "at": message.created_at.isoformat(),
            }
        )

    def on_typing(self, frame: dict) -> None:
        public_id = self._chat_id(frame)
        if public_id is None:
            return
        if not isinstance(frame.get("on"), bool):
            self.send_error("bad_frame", _("typing needs on, true or false."))
            return
        conversation = agent_actions.conversation_for_agent(user=self.user, public_id=public_id)
        self.send_to_group(
            conversation_group(conversation.public_id),  # the customer's tabs only
            {"type": "chat.typing", "conversation": public_id, "from": "agent", "on": frame["on"]},
        )

    def on_read(self, frame: dict) -> None:
        public_id = self._chat_id(frame)
        up_to = _number(frame.get("up_to"))
        if public_id is None:
            return
        if up_to is None:
            self.send_error("bad_frame", _("read needs up_to, a message number."))
            return
        agent_actions.agent_mark_read(user=self.user, public_id=public_id, up_to=up_to)

    def on_chat_transfer(self, frame: dict) -> None:
        public_id = self._chat_id(frame)
        if public_id is None:
            return
        to_agent = None
        staff_id = frame.get("agent")
        if staff_id is not None:
            target = None
            if isinstance(staff_id, str) and len(staff_id) <= _STAFF_ID_MAX:
                target = AgentPresence.objects.filter(staff_id=staff_id).first()
            to_agent = User.objects.get(pk=target.agent_id) if target else None
            if to_agent is None:
                self.send_error("agent_unavailable", _("No agent has that staff ID."))
                return
        skill = frame.get("skill") if isinstance(frame.get("skill"), str) else None
        agent_actions.agent_transfer(
            user=self.user, public_id=public_id, to_agent=to_agent, skill=skill
        )

    def on_chat_end(self, frame: dict) -> None:
        public_id = self._chat_id(frame)
        if public_id is not None:
            agent_actions.agent_end(user=self.user, public_id=public_id)

    def on_chat_convert(self, frame: dict) -> None:
        public_id = self._chat_id(frame)
        if public_id is None:
            return
        attach = frame.get("attach")
        if attach is not None:
            ticket = chat_tickets.chat_attach(user=self.user, public_id=public_id, number=attach)
        else:
            # The customer may already have a request about a TXID they wrote here: offer
            # it first, unless the agent chose a new ticket anyway.
            offers = (
                []
                if frame.get("new") is True
                else chat_tickets.convert_offers(user=self.user, public_id=public_id)
            )
            if offers:
                self.send_json(
                    {
                        "type": "chat.convert_offer",
                        "conversation": public_id,
                        "tickets": [
                            {"number": t.number, "subject": t.subject, "txid": t.txid}
                            for t in offers
                        ],
                    }
                )
                return
            kind = frame.get("ticket_type", "other")
            ticket = agent_actions.agent_convert(
                user=self.user,
                public_id=public_id,
                ticket_type_slug=kind if isinstance(kind, str) else "",
            )
        self.send_json(
            {"type": "chat.converted", "conversation": public_id, "ticket": ticket.number}
        )

    def on_queue_refresh(self, frame: dict) -> None:
        self.send_snapshot()

    # ---- channel-layer events (sent by the services after commit)

    def chat_message(self, event: dict) -> None:
        self.send_json(
            {
                "type": "message.new",
                "conversation": event.get("conversation"),
                "message": event["message"],
            }
        )

    def chat_typing(self, event: dict) -> None:
        if event.get("from") == "customer":
            self.send_json(
                {
                    "type": "typing",
                    "conversation": event.get("conversation"),
                    "from": "customer",
                    "on": event["on"],
                }
            )

    def chat_read(self, event: dict) -> None:
        if event.get("by") == "customer":
            self.send_json(
                {
                    "type": "read",
                    "conversation": event.get("conversation"),
                    "by": "customer",
                    "up_to": event["up_to"],
                }
            )

    async def conversation_update(self, event: dict) -> None:
        self.send_json(event)
        if event.get("status") == Conversation.Status.ENDED and event.get("conversation"):
            # The chat leaves this console (its room went to the next chat when it ended).
            await self.aleave(conversation_staff_group(event["conversation"]))

    def queue_update(self, event: dict) -> None:
        return None  # for customers; agents get the whole `queue.snapshot`

    def queue_snapshot(self, event: dict) -> None:
        self.send_json(event)

    async def chat_assigned(self, event: dict) -> None:
        await self.ajoin(conversation_staff_group(event["conversation"]["id"]))
        self.send_json(event)

    async def chat_removed(self, event: dict) -> None:
        await self.aleave(conversation_staff_group(event["conversation"]))
        self.send_json(event)

    def presence_update(self, event: dict) -> None:
        self.send_json(event)
