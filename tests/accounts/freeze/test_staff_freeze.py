"""An agent freezes customers only: freezing a staff account is an administrator's act.

The attack: any agent could freeze a supervisor, a reviewer or an admin through the
console, and since an unfreeze needs two reviewers, one agent could lock out the desk.
"""

from __future__ import annotations

import logging

import pytest

from accounts.freeze.permissions import FreezeRefused
from accounts.freeze.services import account_freeze
from accounts.models import AccountFreeze, Role, SecurityEvent, User
from tests.accounts.freeze.conftest import make_person, make_staff, signed_in

pytestmark = pytest.mark.django_db

FORM = {"reason": "Verified on the phone", "verified_by_phone": "on"}
STAFF_ROLES = [Role.AGENT, Role.SUPERVISOR, Role.SECURITY_REVIEWER, Role.ADMIN]


def agent_url(user: User) -> str:
    return f"/console/security/freeze/{user.uid}/"


def frozen(user: User) -> bool:
    user.refresh_from_db()
    return not user.is_active or AccountFreeze.objects.filter(user=user).exists()


@pytest.fixture
def admin(db) -> User:
    return make_staff("ada@beacon.test", Role.ADMIN)


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_agent_freeze_of_a_staff_account_is_a_403_page_with_a_message(agent, role):
    # given
    colleague = make_staff(f"{role.value}@beacon.test", role)
    console = signed_in(agent)
    # when
    response = console.post(agent_url(colleague), FORM)
    # then
    assert response.status_code == 403
    page = response.content.decode()
    assert "staff account" in page and "administrator" in page
    assert 'data-testid="agent-freeze"' not in page
    assert not frozen(colleague)
    assert not SecurityEvent.objects.filter(user=colleague, kind="frozen").exists()


def test_agent_freeze_page_refuses_a_staff_account_before_the_form(agent, reviewer):
    response = signed_in(agent).get(agent_url(reviewer))
    assert response.status_code == 403
    assert 'data-testid="agent-freeze"' not in response.content.decode()


def test_the_refusal_is_translated(agent, reviewer):
    console = signed_in(agent)
    console.cookies["beacon_language"] = "zh-hans"
    response = console.post(agent_url(reviewer), FORM)
    assert response.status_code == 403
    assert "员工账户" in response.content.decode()


@pytest.mark.parametrize("freezer_role", [Role.SUPERVISOR, Role.SECURITY_REVIEWER])
def test_supervisors_and_reviewers_cannot_freeze_staff_either(freezer_role, agent):
    freezer = make_staff("freezer@beacon.test", freezer_role)
    assert signed_in(freezer).post(agent_url(agent), FORM).status_code == 403
    assert not frozen(agent)


def test_one_agent_cannot_lock_out_both_reviewers(agent, reviewer, second_reviewer):
    console = signed_in(agent)
    for person in (reviewer, second_reviewer):
        assert console.post(agent_url(person), FORM).status_code == 403
    assert not frozen(reviewer) and not frozen(second_reviewer)
    assert signed_in(reviewer).get("/console/security/appeals/").status_code == 200


def test_the_refused_attempt_is_logged_with_both_accounts(agent, reviewer, caplog):
    caplog.set_level(logging.WARNING, logger="accounts.freeze.permissions")
    console = signed_in(agent)
    assert console.post(agent_url(reviewer), FORM).status_code == 403
    logged = [r.getMessage() for r in caplog.records if r.name == "accounts.freeze.permissions"]
    assert logged == [
        f"freeze of staff account {reviewer.uid} by {agent.uid} (not an administrator) refused"
    ]


def test_the_service_refuses_whatever_the_entry_point(agent, reviewer):
    # when: a caller other than the page (a task, a future API) asks the service directly
    with pytest.raises(FreezeRefused) as refused:
        account_freeze(
            user=reviewer, source=AccountFreeze.Source.AGENT, actor=agent, reason="because"
        )
    # then
    assert refused.value.status_code == 403 and refused.value.code == "staff_account"
    assert not frozen(reviewer)


def test_the_service_refuses_an_actor_without_a_freezing_role(mei, user_factory):
    stranger = make_person("sam@example.test")
    with pytest.raises(FreezeRefused) as refused:
        account_freeze(user=mei, source=AccountFreeze.Source.AGENT, actor=stranger, reason="x")
    assert refused.value.code == "forbidden"
    assert not frozen(mei)


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_an_admin_freezes_a_staff_account_and_the_trail_says_so(admin, role):
    # given
    colleague = make_staff(f"{role.value}@beacon.test", role)
    console = signed_in(admin)
    page = console.get(agent_url(colleague))
    assert page.status_code == 200 and "This is a staff account" in page.content.decode()
    # when
    response = console.post(agent_url(colleague), FORM)
    # then
    assert response.status_code == 302
    assert frozen(colleague)
    event = SecurityEvent.objects.get(user=colleague, kind="frozen")
    assert event.actor == admin
    assert event.detail["staff_account"] is True
    assert event.detail["reason"] == "Verified on the phone"


def test_a_superuser_counts_as_an_admin(agent):
    root = User.objects.create_superuser("root@beacon.test", "pw-long-enough-1")
    assert signed_in(root).post(agent_url(agent), FORM).status_code == 302
    assert frozen(agent)


def test_agents_still_freeze_customers_and_the_trail_marks_no_staff(agent, mei):
    assert signed_in(agent).post(agent_url(mei), FORM).status_code == 302
    event = SecurityEvent.objects.get(user=mei, kind="frozen")
    assert event.actor == agent and event.detail["staff_account"] is False


def test_staff_may_still_freeze_their_own_account(reviewer):
    # the security page, the "This wasn't me" link and the chat bot freeze the person
    # themselves (no actor): that stays open to staff whose account was taken over
    account_freeze(user=reviewer, source=AccountFreeze.Source.SECURITY_PAGE, reason="")
    assert frozen(reviewer)
