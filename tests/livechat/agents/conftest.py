from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.utils import timezone

from accounts.models import Role, User
from accounts.services import user_role_grant
from livechat.models import AgentPresence, Conversation
from livechat.services.presence import presence_for


@pytest.fixture
def agent_factory(user_factory) -> Callable[..., User]:
    """A staff agent with a presence: online by default, English, general, capacity 3."""

    def make(
        *,
        name: str = "Mei",
        status: str = AgentPresence.Status.ONLINE,
        languages: list[str] | None = None,
        skills: list[str] | None = None,
        capacity: int = 3,
        role: Role = Role.AGENT,
    ) -> User:
        user = user_factory(first_name=name)
        user_role_grant(user=user, role=role)
        presence = presence_for(user)
        presence.status = status
        presence.languages = languages or ["en"]
        presence.skills = skills or ["general"]
        presence.capacity = capacity
        presence.save()
        return user

    return make


@pytest.fixture
def chat_factory(user_factory) -> Callable[..., Conversation]:
    """A queued chat; `waited` minutes ago, with a customer unless anonymous."""
    counter = iter(range(1, 10_000))

    def make(
        *,
        language: str = "en",
        skill: str = "general",
        priority: int = 0,
        waited: int = 1,
        status: str = Conversation.Status.QUEUED,
        agent: User | None = None,
        anonymous: bool = False,
    ) -> Conversation:
        customer = None if anonymous else user_factory(email=f"c{next(counter)}@example.test")
        now = timezone.now()
        return Conversation.objects.create(
            customer=customer,
            visitor_key="v" * 64 if anonymous else "",
            language=language,
            skill=skill,
            priority=priority,
            status=status,
            agent=agent,
            queued_at=now - dt.timedelta(minutes=waited),
            assigned_at=now if agent else None,
        )

    return make
