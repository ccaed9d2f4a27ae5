"""The world the zh-hans checks render: the access matrix's world (one thing of each kind,
made through the services), Beacon's demo content (articles, channels, teams, types in
both languages) and a request and a chat written in Chinese, with a masked seed phrase,
replies, an assignment, a solved status and a complaint, so the pages and emails show
what they show in use.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pytest
from django.utils import translation
from mnemonic import Mnemonic

from accounts.models import User
from helpcenter import demo as helpcenter_demo
from livechat.bot.replies import respond
from livechat.models import ChatMessage, Conversation
from livechat.services.conversations import (
    conversation_end,
    conversation_handoff,
    conversation_start,
)
from livechat.services.messages import message_post_by_customer
from tests.access.conftest import World, build_world, sign_in_everyone
from tests.i18n.zh_text import Typed
from tickets import demo as tickets_demo
from tickets import services
from tickets.models import Ticket, TicketType

ZH = "zh-hans"
# A real BIP39 phrase (test vector): the guard masks it wherever a customer types it.
PHRASE = Mnemonic("english").to_mnemonic(bytes.fromhex("7f" * 16))


@dataclass
class ZhWorld:
    world: World
    ticket: Ticket  # the owner's request in Chinese, worked by the agent
    complaint: Ticket
    conversation: Conversation  # the owner's chat in Chinese, handed to a person

    @property
    def users(self) -> dict[str, User]:
        return self.world.users


def _chinese_request(world: World) -> tuple[Ticket, Ticket]:
    owner, agent, supervisor = (world.users[name] for name in ("owner", "agent", "supervisor"))
    ticket = services.ticket_create(
        requester=owner,
        ticket_type=TicketType.objects.get(slug="other"),
        subject="提现一直没有到账",
        body=f"我的助记词是 {PHRASE}，请帮我看看提现。",
        field_values={},
        language=ZH,
    )
    services.ticket_assign(actor=supervisor, ticket=ticket, assignee=agent)
    services.ticket_reply(actor=agent, ticket=ticket, body="您好，我们正在核查。")
    services.ticket_reply(actor=agent, ticket=ticket, body="内部备注：等链上确认。", internal=True)
    services.ticket_reply(actor=owner, ticket=ticket, body="好的，谢谢。")
    services.ticket_change_status(actor=agent, ticket=ticket, status=Ticket.Status.SOLVED)
    complaint = services.ticket_complain(
        actor=owner, ticket=ticket, body="处理太慢了。", language=ZH
    )
    return Ticket.objects.get(pk=ticket.pk), complaint


def _chinese_chat(owner: User) -> Conversation:
    # A customer has one open chat at a time (the world's is in English): they end it,
    # then start this one from the Chinese site.
    for earlier in Conversation.objects.filter(customer=owner).exclude(
        status=Conversation.Status.ENDED
    ):
        conversation_end(conversation=earlier, by="customer", author=owner)
    conversation = conversation_start(user=owner, session_key=None, language=ZH)
    for number, text in enumerate((f"我的助记词是 {PHRASE}", "提现没到账怎么办？"), start=1):
        message, _created = message_post_by_customer(
            conversation=conversation, body=text, author=owner, client_id=f"zh-{number}"
        )
        respond(conversation=conversation, message=message)
    conversation.refresh_from_db()
    if conversation.status == Conversation.Status.BOT:
        conversation_handoff(conversation=conversation, reason="")
    assert ChatMessage.objects.filter(conversation=conversation).exclude(masked=[]).exists()
    return conversation


def build_zh_world() -> ZhWorld:
    world = build_world()
    # What `make run` loads for the help centre and the console (not its demo people:
    # they would be the world's staff with other passwords).
    with translation.override("en"):
        helpcenter_demo.seed(io.StringIO())
        tickets_demo.seed(io.StringIO())
    ticket, complaint = _chinese_request(world)
    conversation = _chinese_chat(world.users["owner"])
    sign_in_everyone(world)
    return ZhWorld(world=world, ticket=ticket, complaint=complaint, conversation=conversation)


@pytest.fixture
def zh_world(db, settings, tmp_path, complete_effects) -> ZhWorld:
    settings.MEDIA_ROOT = tmp_path / "private"
    settings.BEACON_STAFF_MFA_REQUIRED = True  # production's rule, as the access matrix has it
    built = build_zh_world()
    complete_effects()  # the security and review tickets the freezes and requests open
    return built


# What people typed (names, subjects, messages, emails, search words): shown as typed,
# whatever the page's language. Data that has a Chinese version (channel labels, request
# types, teams, announcements) is not here, nor text whose language the page marks
# (articles, canned replies, the chat's own messages: lang="en").
TYPED = {
    "accounts.User": ("email", "first_name", "last_name"),
    "accounts.KycSubmission": ("legal_name",),
    "accounts.UnfreezeAppeal": ("legal_name", "description"),
    "accounts.MfaResetRequest": ("legal_name", "description"),
    "tickets.Ticket": ("subject",),
    "tickets.TicketMessage": ("body",),
    "tickets.InboundEmail": ("sender", "subject", "text"),
    "tickets.SlaPolicy": ("name",),
}


def typed(*more: str) -> Typed:
    """What the world's people typed, and `more` (a browser's user agent, say)."""
    from django.apps import apps

    from tests.access.matrix import HOSTILE_BODY, QUERIES

    texts = [*HOSTILE_BODY.values(), *QUERIES.values(), *more]
    for label, fields in TYPED.items():
        for row in apps.get_model(label)._default_manager.values_list(*fields):
            texts.extend(str(value) for value in row)
    people = ChatMessage.objects.filter(
        sender__in=[ChatMessage.Sender.CUSTOMER, ChatMessage.Sender.AGENT]
    )
    texts.extend(people.values_list("body", flat=True))
    texts.extend(email.split("@")[0] for email in User.objects.values_list("email", flat=True))
    return Typed(texts)
