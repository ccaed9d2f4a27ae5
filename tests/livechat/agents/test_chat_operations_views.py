"""The console's chat operations pages: the waiting list with Take and Assign, and chat
profiles. Agents and supervisors only (like the chat console); JSON for fetch, a redirect
with a message for a plain form; refusals are 4xx, never a 500."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import Role
from accounts.services import user_role_grant
from livechat.models import Conversation

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def status_of(chat: Conversation) -> tuple[str, int | None]:
    chat.refresh_from_db()
    return chat.status, chat.agent_id


@pytest.fixture
def reviewer(user_factory):
    person = user_factory(email="rui@example.test")
    user_role_grant(user=person, role=Role.SECURITY_REVIEWER)
    return person


def test_the_waiting_page_offers_take_for_chats_the_agent_serves(agent_factory, chat_factory):
    # given: a Chinese and an English chat waiting; Mei serves Chinese only
    zh_chat = chat_factory(language="zh-hans")
    en_chat = chat_factory(language="en")
    mei = agent_factory(name="Mei", languages=["zh-hans"])
    # when
    page = signed_in(mei).get("/console/chats/waiting")
    # then: both listed, Take only on the Chinese one, no Assign (she is not a supervisor)
    html = page.content.decode()
    assert page.status_code == 200
    assert f"/console/chats/{zh_chat.public_id}/take" in html
    assert f"/console/chats/{en_chat.public_id}/take" not in html
    assert "/assign" not in html


def test_take_by_plain_form_redirects_to_the_console_with_the_chat(agent_factory, chat_factory):
    chat = chat_factory(language="zh-hans")
    mei = agent_factory(name="Mei", languages=["zh-hans"])

    answer = signed_in(mei).post(f"/console/chats/{chat.public_id}/take")

    assert (answer.status_code, answer["Location"]) == (302, "/console/chats/")
    assert status_of(chat) == ("active", mei.pk)


def test_take_by_fetch_answers_json_and_a_second_taker_gets_409(agent_factory, chat_factory):
    chat = chat_factory()
    mei, alex = agent_factory(name="Mei"), agent_factory(name="Alex")

    first = signed_in(mei).post(f"/console/chats/{chat.public_id}/take", **JSON)
    second = signed_in(alex).post(f"/console/chats/{chat.public_id}/take", **JSON)

    assert first.status_code == 200
    assert first.json()["conversation"]["id"] == str(chat.public_id)
    assert second.status_code == 409
    assert second.json()["code"] == "taken"
    assert status_of(chat) == ("active", mei.pk)


def test_a_refused_take_by_plain_form_goes_back_with_the_reason(agent_factory, chat_factory):
    chat = chat_factory(language="zh-hans")
    alex = agent_factory(name="Alex", languages=["en"])
    client = signed_in(alex)

    answer = client.post(f"/console/chats/{chat.public_id}/take", follow=True)

    assert answer.redirect_chain[-1][0] == "/console/chats/waiting"
    assert "a language the agent does not serve" in answer.content.decode()
    assert status_of(chat) == ("queued", None)


def test_take_of_a_missing_chat_is_404(agent_factory):
    client = signed_in(agent_factory())
    missing = "00000000-0000-0000-0000-000000000000"

    assert client.post(f"/console/chats/{missing}/take").status_code == 404
    assert client.post(f"/console/chats/{missing}/take", **JSON).status_code == 404


def test_take_needs_post_and_a_csrf_token(agent_factory, chat_factory):
    chat = chat_factory()
    mei = agent_factory(name="Mei")
    careful = Client(enforce_csrf_checks=True)
    careful.force_login(mei)

    assert signed_in(mei).get(f"/console/chats/{chat.public_id}/take").status_code == 405
    assert careful.post(f"/console/chats/{chat.public_id}/take").status_code == 403
    assert status_of(chat) == ("queued", None)


def test_customers_reviewers_and_visitors_cannot_take_or_assign(
    user_factory, reviewer, agent_factory, chat_factory
):
    chat = chat_factory()
    mei = agent_factory(name="Mei")
    customer = signed_in(user_factory(email="lin@example.test"))
    for client in (customer, signed_in(reviewer)):
        assert client.post(f"/console/chats/{chat.public_id}/take").status_code == 403
        answer = client.post(
            f"/console/chats/{chat.public_id}/assign", {"agent": mei.chat_presence.staff_id}
        )
        assert answer.status_code == 403
        assert client.get("/console/chats/waiting").status_code == 403
    visitor = Client().post(f"/console/chats/{chat.public_id}/take")
    assert visitor.status_code == 302 and visitor["Location"].startswith("/accounts/login/")
    assert status_of(chat) == ("queued", None)


def test_an_agent_cannot_assign_but_a_supervisor_can(agent_factory, chat_factory):
    chat = chat_factory(language="zh-hans")
    mei = agent_factory(name="Mei", languages=["zh-hans"])
    alex = agent_factory(name="Alex")
    boss = agent_factory(name="Sam", role=Role.SUPERVISOR)
    form = {"agent": mei.chat_presence.staff_id}

    refused = signed_in(alex).post(f"/console/chats/{chat.public_id}/assign", form)
    page = signed_in(boss).get("/console/chats/waiting").content.decode()
    done = signed_in(boss).post(f"/console/chats/{chat.public_id}/assign", form, **JSON)

    assert refused.status_code == 403
    assert f'<option value="{mei.chat_presence.staff_id}">' in page  # Mei is offered
    assert f'<option value="{alex.chat_presence.staff_id}">' not in page  # Alex: English only
    assert done.status_code == 200
    assert status_of(chat) == ("active", mei.pk)


@pytest.mark.parametrize("agent", ["", "nobody", "x" * 5000])
def test_assigning_to_an_unknown_agent_is_a_clear_400(agent_factory, chat_factory, agent):
    chat = chat_factory()
    boss = agent_factory(name="Sam", role=Role.SUPERVISOR)

    answer = signed_in(boss).post(
        f"/console/chats/{chat.public_id}/assign", {"agent": agent}, **JSON
    )

    assert (answer.status_code, answer.json()["code"]) == (400, "agent_unknown")
    assert status_of(chat) == ("queued", None)


def test_an_agent_edits_their_chat_profile_on_the_console(agent_factory):
    mei = agent_factory(name="Mei", languages=["en"])
    client = signed_in(mei)

    page = client.get("/console/chats/profile")
    saved = client.post(
        "/console/chats/profile",
        {"languages": ["en", "zh-hans"], "skills": ["general", "security"], "capacity": "4"},
    )

    assert page.status_code == 200
    assert saved.status_code == 302
    mei.chat_presence.refresh_from_db()
    assert (mei.chat_presence.languages, mei.chat_presence.skills, mei.chat_presence.capacity) == (
        ["en", "zh-hans"],
        ["general", "security"],
        4,
    )


@pytest.mark.parametrize(
    ("form", "error"),
    [
        ({"skills": ["general"], "capacity": "3"}, "Choose at least one language."),
        (
            {"languages": ["klingon"], "skills": ["general"], "capacity": "3"},
            "Choose languages from the list.",
        ),
        (
            {"languages": ["en"], "skills": ["sorcery"], "capacity": "3"},
            "Choose skills from the list.",
        ),
        ({"languages": ["en"], "skills": ["general"], "capacity": "99"}, "20"),
        ({"languages": ["en"], "skills": ["general"], "capacity": "0"}, "1"),
        ({"languages": ["en"], "skills": ["general"], "capacity": "many"}, "whole number"),
        ({"languages": ["en"], "skills": ["general"], "capacity": "9" * 400}, "20"),
    ],
)
def test_a_bad_profile_is_a_400_with_the_field_error(agent_factory, form, error):
    mei = agent_factory(name="Mei", languages=["en"], capacity=3)

    answer = signed_in(mei).post("/console/chats/profile", form)

    assert answer.status_code == 400
    assert error in answer.content.decode()
    mei.chat_presence.refresh_from_db()
    assert (mei.chat_presence.languages, mei.chat_presence.capacity) == (["en"], 3)


def test_the_profile_page_is_in_chinese_for_a_chinese_agent(agent_factory):
    mei = agent_factory(name="Mei")
    client = signed_in(mei)
    client.cookies["beacon_language"] = "zh-hans"

    page = client.get("/console/chats/profile", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert "您的会话设置" in page


def test_supervisors_see_every_agent_and_edit_their_profile(agent_factory):
    boss = agent_factory(name="Sam", role=Role.SUPERVISOR)
    mei = agent_factory(name="Mei", languages=["en"])
    client = signed_in(boss)

    roster = client.get("/console/chats/agents/")
    saved = client.post(
        f"/console/chats/agents/{mei.pk}/profile",
        {"languages": ["zh-hans"], "skills": ["general"], "capacity": "2"},
    )

    assert roster.status_code == 200
    assert mei.chat_presence.staff_id in roster.content.decode()
    assert saved.status_code == 302
    mei.chat_presence.refresh_from_db()
    assert mei.chat_presence.languages == ["zh-hans"]


def test_agents_cannot_open_the_roster_or_another_agents_profile(agent_factory, user_factory):
    alex = agent_factory(name="Alex")
    mei = agent_factory(name="Mei")
    customer = user_factory(email="lin@example.test")
    client = signed_in(alex)

    assert client.get("/console/chats/agents/").status_code == 403
    assert client.get(f"/console/chats/agents/{mei.pk}/profile").status_code == 404
    assert (
        client.post(
            f"/console/chats/agents/{mei.pk}/profile",
            {"languages": ["zh-hans"], "skills": ["general"], "capacity": "2"},
        ).status_code
        == 404
    )
    boss = signed_in(agent_factory(name="Sam", role=Role.SUPERVISOR))
    assert boss.get(f"/console/chats/agents/{customer.pk}/profile").status_code == 404
    assert boss.get("/console/chats/agents/999999999/profile").status_code == 404
