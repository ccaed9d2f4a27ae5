"""Carrying out the bot's decision: its messages, in the conversation's language, and the
hand-off to the queue. Every message goes through message_post like anyone else's."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from livechat.bot import intents, notices
from livechat.bot.decide import Decision, Kind, decide
from livechat.models import ChatMessage, Conversation
from livechat.services.messages import message_post
from livechat.services.queue import conversation_enqueue

SECURITY_PRIORITY = 100
SECURITY_TAG = "security"
# How many of the customer's recent messages decide the skill of a hand-off.
SKILL_HISTORY = 10


def _bot(conversation: Conversation, body: str, data: dict) -> None:
    message_post(conversation=conversation, sender=ChatMessage.Sender.BOT, body=body, data=data)


def _system(conversation: Conversation, body: str, data: dict) -> None:
    message_post(conversation=conversation, sender=ChatMessage.Sender.SYSTEM, body=body, data=data)


def _after_feedback(conversation: Conversation, message: ChatMessage) -> bool:
    previous = (
        conversation.messages.filter(seq__lt=message.seq, visibility="public")
        .order_by("-seq")
        .only("sender", "data")
        .first()
    )
    return (
        previous is not None
        and previous.sender == ChatMessage.Sender.BOT
        and (previous.data or {}).get("kind") == "feedback"
    )


def _recent_customer_texts(conversation: Conversation) -> list[str]:
    rows = conversation.messages.filter(sender=ChatMessage.Sender.CUSTOMER).order_by("-seq")
    return list(rows.values_list("body", flat=True)[:SKILL_HISTORY])


def _sign_in(conversation: Conversation) -> None:
    url = reverse("account_login")
    _bot(
        conversation,
        _(
            "To look into your own account I need you to sign in first: %(url)s. "
            "I can still answer general questions here, or connect you to a human agent."
        )
        % {"url": url},
        {"kind": "sign_in", "url": url},
    )


def hand_off(*, conversation: Conversation, skill: str, reason: str = "") -> None:
    """`reason` becomes a tag agents see (conversation_enqueue); empty for a plain request.

    "Connecting you" first: queueing may give the chat to an agent at once, and their
    "has joined" line must come after it."""
    _system(
        conversation,
        _("Connecting you to a human agent. Please stay in this chat; we will be with you soon."),
        {"kind": "handoff", "skill": skill},
    )
    # The customer asked for a person (in words the bot understood): theirs in the audit.
    conversation_enqueue(conversation=conversation, skill=skill, reason=reason, by="customer")


def _security(conversation: Conversation, decision: Decision) -> None:
    if decision.sign_in:
        _bot(
            conversation,
            _(
                "This sounds urgent. If someone else may be in your account, sign in and "
                "freeze it from the security page, or from this chat once signed in. "
                "I am moving you to the front of the queue for our security team."
            ),
            {"kind": "sign_in", "url": reverse("account_login")},
        )
    else:
        _bot(
            conversation,
            _(
                "This sounds urgent. If someone else may be in your account, freeze it now: "
                "a frozen account cannot sign in, trade or withdraw until it is unfrozen "
                "after a review. I am also moving you to the front of the queue for our "
                "security team."
            ),
            {"kind": "offer_freeze"},
        )
    locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
    locked.tags = [SECURITY_TAG, *(tag for tag in locked.tags or [] if tag != SECURITY_TAG)]
    locked.save(update_fields=["tags"])
    conversation.tags = locked.tags
    _system(
        conversation,
        _("Connecting you to our security team. Please stay in this chat."),
        {"kind": "handoff", "skill": "security"},
    )
    conversation_enqueue(
        conversation=conversation,
        skill="security",
        priority=SECURITY_PRIORITY,
        reason=SECURITY_TAG,
        by="bot",
    )


def _answers(conversation: Conversation, decision: Decision) -> None:
    _bot(
        conversation,
        _("Here is what I found in the help centre:")
        + "".join(f"\n• {answer.title} {answer.url}" for answer in decision.answers),
        {"kind": "answers", "articles": [answer.as_data() for answer in decision.answers]},
    )
    _bot(conversation, _("Did this help?"), {"kind": "feedback"})


def _not_sure(conversation: Conversation) -> None:
    _bot(
        conversation,
        _(
            "I'm not sure I have the right answer to that, and I would rather not guess. "
            "Would you like to talk to a human agent?"
        ),
        {"kind": "offer_human"},
    )


@transaction.atomic
def respond(*, conversation: Conversation, message: ChatMessage) -> None:
    conversation.refresh_from_db(fields=["status", "language", "customer", "tags"])
    if conversation.status != Conversation.Status.BOT:
        return  # the queue or an agent has it now
    with translation.override(conversation.language):
        decision = decide(
            message.body,
            lang=conversation.language,
            signed_in=conversation.customer_id is not None,
            after_feedback=_after_feedback(conversation, message),
        )
        if decision.kind == Kind.SECURITY:
            _security(conversation, decision)
            return
        # A known incident the message is about comes first (livechat.bot.notices).
        for notice in notices.notices_for(conversation=conversation, text=message.body):
            _bot(conversation, notice.text, {"kind": "notice", **notice.data})
        if decision.kind == Kind.HANDOFF:
            skill = intents.skill_for(_recent_customer_texts(conversation))
            hand_off(conversation=conversation, skill=skill)
            return
        if decision.kind == Kind.THANKS:
            _bot(conversation, _("Glad it helped. Anything else I can do for you?"), {})
            return
        if decision.sign_in:
            _sign_in(conversation)
        if decision.kind == Kind.ANSWERS:
            _answers(conversation, decision)
        else:
            _not_sure(conversation)
