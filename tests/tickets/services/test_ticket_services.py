from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import Role, User
from accounts.services import user_role_grant
from core.exceptions import ApplicationError
from tickets import services
from tickets.models import Ticket, TicketAttachment, TicketEvent, TicketMessage, TicketType

pytestmark = pytest.mark.django_db
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)
TXID = "0x" + "ab" * 32


def make_user(email: str, role: Role | None = None) -> User:
    user = User.objects.create_user(email, "pw-long-enough-1")
    if role:
        user_role_grant(user=user, role=role)
    return user


@pytest.fixture
def requester():
    return make_user("req@example.test")


@pytest.fixture
def agent():
    return make_user("agent@example.test", Role.AGENT)


def withdrawal(requester, **overrides) -> Ticket:
    values = {
        "uid": str(requester.uid),
        "coin": "usdt",
        "network": "ERC20",
        "amount": "25.50",
        "address": "0x" + "1" * 40,
        "txid": TXID,
    }
    values.update(overrides.pop("field_values", {}))
    return services.ticket_create(
        requester=requester,
        ticket_type=TicketType.objects.get(slug="withdrawal-problem"),
        subject="Withdrawal missing",
        body="Sent yesterday, nothing arrived.",
        field_values=values,
        **overrides,
    )


def test_ticket_create_numbers_tickets_per_day_and_records_the_event(requester):
    # when
    first, second = withdrawal(requester), withdrawal(requester)
    # then
    today = timezone.now().strftime("%y%m%d")
    assert (first.number, second.number) == (f"{today}-000001", f"{today}-000002")
    assert first.fields["coin"] == "USDT" and first.fields["amount"] == "25.5"
    assert first.txid == TXID
    assert list(first.events.values_list("kind", flat=True)) == [TicketEvent.Kind.CREATED]


@pytest.mark.parametrize(
    "values, field",
    [
        ({"txid": "0x1234"}, "txid"),
        ({"amount": "-3"}, "amount"),
        ({"amount": "NaN"}, "amount"),
        ({"network": "MOON"}, "network"),
        ({"address": ""}, "address"),
        ({"uid": "12ab"}, "uid"),
    ],
)
def test_ticket_create_rejects_bad_fields_and_writes_nothing(requester, values, field):
    with pytest.raises(ApplicationError) as error:
        withdrawal(requester, field_values=values)
    assert error.value.extra["field"] == field
    assert not Ticket.objects.exists() and not TicketMessage.objects.exists()


def test_ticket_create_checks_attachments_by_their_bytes(requester):
    # given
    fake = SimpleUploadedFile("photo.png", b"\x7fELF\x02\x01\x01" + b"\x00" * 100)
    real = SimpleUploadedFile("shot.exe", PNG)
    # when / then
    with pytest.raises(ApplicationError, match="not an image"):
        withdrawal(requester, files=[fake])
    assert not Ticket.objects.exists() and not TicketAttachment.objects.exists()
    ticket = withdrawal(requester, files=[real])
    attachment = TicketAttachment.objects.get(message__ticket=ticket)
    assert (attachment.content_type, attachment.original_name) == ("image/png", "shot.png")


def test_ticket_create_refuses_too_many_files(requester):
    files = [SimpleUploadedFile(f"{i}.png", PNG) for i in range(6)]
    with pytest.raises(ApplicationError, match="at most 5"):
        withdrawal(requester, files=files)
    assert not Ticket.objects.exists()


def test_ticket_reply_internal_note_is_staff_only_and_keeps_status(requester, agent):
    # given
    ticket = withdrawal(requester)
    # when
    services.ticket_reply(actor=agent, ticket=ticket, body="Checked the hot wallet.", internal=True)
    # then
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.NEW
    with pytest.raises(PermissionDenied):
        services.ticket_reply(actor=requester, ticket=ticket, body="x", internal=True)


def test_ticket_reply_moves_status_between_agent_and_customer(requester, agent):
    ticket = withdrawal(requester)
    services.ticket_reply(actor=agent, ticket=ticket, body="Please send the TXID screenshot.")
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.PENDING
    services.ticket_reply(actor=requester, ticket=ticket, body="Attached.")
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.OPEN


def test_ticket_reply_refuses_strangers(requester):
    stranger = make_user("x@example.test")
    with pytest.raises(PermissionDenied):
        services.ticket_reply(actor=stranger, ticket=withdrawal(requester), body="hi")


@pytest.mark.parametrize(
    "start, target, by_staff, ok",
    [
        ("new", "closed", True, False),
        ("new", "solved", True, True),
        ("solved", "closed", True, True),
        ("closed", "open", True, False),
        ("open", "pending", False, False),
        ("open", "solved", False, True),
        ("solved", "open", False, True),
    ],
)
def test_ticket_change_status_follows_the_workflow(requester, agent, start, target, by_staff, ok):
    # given
    ticket = withdrawal(requester)
    Ticket.objects.filter(id=ticket.id).update(status=start, solved_at=timezone.now())
    actor = agent if by_staff else requester
    # when / then
    if ok:
        assert (
            services.ticket_change_status(actor=actor, ticket=ticket, status=target).status
            == target
        )
    else:
        with pytest.raises(ApplicationError):
            services.ticket_change_status(actor=actor, ticket=ticket, status=target)
        ticket.refresh_from_db()
        assert ticket.status == start


def test_customer_cannot_reopen_after_the_reopen_window(requester):
    ticket = withdrawal(requester)
    Ticket.objects.filter(id=ticket.id).update(
        status="solved", solved_at=timezone.now() - dt.timedelta(days=30)
    )
    with pytest.raises(ApplicationError, match="too long ago"):
        services.ticket_change_status(actor=requester, ticket=ticket, status="open")


def test_ticket_assign_takes_it_and_records_who(requester, agent):
    ticket = services.ticket_assign(actor=agent, ticket=withdrawal(requester), assignee=agent)
    assert (ticket.assignee, ticket.status) == (agent, Ticket.Status.OPEN)
    event = ticket.events.get(kind=TicketEvent.Kind.ASSIGNED)
    assert (event.actor, event.to_value) == (agent, agent.email)
    with pytest.raises(ApplicationError):
        services.ticket_assign(actor=agent, ticket=ticket, assignee=requester)


def test_ticket_rate_only_when_solved_and_only_by_requester(requester, agent):
    ticket = withdrawal(requester)
    with pytest.raises(ApplicationError, match="once it is solved"):
        services.ticket_rate(actor=requester, ticket=ticket, rating=5)
    services.ticket_change_status(actor=agent, ticket=ticket, status="solved")
    with pytest.raises(PermissionDenied):
        services.ticket_rate(actor=agent, ticket=ticket, rating=1)
    with pytest.raises(ApplicationError):
        services.ticket_rate(actor=requester, ticket=ticket, rating=6)
    assert services.ticket_rate(actor=requester, ticket=ticket, rating=4, comment="ok").rating == 4


def test_ticket_complain_opens_a_linked_high_priority_complaint(requester):
    ticket = withdrawal(requester)
    complaint = services.ticket_complain(actor=requester, ticket=ticket, body="Nobody answered.")
    assert complaint.original == ticket
    assert complaint.type.kind == TicketType.Kind.COMPLAINT
    assert complaint.priority == Ticket.Priority.HIGH
    assert ticket.events.filter(kind=TicketEvent.Kind.COMPLAINED).exists()


def test_ticket_create_sends_a_confirmation_email_in_the_customers_language(
    requester, mailoutbox, deliver_outbox
):
    # given
    requester.language = "zh-hans"
    requester.save()
    # when
    ticket = withdrawal(requester, language="zh-hans")
    deliver_outbox()
    # then
    assert len(mailoutbox) == 1
    assert mailoutbox[0].subject == f"[Beacon] 我们已收到您的工单 {ticket.number}"
    assert mailoutbox[0].to == [requester.email]
    assert "Beacon" in mailoutbox[0].body


def test_customer_reply_cannot_reopen_after_the_window(requester):
    ticket = withdrawal(requester)
    Ticket.objects.filter(id=ticket.id).update(
        status="solved", solved_at=timezone.now() - dt.timedelta(days=30)
    )
    with pytest.raises(ApplicationError, match="open a new one"):
        services.ticket_reply(actor=requester, ticket=ticket, body="Still broken")
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.SOLVED


def test_ticket_complain_refuses_a_second_complaint_and_complaints_about_complaints(requester):
    ticket = withdrawal(requester)
    complaint = services.ticket_complain(actor=requester, ticket=ticket, body="Slow.")
    with pytest.raises(ApplicationError, match=complaint.number):
        services.ticket_complain(actor=requester, ticket=ticket, body="Again.")
    with pytest.raises(ApplicationError):
        services.ticket_complain(actor=requester, ticket=complaint, body="Meta.")
    assert Ticket.objects.count() == 2


def test_txid_case_does_not_hide_a_duplicate(requester):
    from tickets.selectors import open_duplicate

    ticket = withdrawal(requester, field_values={"txid": "0x" + "AB" * 32})
    assert ticket.txid == "0x" + "ab" * 32
    assert open_duplicate(user=requester, ticket_type=ticket.type, txid=ticket.txid, order_id="")
