"""Every workspace page and in-place answer reads as Chinese in zh-hans (issue 16): the
same check tests/i18n applies to the whole site (no English word, no 你, no ASCII
punctuation in the Chinese), on pages with a ticket, a chat of one's own and a waiting chat."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import Role
from livechat.models import Conversation
from tests.console.test_workspace_pages import client_for, make_chat, make_ticket, make_user
from tests.i18n.zh_text import visible_text, zh_problems
from tickets.models import TicketMessage

pytestmark = pytest.mark.django_db


def test_the_workspace_is_chinese_in_zh_hans():
    # given: a supervisor (every rail section but the security desk) with work of each kind
    boss = make_user("omar@example.test", Role.SUPERVISOR, first_name="欧麦")
    customer = make_user("lin@example.test", first_name="林")
    ticket = make_ticket(customer, "提现未到账")
    TicketMessage.objects.filter(ticket=ticket).update(body="请帮帮我。")
    make_chat(customer=customer, agent=boss, status=Conversation.Status.ACTIVE)
    make_chat(customer=customer, agent=None, status=Conversation.Status.QUEUED)
    client = client_for(boss, beacon_language="zh-hans")
    pages = [
        reverse("tickets:console-inbox"),
        reverse("tickets:console"),
        reverse("tickets:console-ticket", args=[ticket.number]),
        reverse("chat_console:home"),
        reverse("chat_console:waiting"),
        reverse("tickets:console-emails"),
    ]
    # when
    problems = {
        path: zh_problems(visible_text(client.get(path).content.decode())) for path in pages
    }
    edited = client.post(
        reverse("tickets:console-priority", args=[ticket.number]),
        {"priority": "high"},
        HTTP_HX_REQUEST="true",
    )
    problems["in place"] = zh_problems(visible_text(edited.content.decode()))
    # then
    assert {path: found for path, found in problems.items() if found} == {}
