"""Who sees the security desk's review tickets (KYC, unfreeze appeal, 2FA reset).

The attack: any agent could read the staff-only review tickets (a customer's KYC
review, their unfreeze appeal) in the console, while the security reviewers who do that
work could not open the console at all. The rule now, for pages, search and API alike:

| role | review tickets | other tickets |
|---|---|---|
| agent | no | their teams', unteamed, assigned to them |
| security reviewer | all, and works them | no |
| supervisor, admin | all | all |
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import Role, User
from accounts.services import user_role_grant
from core.exceptions import ApplicationError
from tickets import console, selectors, services
from tickets.models import Team, Ticket, TicketMessage, TicketType
from tickets.services.security import security_ticket_open

pytestmark = pytest.mark.django_db
PASSWORD = "pw-long-enough-1"
NOTE = "Review-note-Qx71: passport photo looks edited."


def make_user(email: str, *roles: Role) -> User:
    user = User.objects.create_user(email, PASSWORD)
    for role in roles:
        user_role_grant(user=user, role=role)
    return User.objects.get(id=user.id)


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def kyc_team() -> Team:
    team = Team.objects.create(slug="kyc-desk", name_en="KYC desk", name_zh_hans="认证组")
    TicketType.objects.filter(kind=TicketType.Kind.REVIEW).update(team=team)
    return team


@pytest.fixture
def customer() -> User:
    return make_user("lin@example.test")


@pytest.fixture
def agent(kyc_team) -> User:
    """An agent even in the review types' team: the role decides, not the team."""
    user = make_user("alex@beacon.test", Role.AGENT)
    kyc_team.members.add(user)
    return user


@pytest.fixture
def reviewer() -> User:
    return make_user("rui@beacon.test", Role.SECURITY_REVIEWER)


@pytest.fixture
def review(customer, kyc_team) -> Ticket:
    return security_ticket_open(
        requester=customer,
        type_slug="kyc-review",
        reference="kyc:1",
        subject=f"KYC review (UID {customer.uid})",
        note=NOTE,
    )


@pytest.fixture
def request_ticket(customer) -> Ticket:
    return services.ticket_create(
        requester=customer,
        ticket_type=TicketType.objects.get(slug="other"),
        subject="Where is my deposit",
        body="Help.",
        field_values={},
    )


def queue_html(user: User, **params: str) -> str:
    response = signed_in(user).get(reverse("tickets:console"), {"queue": "all", **params})
    assert response.status_code == 200
    return response.content.decode()


def listed(ticket: Ticket, page: str) -> bool:
    """The queue links to the ticket (its number alone may be the search box's echo)."""
    return reverse("tickets:console-ticket", args=[ticket.number]) in page


def ticket_page(user: User, ticket: Ticket):
    return signed_in(user).get(reverse("tickets:console-ticket", args=[ticket.number]))


def api(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


# ---------------------------------------------------------------------------- agents


def test_an_agent_does_not_find_review_tickets_in_queues_or_search(agent, customer, review):
    assert not listed(review, queue_html(agent))
    assert not listed(review, queue_html(agent, q=review.number))
    assert not listed(review, queue_html(agent, q=str(customer.uid)))
    counts = console.queue_counts(user=agent)
    assert counts["open"] == 0 and counts.get("type:kyc-review", 0) == 0


def test_an_agent_gets_404_on_a_review_ticket_page_and_api(agent, review):
    assert ticket_page(agent, review).status_code == 404
    assert api(agent).get(f"/api/v1/tickets/{review.number}").status_code == 404
    rows = api(agent).get("/api/v1/tickets/").json()["results"]
    assert review.number not in [row["number"] for row in rows]


def test_an_agent_cannot_write_on_a_review_ticket(agent, review):
    response = signed_in(agent).post(
        reverse("tickets:console-reply", args=[review.number]), {"body": "peek"}
    )
    assert response.status_code == 404
    with pytest.raises(PermissionDenied):
        services.ticket_reply(actor=agent, ticket=review, body="peek", internal=True)
    assert not review.messages.filter(body="peek").exists()


def test_an_agent_is_not_offered_review_queues(agent, reviewer, review):
    assert "type%3Akyc-review" not in queue_html(agent)
    assert "type%3Akyc-review" in queue_html(reviewer)


def test_an_agent_who_followed_a_review_ticket_hears_no_more_of_it(agent, reviewer, review):
    review.followers.add(agent, reviewer)
    assert list(console.ticket_followers(review)) == [reviewer]


def test_an_agent_cannot_be_assigned_a_review_ticket(agent, reviewer, review):
    with pytest.raises(ApplicationError):
        services.ticket_assign(actor=reviewer, ticket=review, assignee=agent)
    services.ticket_assign(actor=reviewer, ticket=review, assignee=reviewer)
    review.refresh_from_db()
    assert review.assignee == reviewer


# ---------------------------------------------------------------------------- reviewers


def test_a_reviewer_works_review_tickets_in_the_console(reviewer, review):
    assert listed(review, queue_html(reviewer))
    assert listed(review, queue_html(reviewer, q=review.number))
    page = ticket_page(reviewer, review)
    assert page.status_code == 200 and NOTE in page.content.decode()
    response = signed_in(reviewer).post(
        reverse("tickets:console-reply", args=[review.number]),
        {"body": "Asked for a new photo.", "visibility": "internal"},
    )
    assert response.status_code == 302
    note = review.messages.get(body="Asked for a new photo.")
    assert note.visibility == TicketMessage.Visibility.INTERNAL and note.author == reviewer


def test_a_reviewer_sees_review_tickets_through_the_api(reviewer, review):
    response = api(reviewer).get(f"/api/v1/tickets/{review.number}")
    assert response.status_code == 200
    assert NOTE in [message["body"] for message in response.json()["messages"]]


def test_a_reviewer_does_not_see_customer_requests(reviewer, request_ticket):
    assert not listed(request_ticket, queue_html(reviewer))
    assert ticket_page(reviewer, request_ticket).status_code == 404


def test_a_reviewer_who_is_also_an_agent_sees_both(kyc_team, review, request_ticket):
    both = make_user("both@beacon.test", Role.AGENT, Role.SECURITY_REVIEWER)
    page = queue_html(both)
    assert listed(review, page) and listed(request_ticket, page)


# ---------------------------------------------------------------------------- supervisors, admins


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.ADMIN])
def test_supervisors_and_admins_see_every_ticket(role, review, request_ticket):
    boss = make_user(f"{role.value}@beacon.test", role)
    page = queue_html(boss)
    assert listed(review, page) and listed(request_ticket, page)
    assert ticket_page(boss, review).status_code == 200


def test_customers_still_see_neither_the_console_nor_their_review_ticket(customer, review):
    assert ticket_page(customer, review).status_code == 403
    assert not selectors.ticket_list_for_user(user=customer).filter(id=review.id).exists()
