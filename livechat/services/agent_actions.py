"""What an agent does in a chat: reply, note, transfer, end, convert to a ticket.

Only the assigned agent may act on a chat, or a supervisor on any. Every function takes
the acting user and checks that first (`conversation_for_agent`), so the socket, the
console page and any later API get the same rule.
"""

from __future__ import annotations

import uuid

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError, NotFound
from core.realtime import broadcast_to_groups_on_commit
from livechat.groups import conversation_audience
from livechat.models import AgentPresence, ChatMessage, Conversation
from livechat.services import routing
from livechat.services.messages import message_post
from livechat.services.presence import presence_for
from livechat.services.transcripts import transcript_lines, transcript_text
from livechat.services.transitions import Notice, conversation_move
from tickets.macros import unfilled_placeholders
from tickets.permissions import is_staff_agent, is_supervisor

# A ticket body holds at most 20,000 characters (tickets.services.MAX_BODY); a longer
# transcript keeps its end, where the unsolved problem usually is.
TICKET_BODY_LIMIT = 19_000


def conversation_for_agent(*, user, public_id, lock: bool = False) -> Conversation:
    """The chat if `user` may act on it (its agent, or a supervisor); else NotFound, the
    same for "missing" and "not yours"."""
    if not is_staff_agent(user):
        raise NotFound(_("No such chat."), code="not_found")
    rows = Conversation.objects.select_related("customer", "agent")
    if lock:
        rows = rows.select_for_update(of=("self",))
    try:
        conversation = rows.get(public_id=uuid.UUID(str(public_id)))
    except (Conversation.DoesNotExist, ValueError) as exc:
        raise NotFound(_("No such chat."), code="not_found") from exc
    if conversation.agent_id != user.id and not is_supervisor(user):
        raise NotFound(_("No such chat."), code="not_found")
    return conversation


def _open_chat(*, user, public_id) -> Conversation:
    conversation = conversation_for_agent(user=user, public_id=public_id, lock=True)
    if conversation.status != Conversation.Status.ACTIVE:
        raise ApplicationError(_("This chat is not open."), code="not_active")
    return conversation


def _system(conversation: Conversation, text: str, **data) -> None:
    """A system line in the chat; the caller translates `text` into the chat's language."""
    message_post(conversation=conversation, sender=ChatMessage.Sender.SYSTEM, body=text, data=data)


def _by(user, conversation: Conversation) -> str:
    """Who acted, for the audit trail: the chat's own agent, or a supervisor on another's."""
    return "agent" if conversation.agent_id == user.id else "supervisor"


@transaction.atomic
def agent_reply(
    *, user, public_id, body: str, client_id: str = "", internal: bool = False
) -> tuple[ChatMessage, bool]:
    """A reply the customer sees, or an internal note only agents see.

    A reply that still holds a canned reply's placeholder ({ticket_number} in a chat that
    has no ticket) is refused: the customer never sees one raw."""
    unfilled = [] if internal else unfilled_placeholders(body if isinstance(body, str) else "")
    if unfilled:
        raise ApplicationError(
            _("Fill in %(names)s before sending: this chat has no value for it.")
            % {"names": ", ".join("{" + name + "}" for name in unfilled)},
            code="unfilled_placeholder",
        )
    conversation = _open_chat(user=user, public_id=public_id)
    presence_for(user)  # the staff ID every agent message carries
    return message_post(
        conversation=conversation,
        sender=ChatMessage.Sender.AGENT,
        body=body,
        author=user,
        client_id=client_id,
        internal=internal,
    )


@transaction.atomic
def agent_mark_read(*, user, public_id, up_to: int) -> Conversation:
    conversation = conversation_for_agent(user=user, public_id=public_id, lock=True)
    up_to = min(max(int(up_to), 0), conversation.last_seq)
    if up_to > conversation.agent_read_seq:
        conversation.agent_read_seq = up_to
        conversation.save(update_fields=["agent_read_seq"])
        broadcast_to_groups_on_commit(
            conversation_audience(conversation.public_id),
            {
                "type": "chat.read",
                "conversation": str(conversation.public_id),
                "by": "agent",
                "up_to": up_to,
            },
        )
    return conversation


@transaction.atomic
def agent_transfer(*, user, public_id, to_agent=None, skill: str | None = None) -> Conversation:
    """Hand the chat to another agent (online, serving its language, with room), or back
    to the queue for a skill group, keeping its place (its original queued_at)."""
    if (to_agent is None) == (not skill):
        raise ApplicationError(_("Choose an agent or a group."), code="bad_transfer")
    conversation = _open_chat(user=user, public_id=public_id)
    if to_agent is not None:
        return _transfer_to_agent(conversation, to_agent, user)
    if skill not in Conversation.Skill.values:
        raise ApplicationError(_("No such group."), code="bad_transfer")
    conversation.skill = skill
    with translation.override(conversation.language):
        text = _("You are being transferred to a colleague. Please stay in the chat.")
    # Back in the queue at its old place; the transition tries to assign it at once.
    conversation_move(
        conversation,
        to=Conversation.Status.QUEUED,
        by=_by(user, conversation),
        actor=user,
        reason=f"transfer:{skill}",
        notice=Notice(text, {"event": "transferred", "skill": skill}),
        also=("skill",),
    )
    conversation.refresh_from_db()
    return conversation


def _transfer_to_agent(conversation: Conversation, to_agent, user) -> Conversation:
    if to_agent.pk == conversation.agent_id:
        raise ApplicationError(_("This chat is already yours."), code="bad_transfer")
    target = (
        AgentPresence.objects.select_for_update()
        .select_related("agent")
        .filter(agent=to_agent, status=AgentPresence.Status.ONLINE, agent__is_active=True)
        .first()
    )
    if target is None or not is_staff_agent(to_agent):
        raise ApplicationError(_("That agent is not online."), code="agent_unavailable")
    load = routing.active_loads([to_agent.pk])[to_agent.pk]
    if load >= target.capacity or conversation.language not in (target.languages or []):
        raise ApplicationError(
            _("That agent cannot take this chat now (language or capacity)."),
            code="agent_unavailable",
        )
    routing.conversation_assign(
        conversation=conversation,
        presence=target,
        by=_by(user, conversation),
        actor=user,
        tell_queue=True,  # the first agent's freed room goes to the next waiting chat
    )
    return conversation


@transaction.atomic
def agent_end(*, user, public_id) -> Conversation:
    """End the chat; the agent's freed room goes to the next waiting chat."""
    conversation = _open_chat(user=user, public_id=public_id)
    with translation.override(conversation.language):
        text = _("The agent has ended the chat. You can rate it and download the transcript.")
    by = _by(user, conversation)
    return conversation_move(
        conversation,
        to=Conversation.Status.ENDED,
        by=by,
        actor=user,
        notice=Notice(text, {"event": "ended", "by": by}),
    )


def _ticket_body(conversation: Conversation) -> str:
    header = _("Transcript of live chat %(id)s, started %(at)s UTC.") % {
        "id": conversation.public_id,
        "at": f"{conversation.created_at:%Y-%m-%d %H:%M}",
    }
    transcript = "\n".join(transcript_lines(conversation))
    if len(transcript) > TICKET_BODY_LIMIT:
        transcript = _("(earlier messages left out)") + "\n" + transcript[-TICKET_BODY_LIMIT:]
    return f"{header}\n\n{transcript}"


@transaction.atomic
def agent_convert(*, user, public_id, ticket_type_slug: str = "other"):
    """Turn the chat into a ticket for its customer: the transcript as the first message,
    linked both ways (conversation.ticket; an internal note on the ticket names the chat).

    A second call returns the same ticket. Anonymous visitors' chats cannot be converted:
    a ticket needs an account (they can leave a message with their email instead).
    """
    from tickets import selectors as ticket_selectors
    from tickets import services as ticket_services
    from tickets.models import Ticket
    from tickets.permissions import TicketPolicy
    from tickets.services.files import ticket_attach_text

    conversation = conversation_for_agent(user=user, public_id=public_id, lock=True)
    if conversation.ticket_id:
        return conversation.ticket
    if conversation.customer is None:
        raise ApplicationError(
            _("Only a signed-in customer's chat can become a ticket."), code="anonymous"
        )
    ticket_type = (
        ticket_selectors.ticket_types_for_customers().filter(slug=ticket_type_slug).first()
    )
    if ticket_type is None:
        raise ApplicationError(_("Choose a request type from the list."), code="unknown_type")
    customer = conversation.customer
    names = {field.get("name") for field in ticket_type.fields}
    first = conversation.messages.filter(sender=ChatMessage.Sender.CUSTOMER).order_by("seq").first()
    with translation.override(conversation.language):
        subject = _("Live chat: %(text)s") % {
            "text": first.body[:150] if first else _("no message")
        }
        body = _ticket_body(conversation)
    ticket = ticket_services.ticket_create(
        requester=customer,
        ticket_type=ticket_type,
        subject=subject[:200],
        body=body,
        field_values={"uid": str(customer.uid)} if "uid" in names else {},
        channel=Ticket.Channel.CHAT,
        language=conversation.language,
    )
    # The whole chat goes with it as a file; the message above may have left out the start.
    ticket_attach_text(
        message=ticket.messages.order_by("id").first(),
        name=f"chat-{conversation.public_id}.txt",
        text=transcript_text(conversation),
    )
    conversation.ticket = ticket
    conversation.save(update_fields=["ticket"])
    if TicketPolicy.can_work(user, ticket):
        note = _("Converted from live chat %(id)s by %(staff_id)s.") % {
            "id": conversation.public_id,
            "staff_id": presence_for(user).staff_id,
        }
        notes = "\n".join(transcript_lines(conversation, internal=True))
        if notes:
            note += "\n\n" + _("Internal notes from the chat:") + "\n" + notes[-TICKET_BODY_LIMIT:]
        ticket_services.ticket_reply(actor=user, ticket=ticket, body=note, internal=True)
        # The agent who knows the story keeps it, rather than an unassigned ticket in a
        # queue (when the ticket's team takes them; else the team's queue decides).
        if TicketPolicy.can_be_assigned(user, ticket):
            ticket = ticket_services.ticket_assign(actor=user, ticket=ticket, assignee=user)
    with translation.override(conversation.language):
        text = _("We have opened request %(number)s for you; follow it under My requests.") % {
            "number": ticket.number
        }
    _system(conversation, text, event="ticket_created", ticket=ticket.number)
    return ticket
