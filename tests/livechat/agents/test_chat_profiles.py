"""An agent's chat profile (languages, skills, chats at once): agents edit their own,
supervisors anyone's; bad values are refused whole; a wider profile is routed to at once."""

from __future__ import annotations

import pytest

from accounts.models import Role
from core.exceptions import ApplicationError, NotFound
from livechat.services.chat_profiles import agent_profile_update

pytestmark = pytest.mark.django_db

GOOD = {"languages": ["en", "zh-hans"], "skills": ["general", "kyc"], "capacity": 5}


def test_an_agent_sets_their_own_languages_skills_and_capacity(agent_factory):
    mei = agent_factory(name="Mei")

    saved = agent_profile_update(actor=mei, agent=mei, **GOOD)

    saved.refresh_from_db()
    assert (saved.languages, saved.skills, saved.capacity) == (
        ["en", "zh-hans"],
        ["general", "kyc"],
        5,
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"languages": []}, "languages"),
        ({"languages": ["fr"]}, "languages"),
        ({"languages": ["en", "zh-hans'; DROP TABLE x"]}, "languages"),
        ({"skills": []}, "skills"),
        ({"skills": ["general", "hacking"]}, "skills"),
        ({"capacity": 0}, "capacity"),
        ({"capacity": 21}, "capacity"),
        ({"capacity": -3}, "capacity"),
        ({"capacity": True}, "capacity"),
        ({"capacity": "3"}, "capacity"),
    ],
)
def test_unknown_or_out_of_range_values_are_refused_and_nothing_changes(
    agent_factory, change, field
):
    mei = agent_factory(name="Mei", languages=["en"], capacity=3)

    with pytest.raises(ApplicationError) as refused:
        agent_profile_update(actor=mei, agent=mei, **{**GOOD, **change})

    assert field in refused.value.extra
    presence = mei.chat_presence
    presence.refresh_from_db()
    assert (presence.languages, presence.capacity) == (["en"], 3)


def test_an_agent_cannot_edit_another_agents_profile(agent_factory):
    mei, alex = agent_factory(name="Mei"), agent_factory(name="Alex")

    with pytest.raises(NotFound):
        agent_profile_update(actor=alex, agent=mei, **GOOD)


def test_a_supervisor_edits_any_agents_profile(agent_factory):
    boss = agent_factory(name="Sam", role=Role.SUPERVISOR)
    mei = agent_factory(name="Mei")

    agent_profile_update(actor=boss, agent=mei, **{**GOOD, "languages": ["zh-hans"]})

    mei.chat_presence.refresh_from_db()
    assert mei.chat_presence.languages == ["zh-hans"]


def test_a_customer_has_no_chat_profile_to_edit(agent_factory, user_factory):
    boss = agent_factory(name="Sam", role=Role.SUPERVISOR)
    customer = user_factory(email="lin@example.test")

    with pytest.raises(NotFound):
        agent_profile_update(actor=boss, agent=customer, **GOOD)
    with pytest.raises(NotFound):
        agent_profile_update(actor=customer, agent=customer, **GOOD)


def test_adding_a_language_routes_the_waiting_chats_in_it_at_once(
    agent_factory, chat_factory, django_capture_on_commit_callbacks
):
    # given: a Chinese customer waiting, and an online agent who serves English only
    chat = chat_factory(language="zh-hans")
    mei = agent_factory(name="Mei", languages=["en"])
    # when: she adds Chinese
    with django_capture_on_commit_callbacks(execute=True):
        agent_profile_update(
            actor=mei, agent=mei, languages=["en", "zh-hans"], skills=["general"], capacity=3
        )
    # then: the chat is hers without anyone doing anything else
    chat.refresh_from_db()
    assert (chat.status, chat.agent_id) == ("active", mei.pk)


def test_raising_capacity_takes_the_next_waiting_chat(
    agent_factory, chat_factory, django_capture_on_commit_callbacks
):
    mei = agent_factory(name="Mei", capacity=1)
    chat_factory(status="active", agent=mei)
    waiting = chat_factory()

    with django_capture_on_commit_callbacks(execute=True):
        agent_profile_update(actor=mei, agent=mei, languages=["en"], skills=["general"], capacity=2)

    waiting.refresh_from_db()
    assert (waiting.status, waiting.agent_id) == ("active", mei.pk)
