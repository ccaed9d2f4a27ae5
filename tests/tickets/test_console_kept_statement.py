"""The ticket page's statement is compiled once per kind of viewer and run with each
viewer's id (core.kept_statements): it finds what the selector finds, for everyone."""

from __future__ import annotations

import pytest
from django.http import Http404

from accounts.models import Role, User
from accounts.services import user_role_grant
from core.kept_statements import STAND_IN_ID, KeptStatement
from tickets import selectors, services
from tickets.console import statements
from tickets.models import Team, Ticket, TicketType
from tickets.permissions import Seen, TicketPolicy

pytestmark = pytest.mark.django_db

PANELS = ("recent_rows", "macro_rows", "follower_ids", "freeze_id", "mfa_enabled", "kyc_level")


def make_user(email: str, *roles: Role, **extra) -> User:
    user = User.objects.create_user(email, "pw-long-enough-1", **extra)
    for role in roles:
        user_role_grant(user=user, role=role)
    return user


def make_ticket(requester: User, *, slug: str, team: Team | None, assignee: User | None) -> Ticket:
    ticket = services.ticket_create(
        requester=requester,
        ticket_type=TicketType.objects.get(slug="other"),
        subject="Where is my USDT?",
        body="Help.",
        field_values={},
    )
    Ticket.objects.filter(id=ticket.id).update(
        team=team, assignee=assignee, type=TicketType.objects.get(slug=slug)
    )
    return ticket


@pytest.fixture
def people() -> dict[str, User]:
    team = Team.objects.create(slug="en", name_en="English", name_zh_hans="英文")
    other = Team.objects.create(slug="zh", name_en="Chinese", name_zh_hans="中文")
    found = {
        "root": make_user("root@example.test", is_superuser=True),
        "supervisor": make_user("sup@example.test", Role.SUPERVISOR),
        "reviewer": make_user("rev@example.test", Role.SECURITY_REVIEWER),
        "agent": make_user("agent@example.test", Role.AGENT),
        "agent_other": make_user("other@example.test", Role.AGENT),
        "agent_reviewer": make_user("both@example.test", Role.AGENT, Role.SECURITY_REVIEWER),
        "teamless": make_user("teamless@example.test", Role.AGENT),
        "customer": make_user("customer@example.test", Role.CUSTOMER),
        "customer2": make_user("customer2@example.test", Role.CUSTOMER),
    }
    team.members.add(found["agent"], found["agent_reviewer"])
    other.members.add(found["agent_other"])
    found["team"], found["other_team"] = team, other
    return found


def tickets_of_every_kind(people) -> list[Ticket]:
    tickets = []
    for requester in (people["customer"], people["customer2"]):
        for slug in ("other", "kyc-review"):
            for team in (None, people["team"], people["other_team"]):
                for assignee in (None, people["agent"], people["agent_other"]):
                    tickets.append(make_ticket(requester, slug=slug, team=team, assignee=assignee))
    Ticket.objects.filter(id=tickets[0].id).update(sender_proven=False)
    tickets[1].followers.add(people["agent"], people["supervisor"])
    return tickets


def fresh(user: User, number: str) -> Ticket | None:
    """The ticket as selectors.ticket_get_for_user reads it, compiled now for `user`."""
    columns = statements._side_panel_columns(TicketPolicy.visibility(user))
    try:
        return selectors.ticket_get_for_user(user=user, number=number, columns=columns)
    except Http404:
        return None


def kept(user: User, number: str) -> Ticket | None:
    try:
        return statements.ticket_for_page(user=user, number=number)
    except Http404:
        return None


def test_kept_ticket_statement_finds_what_the_selector_finds_for_everyone(people, settings):
    # given: tickets of every team, type and assignee, from two customers
    tickets = tickets_of_every_kind(people)
    viewers = [people[key] for key in people if key not in ("team", "other_team")]
    found = dict.fromkeys(viewers, 0)
    for ticket in tickets:
        for viewer in viewers:
            # when: the kept statement and a freshly compiled one read it
            got, want = kept(viewer, ticket.number), fresh(viewer, ticket.number)
            # then: both find it or neither, with the same side panels
            assert (got is None) == (want is None), (viewer.email, ticket.number)
            if got is not None:
                found[viewer] += 1
                assert got.id == want.id
                assert {k: getattr(got, k) for k in PANELS} == {k: getattr(want, k) for k in PANELS}
    # (and what each may see differs: the comparison is not of empty hands)
    assert found[people["root"]] == len(tickets)
    assert 0 < found[people["agent"]] < found[people["agent_reviewer"]] < len(tickets)
    assert 0 < found[people["customer"]] < len(tickets) // 2


def test_kept_conversation_shows_internal_notes_to_whom_the_selector_does(people):
    # given: team, teamless and review tickets, each with a reply and an internal note
    tickets = [
        make_ticket(people["customer"], slug=slug, team=team, assignee=None)
        for slug, team in (("other", people["team"]), ("other", None), ("kyc-review", None))
    ]
    for ticket in tickets:
        services.ticket_reply(actor=people["root"], ticket=ticket, body="On it.")
        services.ticket_reply(actor=people["root"], ticket=ticket, body="Odd.", internal=True)
    viewers = [people[key] for key in people if key not in ("team", "other_team")]
    notes_seen = 0
    for ticket in tickets:
        for viewer in viewers:
            if kept(viewer, ticket.number) is None:
                continue
            # when: the kept statement and the selector read the conversation
            got = statements.conversation_for_page(user=viewer, ticket=ticket)
            want = selectors.ticket_messages_for_user(user=viewer, ticket=ticket)
            # then: the same messages, in the same order
            assert [m.id for m in got] == [m.id for m in want], (viewer.email, ticket.number)
            notes_seen += any(m.visibility == "internal" for m in got)
    assert 0 < notes_seen


def test_kept_ticket_statement_gives_a_locked_out_agent_only_their_own_requests(people, settings):
    # given: the staff 2FA rule, and an agent without 2FA who also filed a request
    settings.BEACON_STAFF_MFA_REQUIRED = True
    agent = people["agent"]
    own = make_ticket(agent, slug="other", team=people["team"], assignee=None)
    team_ticket = make_ticket(people["customer"], slug="other", team=people["team"], assignee=None)
    assert TicketPolicy.visibility(agent).seen is Seen.OWN
    # then: their own request only, as the selector says
    assert kept(agent, own.number).id == fresh(agent, own.number).id
    assert kept(agent, team_ticket.number) is None
    assert fresh(agent, team_ticket.number) is None


def test_kept_statement_is_built_once_per_shape(people):
    # given: a statement that counts its builds
    built = []

    def build(shape, *, user_id):
        built.append(shape)
        return Ticket.objects.filter(requester=user_id).values("id")

    statement = KeptStatement(build, user_id=STAND_IN_ID)
    mine = make_ticket(people["customer"], slug="other", team=None, assignee=None)
    theirs = make_ticket(people["customer2"], slug="other", team=None, assignee=None)
    # when: two people run it
    first = statement.run("own", user_id=people["customer"].id)
    second = statement.run("own", user_id=people["customer2"].id)
    # then: each gets their own rows from the one kept statement
    assert first == [{"id": mine.id}]
    assert second == [{"id": theirs.id}]
    assert built == ["own", "own"]  # made, and checked with other stand-ins


def test_kept_statement_refuses_a_value_written_into_its_text():
    statement = KeptStatement(
        lambda shape, *, user_id: Ticket.objects.extra(where=[f"requester_id <> {user_id}"]),
        user_id=STAND_IN_ID,
    )
    with pytest.raises(ValueError, match="decide more than parameters"):
        statement.run("any", user_id=1)


def test_kept_statement_refuses_a_parameter_worked_out_from_a_value():
    # given: a build that sends a value it worked out, not the value itself
    statement = KeptStatement(
        lambda shape, *, user_id: Ticket.objects.filter(requester=user_id + 1),
        user_id=STAND_IN_ID,
    )
    # then: refused when first asked for, not run with the stand-in's neighbour
    with pytest.raises(ValueError, match="decide more than parameters"):
        statement.run("any", user_id=1)
