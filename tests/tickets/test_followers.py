"""Agents follow tickets: the service's rules, the selector of whom to tell, the console page."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from accounts.models import Role, User
from accounts.selectors import user_role_names_forget
from accounts.services import user_role_grant
from tickets import services
from tickets.console import ticket_followers
from tickets.models import Team, Ticket, TicketEvent, TicketType

pytestmark = pytest.mark.django_db


def make_user(email: str, role: Role | None = None, **extra) -> User:
    user = User.objects.create_user(email, "pw-long-enough-1", **extra)
    if role:
        user_role_grant(user=user, role=role)
    return user


def make_ticket(requester: User, subject: str = "Where is my USDT?") -> Ticket:
    return services.ticket_create(
        requester=requester,
        ticket_type=TicketType.objects.get(slug="other"),
        subject=subject,
        body="Help.",
        field_values={},
    )


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(name: str, ticket: Ticket) -> str:
    return reverse(f"tickets:{name}", args=[ticket.number])


def follow_events(ticket: Ticket) -> list[tuple[str, str, str]]:
    kinds = [TicketEvent.Kind.FOLLOWED, TicketEvent.Kind.UNFOLLOWED]
    return list(ticket.events.filter(kind__in=kinds).values_list("kind", "from_value", "to_value"))


@pytest.fixture
def customer() -> User:
    return make_user("customer@example.test")


@pytest.fixture
def agent() -> User:
    return make_user("omar@example.test", Role.AGENT, first_name="Omar")


@pytest.fixture
def ticket(customer) -> Ticket:
    return make_ticket(customer)


@pytest.fixture
def team_ticket(customer) -> tuple[Team, Ticket]:
    """A ticket of the Security team, whose type sends it there."""
    team = Team.objects.create(slug="security", name_en="Security", name_zh_hans="安全")
    ticket_type = TicketType.objects.get(slug="other")
    ticket_type.team = team
    ticket_type.save()
    return team, make_ticket(customer, "Account takeover")


# ---------------------------------------------------------------------------- service


def test_ticket_follow_twice_stores_one_follower_and_one_event(agent, ticket):
    # when
    services.ticket_follow(actor=agent, ticket=ticket)
    services.ticket_follow(actor=agent, ticket=ticket)
    # then
    assert list(ticket.followers.all()) == [agent]
    assert follow_events(ticket) == [(TicketEvent.Kind.FOLLOWED, "", agent.email)]


def test_ticket_unfollow_removes_the_follower_once_and_is_quiet_when_not_following(agent, ticket):
    # given
    services.ticket_follow(actor=agent, ticket=ticket)
    # when
    services.ticket_unfollow(actor=agent, ticket=ticket)
    services.ticket_unfollow(actor=agent, ticket=ticket)
    # then
    assert not ticket.followers.exists()
    assert follow_events(ticket) == [
        (TicketEvent.Kind.FOLLOWED, "", agent.email),
        (TicketEvent.Kind.UNFOLLOWED, agent.email, ""),
    ]


def test_ticket_follow_refuses_the_customer_and_an_agent_of_another_team(customer, team_ticket):
    # given
    _team, ticket = team_ticket
    outsider = make_user("outsider@example.test", Role.AGENT)
    # when / then
    for who in (customer, outsider):
        with pytest.raises(PermissionDenied):
            services.ticket_follow(actor=who, ticket=ticket)
    assert not ticket.followers.exists() and follow_events(ticket) == []


def test_ticket_followers_leaves_out_those_who_may_no_longer_see_the_ticket(team_ticket):
    # given: a team member, a supervisor and the assignee follow; then the member leaves
    # the team, and an agent of the team loses the agent role
    team, ticket = team_ticket
    member, demoted = (
        make_user("m@example.test", Role.AGENT),
        make_user("d@example.test", Role.AGENT),
    )
    boss = make_user("boss@example.test", Role.SUPERVISOR)
    team.members.add(member, demoted)
    for who in (member, demoted, boss):
        services.ticket_follow(actor=who, ticket=ticket)
    # when
    team.members.remove(member)
    demoted.groups.clear()
    user_role_names_forget(user=demoted)
    # then
    assert list(ticket_followers(ticket)) == [boss]
    assert ticket.followers.count() == 3  # stored still: rejoining the team brings them back


# ---------------------------------------------------------------------------- console page


def test_console_follow_button_lists_me_and_unfollow_takes_me_off(agent, ticket):
    # given
    client = client_for(agent)
    # when
    followed = client.post(url("console-follow", ticket))
    page = client.get(url("console-ticket", ticket)).content.decode()
    # then
    assert followed.status_code == 302
    assert "You are following this ticket." in page
    assert "Omar" in page and "Unfollow</button>" in page
    assert f"Follower added: — → {agent.email}" in page

    # when
    unfollowed = client.post(url("console-unfollow", ticket))
    page = client.get(url("console-ticket", ticket)).content.decode()
    # then
    assert unfollowed.status_code == 302
    assert "You no longer follow this ticket." in page
    assert "Nobody follows this ticket." in page and "Follow</button>" in page
    assert f"Follower removed: {agent.email} → —" in page


def test_console_follow_of_another_teams_ticket_is_404(team_ticket):
    # given
    _team, ticket = team_ticket
    outsider = make_user("outsider@example.test", Role.AGENT)
    # when
    response = client_for(outsider).post(url("console-follow", ticket))
    # then
    assert response.status_code == 404
    assert not ticket.followers.exists()


@pytest.mark.parametrize("name", ["console-follow", "console-unfollow"])
def test_console_follow_refuses_a_customer_and_a_get(customer, agent, ticket, name):
    # when
    as_customer = client_for(customer).post(url(name, ticket))
    as_get = client_for(agent).get(url(name, ticket))
    # then
    assert (as_customer.status_code, as_get.status_code) == (403, 405)
    assert not ticket.followers.exists() and follow_events(ticket) == []
