"""The ticket page's assignees and followers come from kept staff (tickets.console.staff):
the same people the policy's filters name, and a change to staff shows on the next page."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import Role, User
from accounts.services import user_role_grant
from tickets import services
from tickets.console import staff
from tickets.models import Team, Ticket, TicketType
from tickets.permissions import TicketPolicy

pytestmark = pytest.mark.django_db


def make_user(email: str, *roles: Role, **extra) -> User:
    user = User.objects.create_user(email, "pw-long-enough-1", **extra)
    for role in roles:
        user_role_grant(user=user, role=role)
    return user


def make_ticket(requester: User, slug: str = "other", team: Team | None = None) -> Ticket:
    ticket = services.ticket_create(
        requester=requester,
        ticket_type=TicketType.objects.get(slug="other"),
        subject="Where is my USDT?",
        body="Help.",
        field_values={},
    )
    Ticket.objects.filter(id=ticket.id).update(team=team, type=TicketType.objects.get(slug=slug))
    return Ticket.objects.select_related("type").get(id=ticket.id)


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def people() -> dict[str, User]:
    team = Team.objects.create(slug="en", name_en="English", name_zh_hans="英文")
    other = Team.objects.create(slug="zh", name_en="Chinese", name_zh_hans="中文")
    found = {
        "root": make_user("root@example.test", is_superuser=True),
        "supervisor": make_user("sup@example.test", Role.SUPERVISOR),
        "admin": make_user("admin@example.test", Role.ADMIN),
        "reviewer": make_user("rev@example.test", Role.SECURITY_REVIEWER),
        "agent": make_user("agent@example.test", Role.AGENT, first_name="Omar"),
        "agent_other": make_user("other@example.test", Role.AGENT),
        "agent_reviewer": make_user("both@example.test", Role.AGENT, Role.SECURITY_REVIEWER),
        "teamless": make_user("teamless@example.test", Role.AGENT),
        "gone": make_user("gone@example.test", Role.AGENT, is_active=False),
        "customer": make_user("customer@example.test", Role.CUSTOMER),
    }
    team.members.add(found["agent"], found["agent_reviewer"], found["gone"], found["customer"])
    other.members.add(found["agent_other"])
    found["team"], found["other_team"] = team, other
    return found


def test_staff_members_agree_with_the_policy_filters(people):
    # given: tickets with and without a team, and a security review, each assigned or not
    customer = people["customer"]
    tickets = []
    for slug in ("other", "kyc-review"):
        for team in (None, people["team"], people["other_team"]):
            for assignee in (None, people["agent_other"], people["agent"], people["reviewer"]):
                ticket = make_ticket(customer, slug=slug, team=team)
                ticket.assignee_id = assignee and assignee.id
                tickets.append(ticket)
    # when: the kept staff are judged in Python, and the users in SQL
    kept = staff.active_staff()
    for ticket in tickets:
        in_sql = set(
            User.objects.filter(TicketPolicy.assignable_filter(ticket), is_active=True).values_list(
                "id", flat=True
            )
        )
        workers = set(
            User.objects.filter(TicketPolicy.workers_filter(ticket), is_active=True).values_list(
                "id", flat=True
            )
        )
        # then: the same people, for every ticket
        assert {m.id for m in kept if TicketPolicy.can_be_assigned_member(m, ticket)} == in_sql
        assert {m.id for m in kept if TicketPolicy.can_work_member(m, ticket)} == workers
    assert people["gone"].id not in {m.id for m in kept}
    assert people["customer"].id not in {m.id for m in kept}


def test_staff_are_read_once_then_kept_until_staff_change(people):
    staff.active_staff()
    with CaptureQueriesContext(connection) as captured:
        kept = staff.active_staff()
    assert len(captured.captured_queries) == 0
    assert people["agent"].id in {m.id for m in kept}
    # when: a role taken away, a team left, a user deactivated or renamed
    people["agent"].groups.remove(Group.objects.get(name=Role.AGENT.value))
    assert people["agent"].id not in {m.id for m in staff.active_staff()}
    people["team"].members.remove(people["agent_reviewer"])
    member = next(m for m in staff.active_staff() if m.id == people["agent_reviewer"].id)
    assert people["team"].id not in member.team_ids
    people["teamless"].is_active = False
    people["teamless"].save()
    assert people["teamless"].id not in {m.id for m in staff.active_staff()}
    people["supervisor"].first_name = "Mei"
    people["supervisor"].save(update_fields=["first_name"])
    shown = next(m for m in staff.active_staff() if m.id == people["supervisor"].id)
    assert shown.user.display_name == "Mei"
    # a sign-in changes nothing shown: the kept staff stay
    people["admin"].save(update_fields=["last_login"])
    with CaptureQueriesContext(connection) as captured:
        staff.active_staff()
    assert len(captured.captured_queries) == 0


def test_ticket_page_lists_assignees_and_only_followers_who_may_still_work_it(people):
    # given: a team ticket followed by its agent, an agent who left the team, and a supervisor
    ticket = make_ticket(people["customer"], team=people["team"])
    ticket.followers.add(people["agent"], people["agent_other"], people["supervisor"])
    page = client_for(people["agent"])
    body = page.get(f"/console/tickets/{ticket.number}/").content.decode()
    followers = body.split('class="followers"')[1].split("</ul>")[0]
    assignees = body.split('id="c-assignee"')[1].split("</select>")[0]
    # then: the team's agent and the bosses may take it; the other team's agent may not
    assert "agent@example.test" in assignees and "sup@example.test" in assignees
    assert "other@example.test" not in assignees and "rev@example.test" not in assignees
    assert "gone@example.test" not in assignees and "customer@example.test" not in assignees
    assert "agent@example.test" in followers and "sup@example.test" in followers
    assert "other@example.test" not in followers
    assert "Unfollow" in body  # the viewing agent follows it
    # when: the agent leaves the team (a change of staff), the next page knows
    people["team"].members.remove(people["agent"])
    Ticket.objects.filter(id=ticket.id).update(assignee=people["agent"])
    body = page.get(f"/console/tickets/{ticket.number}/").content.decode()
    followers = body.split('class="followers"')[1].split("</ul>")[0]
    assignees = body.split('id="c-assignee"')[1].split("</select>")[0]
    # then: assigned to them, they still work it and follow it, but are no longer offered
    assert "agent@example.test" in followers
    assert "agent@example.test" not in assignees
