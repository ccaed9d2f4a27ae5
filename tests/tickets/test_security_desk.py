"""accounts' security signals become tickets: a freeze opens an urgent ticket, a review
request opens a review ticket with its SLA that only staff see, a decision solves it.
(The way there, through accounts' effect outbox, is tested in tests/accounts/effects.)"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts import signals
from accounts.effects import send_durably
from accounts.models import AccountFreeze, IdentityDocument, KycSubmission, User
from tickets.models import SlaPolicy, Ticket, TicketMessage, TicketType

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(user_factory) -> User:
    return user_factory(email="frozen@example.test", language="zh-hans")


@pytest.fixture
def submission(customer) -> KycSubmission:
    return KycSubmission.objects.create(
        user=customer,
        level=1,
        legal_name="Li Lei",
        birth_date=dt.date(1990, 1, 2),
        nationality="CN",
    )


def send(signal, complete_effects, **kwargs) -> None:
    """What accounts' services do (record the signal with their change), then what the
    effect's task does (send it)."""
    send_durably(signal, **kwargs)
    assert complete_effects() == 1


def test_freeze_opens_one_urgent_security_ticket_with_a_note_for_staff(customer, complete_effects):
    # given
    freeze = AccountFreeze.objects.create(
        user=customer, source=AccountFreeze.Source.ALERT_LINK, reason="Not my login from Lagos"
    )
    # when: announced twice (a retried signal)
    for _ in range(2):
        send(signals.account_frozen, complete_effects, user=customer, freeze=freeze)
    # then
    (ticket,) = Ticket.objects.filter(requester=customer)
    assert ticket.type.slug == "account-security"
    assert ticket.priority == Ticket.Priority.URGENT
    assert str(customer.uid) in ticket.subject
    public, note = ticket.messages.order_by("id")
    assert public.visibility == TicketMessage.Visibility.PUBLIC and "冻结" in public.body
    assert note.visibility == TicketMessage.Visibility.INTERNAL
    assert "Not my login from Lagos" in note.body and "link" in note.body


def test_review_ticket_has_its_sla_and_is_solved_by_the_decision_without_mailing_the_customer(
    customer, submission, complete_effects
):
    # given: ops set a KYC review target of three office days
    review_type = TicketType.objects.get(slug="kyc-review")
    SlaPolicy.objects.create(
        name="KYC review",
        ticket_type=review_type,
        first_response_minutes=540,
        resolution_minutes=1620,
    )
    # when
    send(
        signals.security_review_requested,
        complete_effects,
        kind="kyc",
        subject=submission,
        user=customer,
        url="https://support.example.test/console/security/kyc/1/",
    )
    # then
    ticket = Ticket.objects.get(type=review_type)
    assert ticket.sla_due_at is not None and ticket.sla_due_at > timezone.now()
    assert "/console/security/kyc/1/" in ticket.messages.get().body
    # when: the reviewers decide
    mail.outbox.clear()
    send(
        signals.security_review_decided,
        complete_effects,
        kind="kyc",
        subject=submission,
        user=customer,
        outcome="rejected",
        reason="blurred",
    )
    # then
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.SOLVED
    assert "Reason: blurred" in ticket.messages.order_by("id").last().body
    assert mail.outbox == []
    assert not customer.notifications.exists()


def test_customers_neither_see_nor_file_review_tickets(
    client, customer, submission, complete_effects
):
    # given
    send(
        signals.security_review_requested,
        complete_effects,
        kind="kyc",
        subject=submission,
        user=customer,
    )
    ticket = Ticket.objects.get(type__slug="kyc-review")
    client.force_login(customer)
    # then: not in My requests, not by its number, not offered on the form or the API
    assert ticket.number not in client.get(reverse("tickets:list")).content.decode()
    assert client.get(reverse("tickets:detail", args=[ticket.number])).status_code == 404
    assert "kyc-review" not in client.get(reverse("tickets:new")).content.decode()
    response = client.post(
        "/api/v1/tickets/create",
        {"type": "kyc-review", "subject": "let me in", "body": "x"},
        content_type="application/json",
    )
    assert response.status_code in (400, 404)
    assert Ticket.objects.filter(requester=customer).count() == 1


def test_every_review_kind_has_its_ticket_type(customer, complete_effects):
    selfie = IdentityDocument.objects.create(
        user=customer,
        kind="selfie",
        content_type="image/png",
        size=1,
        sha256="0" * 64,
        storage_name="x" * 40,
    )
    freeze = AccountFreeze.objects.create(user=customer, source="security_page", reason="")
    appeal = customer.unfreeze_appeals.create(
        freeze=freeze,
        legal_name="Li Lei",
        birth_date=dt.date(1990, 1, 2),
        description="me",
        selfie=selfie,
    )
    reset = customer.mfa_reset_requests.create(
        legal_name="Li Lei",
        birth_date=dt.date(1990, 1, 2),
        description="lost phone",
        selfie=selfie,
        cooldown_ends_at=timezone.now() + dt.timedelta(hours=48),
    )
    for kind, subject in (("appeal", appeal), ("mfa_reset", reset)):
        send(
            signals.security_review_requested,
            complete_effects,
            kind=kind,
            subject=subject,
            user=customer,
        )
    slugs = set(Ticket.objects.values_list("type__slug", flat=True))
    assert slugs == {"unfreeze-appeal", "2fa-reset"}
    appeal_ticket = Ticket.objects.get(type__slug="unfreeze-appeal")
    assert appeal_ticket.priority == Ticket.Priority.HIGH


def test_console_requester_panel_shows_a_frozen_account(client, customer, supervisor):
    # given: a ticket from a customer whose account is now frozen
    freeze = AccountFreeze.objects.create(
        user=customer, source=AccountFreeze.Source.SECURITY_PAGE, reason="phone stolen"
    )
    ticket = Ticket.objects.create(
        number="261202-000001",
        requester=customer,
        type=TicketType.objects.get(slug="other"),
        subject="Help",
    )
    client.force_login(supervisor)
    # when
    page = client.get(reverse("tickets:console-ticket", args=[ticket.number])).content.decode()
    # then
    assert "Frozen" in page and freeze.get_source_display() in page
    # and when the freeze is lifted, the panel says so
    freeze.lifted_at = timezone.now()
    freeze.save()
    page = client.get(reverse("tickets:console-ticket", args=[ticket.number])).content.decode()
    assert "Frozen" not in page
