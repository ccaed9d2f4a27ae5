"""Every read of tickets; customers' querysets are filtered here, by TicketPolicy."""

from __future__ import annotations

from collections.abc import Mapping

from allauth.mfa.models import Authenticator
from django.db.models import Exists, Expression, Max, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Lower
from django.http import Http404

from accounts.models import AccountFreeze, KycSubmission, ReviewStatus
from accounts.selectors import AccountSecurity
from notifications.models import BouncingAddress
from tickets.fields import normalize_txid
from tickets.models import Ticket, TicketAttachment, TicketMessage, TicketType
from tickets.permissions import TicketPolicy, Visibility


def ticket_types_active() -> QuerySet[TicketType]:
    return TicketType.objects.filter(is_active=True)


def ticket_types_for_customers() -> QuerySet[TicketType]:
    """What the request form offers: security reviews are opened by the desk itself."""
    return ticket_types_active().exclude(kind=TicketType.Kind.REVIEW)


def ticket_types_for_staff(*, user) -> QuerySet[TicketType]:
    """The types whose queues the console offers `user`: reviews only to who sees them."""
    return ticket_types_staff_sees(with_reviews=TicketPolicy.sees_reviews(user))


def ticket_types_staff_sees(*, with_reviews: bool) -> QuerySet[TicketType]:
    """ticket_types_for_staff for someone who sees reviews (TicketPolicy.sees_reviews) or not."""
    types = ticket_types_active()
    return types if with_reviews else types.exclude(kind=TicketType.Kind.REVIEW)


def ticket_list_for_user(*, user) -> QuerySet[Ticket]:
    """Tickets `user` may see, newest first, with what list pages show."""
    return ticket_list_visible(visibility=TicketPolicy.visibility(user))


def ticket_list_visible(*, visibility: Visibility) -> QuerySet[Ticket]:
    """ticket_list_for_user for the person TicketPolicy.visibility gave `visibility` (a
    statement kept compiled is built so, core.kept_statements)."""
    return Ticket.objects.filter(visibility.filter()).select_related(
        "type", "assignee", "requester", "team"
    )


def ticket_get_for_user(
    *,
    user,
    ticket_id: int | None = None,
    number: str | None = None,
    columns: Mapping[str, Expression] | None = None,
) -> Ticket:
    """The ticket if `user` may see it; 404 both when missing and when not theirs.

    `columns`: more to read in the same statement, as annotations (the console's ticket
    page reads its side panels so).
    """
    lookup = {"id": ticket_id} if ticket_id is not None else {"number": number}
    ticket = ticket_list_for_user(user=user).filter(**lookup).annotate(**(columns or {})).first()
    if ticket is None:
        raise Http404
    return ticket


def ticket_messages_for_user(*, user, ticket: Ticket) -> QuerySet[TicketMessage]:
    """The conversation; internal notes only for staff who may work the ticket."""
    return ticket_messages_shown(
        ticket.messages.all(), with_internal=TicketPolicy.can_work(user, ticket)
    )


def ticket_messages_shown(
    messages: QuerySet[TicketMessage], *, with_internal: bool
) -> QuerySet[TicketMessage]:
    """ticket_messages_for_user from one ticket's `messages`, for someone who may work the
    ticket (TicketPolicy.can_work: internal notes too) or not."""
    messages = messages.select_related("author").prefetch_related(
        Prefetch("attachments", queryset=TicketAttachment.objects.order_by("id"))
    )
    if not with_internal:
        messages = messages.filter(visibility=TicketMessage.Visibility.PUBLIC)
    return messages


def attachment_get_for_user(*, user, attachment_id: int) -> TicketAttachment:
    attachment = (
        TicketAttachment.objects.select_related("message__ticket").filter(id=attachment_id).first()
    )
    if attachment is None:
        raise Http404
    ticket = ticket_get_for_user(user=user, ticket_id=attachment.message.ticket_id)
    visible = ticket_messages_for_user(user=user, ticket=ticket).filter(id=attachment.message_id)
    if not visible.exists():
        raise Http404
    return attachment


def open_duplicate(*, user, ticket_type: TicketType, txid: str, order_id: str) -> Ticket | None:
    """An open ticket of the same type about the same TXID or order, if the customer has one."""
    keys = Q()
    if txid:
        keys |= Q(txid=normalize_txid(txid))
    if order_id:
        keys |= Q(order_id=order_id)
    if not keys:
        return None
    return (
        Ticket.objects.filter(keys, requester=user, type=ticket_type)
        .exclude(status__in=[Ticket.Status.SOLVED, Ticket.Status.CLOSED])
        .first()
    )


def requester_security_columns(*, user_ref: str, email_ref: str) -> dict:
    """The console's requester panel (accounts.selectors.account_security) as subqueries
    of a row that holds the requester's id and email (`user_ref`, `email_ref`: a ticket's
    `requester_id` and `requester__email`): the active freeze's and the bounce record's
    ids, 2FA, the KYC level. Read them with requester_security_from."""
    user, email = OuterRef(user_ref), OuterRef(email_ref)
    return {
        "freeze_id": Subquery(
            AccountFreeze.objects.filter(user=user, lifted_at__isnull=True)
            .order_by("-created_at")
            .values("id")[:1]
        ),
        "mfa_enabled": Exists(Authenticator.objects.filter(user=user)),
        "kyc_level": Subquery(
            KycSubmission.objects.filter(user=user, status=ReviewStatus.APPROVED)
            .order_by()
            .values("user")
            .annotate(level=Max("level"))
            .values("level")
        ),
        "bounce_id": Subquery(BouncingAddress.objects.filter(email=Lower(email)).values("id")[:1]),
    }


def requester_security_from(found: Mapping[str, object]) -> AccountSecurity:
    """The panel from requester_security_columns' values; the freeze and the bounce
    record are read only when there is one."""
    freeze = (
        AccountFreeze.objects.select_related("actor").get(id=found["freeze_id"])
        if found["freeze_id"]
        else None
    )
    bounce = BouncingAddress.objects.get(id=found["bounce_id"]) if found["bounce_id"] else None
    return AccountSecurity(
        freeze=freeze,
        mfa_enabled=bool(found["mfa_enabled"]),
        kyc_level=found["kyc_level"] or 0,
        email_bounce=bounce,
    )
