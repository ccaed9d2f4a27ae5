from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from accounts.models import Role, User
from accounts.services import user_role_grant
from core.exceptions import ApplicationError
from tickets import services
from tickets.models import Ticket, TicketType

pytestmark = pytest.mark.django_db


def person(email: str, role: Role | None = None) -> User:
    user = User.objects.create_user(email, "pw-long-enough-1")
    if role:
        user_role_grant(user=user, role=role)
    return user


@pytest.fixture
def complaint():
    customer = person("c@example.test")
    original = services.ticket_create(
        requester=customer,
        ticket_type=TicketType.objects.get(slug="other"),
        subject="Original problem",
        body="Help",
        field_values={},
    )
    return services.ticket_complain(actor=customer, ticket=original, body="Nobody answered.")


def test_complaint_resolve_records_outcome_replies_and_solves(complaint):
    # given
    supervisor = person("s@example.test", Role.SUPERVISOR)
    # when
    resolved = services.complaint_resolve(
        actor=supervisor, complaint=complaint, outcome="partly_upheld", reply="We are sorry."
    )
    # then
    assert resolved.complaint_outcome == Ticket.ComplaintOutcome.PARTLY_UPHELD
    assert resolved.status == Ticket.Status.SOLVED
    assert resolved.messages.filter(body="We are sorry.", visibility="public").exists()


def test_complaint_resolve_is_for_supervisors_and_complaints_only(complaint):
    agent, supervisor = (
        person("a@example.test", Role.AGENT),
        person("s@example.test", Role.SUPERVISOR),
    )
    with pytest.raises(PermissionDenied):
        services.complaint_resolve(actor=agent, complaint=complaint, outcome="upheld", reply="x")
    with pytest.raises(ApplicationError):
        services.complaint_resolve(
            actor=supervisor, complaint=complaint.original, outcome="upheld", reply="x"
        )
    with pytest.raises(ApplicationError):
        services.complaint_resolve(
            actor=supervisor, complaint=complaint, outcome="maybe", reply="x"
        )
    complaint.refresh_from_db()
    assert complaint.complaint_outcome == "" and complaint.messages.count() == 1


def test_console_complaint_page_shows_the_original_beside_it(client, complaint):
    supervisor = person("s@example.test", Role.SUPERVISOR)
    client.force_login(supervisor)
    page = client.get(f"/console/tickets/{complaint.number}/").content.decode()
    assert "Original problem" in page and complaint.original.number in page
    response = client.post(
        f"/console/tickets/{complaint.number}/outcome",
        {"outcome": "upheld", "body": "You were right."},
    )
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.complaint_outcome == "upheld"


def test_the_supervisors_answer_to_a_complaint_is_emailed_to_the_customer(
    complaint, deliver_outbox, django_capture_on_commit_callbacks, mailoutbox
):
    # given: the customer's address is verified (every customer email needs one)
    from allauth.account.models import EmailAddress

    customer = complaint.requester
    EmailAddress.objects.update_or_create(
        user=customer, email=customer.email, defaults={"verified": True, "primary": True}
    )
    supervisor = person("s@example.test", Role.SUPERVISOR)
    deliver_outbox()
    mailoutbox.clear()
    # when: the supervisor answers it, as the console says, "emailed to the customer"
    with django_capture_on_commit_callbacks(execute=True):
        services.complaint_resolve(
            actor=supervisor, complaint=complaint, outcome="upheld", reply="We are sorry, Mei."
        )
    deliver_outbox()
    # then: the customer has it by email
    to_customer = [m for m in mailoutbox if m.to == [customer.email]]
    assert any("We are sorry, Mei." in m.body for m in to_customer), [
        (m.subject, m.to) for m in mailoutbox
    ]
