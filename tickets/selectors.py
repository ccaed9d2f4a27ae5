"""Every read of tickets; customers' querysets are filtered here, by TicketPolicy."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.db.models import Exists, Max, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404

from accounts.models import AccountFreeze, KycSubmission, ReviewStatus, User
from accounts.selectors import AccountSecurity
from notifications.models import BouncingAddress
from tickets.fields import normalize_txid
from tickets.models import Ticket, TicketAttachment, TicketMessage, TicketType
from tickets.permissions import TicketPolicy


def ticket_types_active() -> QuerySet[TicketType]:
    return TicketType.objects.filter(is_active=True)


def ticket_types_for_customers() -> QuerySet[TicketType]:
    """What the request form offers: security reviews are opened by the desk itself."""
    return ticket_types_active().exclude(kind=TicketType.Kind.REVIEW)


def ticket_types_for_staff(*, user) -> QuerySet[TicketType]:
    """The types whose queues the console offers `user`: reviews only to who sees them."""
    types = ticket_types_active()
    return types if TicketPolicy.sees_reviews(user) else types.exclude(kind=TicketType.Kind.REVIEW)


def ticket_list_for_user(*, user) -> QuerySet[Ticket]:
    """Tickets `user` may see, newest first, with what list pages show."""
    return Ticket.objects.filter(TicketPolicy.visible_filter(user)).select_related(
        "type", "assignee", "requester", "team"
    )


def ticket_get_for_user(*, user, ticket_id: int | None = None, number: str | None = None) -> Ticket:
    """The ticket if `user` may see it; 404 both when missing and when not theirs."""
    lookup = {"id": ticket_id} if ticket_id is not None else {"number": number}
    ticket = ticket_list_for_user(user=user).filter(**lookup).first()
    if ticket is None:
        raise Http404
    return ticket


def ticket_messages_for_user(*, user, ticket: Ticket) -> QuerySet[TicketMessage]:
    """The conversation; internal notes only for staff who may work the ticket."""
    messages = ticket.messages.select_related("author").prefetch_related(
        Prefetch("attachments", queryset=TicketAttachment.objects.order_by("id"))
    )
    if not TicketPolicy.can_work(user, ticket):
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


def requester_security(*, requester: User) -> AccountSecurity:
    """accounts.selectors.account_security for the console's requester panel, in one
    query (was four): the active freeze's and the bounce record's ids, 2FA and the KYC
    level beside the requester's id; the freeze and the bounce record are read only when
    there is one."""
    found = (
        User.objects.filter(id=requester.id)
        .annotate(
            freeze_id=Subquery(
                AccountFreeze.objects.filter(user=OuterRef("pk"), lifted_at__isnull=True)
                .order_by("-created_at")
                .values("id")[:1]
            ),
            mfa_enabled=Exists(Authenticator.objects.filter(user=OuterRef("pk"))),
            kyc_level=Subquery(
                KycSubmission.objects.filter(user=OuterRef("pk"), status=ReviewStatus.APPROVED)
                .order_by()
                .values("user")
                .annotate(level=Max("level"))
                .values("level")
            ),
            bounce_id=Subquery(
                BouncingAddress.objects.filter(email=requester.email.lower()).values("id")[:1]
            ),
        )
        .values("freeze_id", "mfa_enabled", "kyc_level", "bounce_id")
        .first()
    ) or {"freeze_id": None, "mfa_enabled": False, "kyc_level": None, "bounce_id": None}
    freeze = (
        AccountFreeze.objects.select_related("actor").get(id=found["freeze_id"])
        if found["freeze_id"]
        else None
    )
    bounce = BouncingAddress.objects.get(id=found["bounce_id"]) if found["bounce_id"] else None
    return AccountSecurity(
        freeze=freeze,
        mfa_enabled=found["mfa_enabled"],
        kyc_level=found["kyc_level"] or 0,
        email_bounce=bounce,
    )
