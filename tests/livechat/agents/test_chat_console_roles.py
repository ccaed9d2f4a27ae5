"""The chat console is for agents and supervisors: the ticket console lets security
reviewers in (for the review tickets), but customers' chats are not their work."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import Role
from accounts.services import user_role_grant
from livechat.models import AgentPresence, Conversation

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_chat_console_refuses_security_reviewers_and_makes_them_no_presence(
    user_factory, agent_factory, chat_factory
):
    # given: a reviewer (in the ticket console for reviews), and an agent's open chat
    reviewer = user_factory(email="reviewer@beacon.test")
    user_role_grant(user=reviewer, role=Role.SECURITY_REVIEWER)
    chat = chat_factory(status=Conversation.Status.ACTIVE, agent=agent_factory())
    client = signed_in(reviewer)
    # when
    page = client.get("/console/chats/")
    context = client.get(f"/console/chats/{chat.public_id}/context")
    # then: refused like a customer, and not made an agent on the way
    assert (page.status_code, context.status_code) == (403, 403)
    assert not AgentPresence.objects.filter(agent=reviewer).exists()
    assert client.get("/console/").status_code == 200  # the review tickets stay theirs


def test_chat_console_still_opens_for_supervisors(user_factory):
    supervisor = user_factory(email="supervisor@beacon.test")
    user_role_grant(user=supervisor, role=Role.SUPERVISOR)

    assert signed_in(supervisor).get("/console/chats/").status_code == 200
