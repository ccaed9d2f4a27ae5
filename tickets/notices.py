"""Who hears about what happens to a ticket: the notification kinds tickets registers, and
one function per event that writes the outbox rows inside the caller's transaction.

Customers get email in the ticket's language; agents and supervisors get the in-console
bell and, where they chose it, email. Contexts hold ids and numbers only; the objects are
loaded again when the email is rendered (a deleted ticket makes the row obsolete).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

import notifications as outbox
from accounts.models import Role, User
from accounts.selectors import users_with_role
from tickets import rating_links, sender_confirm, workflow
from tickets.models import SlaEscalation, Ticket, TicketAttachment, TicketMessage, TicketType

REMIND_AFTER_DAYS = 3  # waiting on the customer this long: remind them
SOLVE_AFTER_DAYS = 7  # and this long: mark it solved


# ---------------------------------------------------------------------------- contexts


def _ticket(context: Mapping[str, Any]) -> Ticket:
    tickets = Ticket.objects.select_related("requester")
    return outbox.load_or_obsolete(tickets, context["ticket_id"], what="the ticket")


def _customer_context(context: Mapping[str, Any]) -> dict[str, Any]:
    """An unproven request (accounts.trust) is not on the customer's account: its emails
    quote nothing of it, carry no anti-phishing code (notifications.emails) and
    offer the link that confirms or denies it instead of the request page."""
    ticket = _ticket(context)
    unproven = not ticket.sender_proven
    return {
        "ticket": ticket,
        "ticket_url": settings.SITE_URL + reverse("tickets:detail", args=[ticket.number]),
        "sender_unproven": unproven,
        "confirm_url": settings.SITE_URL + sender_confirm.confirm_path(ticket) if unproven else "",
    }


def _received_context(context: Mapping[str, Any]) -> dict[str, Any]:
    """The promise as it stood when the request arrived, even if answered since."""
    reply_by = context.get("reply_by")
    return {
        **_customer_context(context),
        "reply_by": dt.datetime.fromisoformat(reply_by) if reply_by else None,
    }


def _replied_context(context: Mapping[str, Any]) -> dict[str, Any]:
    built = _customer_context(context)
    public = TicketMessage.objects.filter(visibility=TicketMessage.Visibility.PUBLIC)
    message = outbox.load_or_obsolete(public, context["message_id"], what="the reply")
    return {**built, "message": message}


def _reminder_context(context: Mapping[str, Any]) -> dict[str, Any]:
    return {**_customer_context(context), "solve_after_days": SOLVE_AFTER_DAYS - REMIND_AFTER_DAYS}


def _solved_context(context: Mapping[str, Any]) -> dict[str, Any]:
    built = _customer_context(context)
    if context.get("message_id"):  # solved with a reply: the reply is in this one email
        public = TicketMessage.objects.filter(visibility=TicketMessage.Visibility.PUBLIC)
        built["message"] = outbox.load_or_obsolete(public, context["message_id"], what="the reply")
    ticket = built["ticket"]
    token = rating_links.make_token(ticket_id=ticket.id, requester_id=ticket.requester_id)
    return {
        **built,
        "automatic": bool(context.get("automatic")),
        "rating_url": settings.SITE_URL + reverse("tickets:rate-signed", args=[token]),
        "reopen_days": workflow.REOPEN_DAYS,
    }


STAFF_HEADLINES = {
    "ticket.assigned": _("A ticket was assigned to you."),
    "ticket.customer_replied": _("The customer replied."),
    "ticket.complaint_received": _("A complaint was filed."),
    "sla.at_risk": _("SLA at risk: the target is close."),
    "sla.breached": _("SLA breached: the target has passed."),
}


def _detail(context: Mapping[str, Any]) -> str:
    """The customer's words as stored; an SLA target is stored as its code and named here,
    in the recipient's language (the sweep that wrote the row spoke the worker's)."""
    target = context.get("sla_target")
    if target is not None:
        return str(dict(SlaEscalation.Target.choices).get(target, target))
    return context.get("detail", "")


def _staff_context(kind: str):
    def build(context: Mapping[str, Any]) -> dict[str, Any]:
        ticket = _ticket(context)
        return {
            "ticket": ticket,
            "headline": STAFF_HEADLINES[kind],
            # Staff mail quotes no unproven text either (nor carries their code).
            "sender_unproven": not ticket.sender_proven,
            "detail": _detail(context),
            "console_url": settings.SITE_URL
            + reverse("tickets:console-ticket", args=[ticket.number]),
        }

    return build


def ticket_thread(context: Mapping[str, Any]) -> str:
    """The email thread of a ticket: a reply to any of its emails comes back to it."""
    return f"ticket-{context['ticket_id']}"


def ticket_of_thread(thread: str) -> int | None:
    prefix, _dash, number = thread.partition("-")
    return int(number) if prefix == "ticket" and number.isdigit() else None


# An agent's files go with the email up to this much in all; the rest stay on the page.
EMAIL_ATTACHMENTS_MAX_BYTES = 10 * 1024 * 1024


def _reply_attachments(context: Mapping[str, Any]) -> list[tuple[str, bytes, str]]:
    files, total = [], 0
    for attachment in TicketAttachment.objects.filter(message_id=context["message_id"]):
        if total + attachment.size > EMAIL_ATTACHMENTS_MAX_BYTES:
            break
        with attachment.file.open("rb") as handle:
            files.append((attachment.original_name, handle.read(), attachment.content_type))
        total += attachment.size
    return files


def _customer_link(context: Mapping[str, Any]) -> str:
    return reverse("tickets:detail", args=[context["number"]])


def _console_link(context: Mapping[str, Any]) -> str:
    return reverse("tickets:console-ticket", args=[context["number"]])


# ---------------------------------------------------------------------------- kinds


def _kinds() -> list[outbox.NotificationKind]:
    customer = [
        (
            "ticket.received",
            _("We received your request"),
            _("[Beacon] We received your request %(number)s"),
            "ticket_received",
            _received_context,
            True,
        ),
        (
            "ticket.claimed",
            _("Requests made in your name"),
            _("[Beacon] Did you contact us? (%(number)s)"),
            "claimed",
            _customer_context,
            True,
        ),
        (
            "ticket.agent_replied",
            _("A reply to your request"),
            _("[Beacon] New reply to your request %(number)s"),
            "agent_replied",
            _replied_context,
            True,
        ),
        (
            "ticket.pending_reminder",
            _("Reminders when we wait for your answer"),
            _("[Beacon] We are waiting for your answer on %(number)s"),
            "pending_reminder",
            _reminder_context,
            False,
        ),
        (
            "ticket.solved",
            _("Your request is solved"),
            _("[Beacon] Your request %(number)s is solved"),
            "solved",
            _solved_context,
            True,
        ),
    ]
    kinds = []
    for name, label, subject, template, build, essential in customer:
        # What a customer asked about is always answered; only the reminders can be muted.
        agent_reply = name == "ticket.agent_replied"
        kinds.append(
            outbox.NotificationKind(
                name=name,
                label=label,
                subject=subject,
                template=f"tickets/email/{template}",
                build_context=build,
                link=_customer_link,
                essential=essential,
                thread=ticket_thread,
                human=agent_reply,
                attachments=_reply_attachments if agent_reply else None,
            )
        )
    staff = [
        ("ticket.assigned", _("Assigned to you"), _("Assigned to you: %(number)s"), False),
        (
            "ticket.customer_replied",
            _("Customer replied"),
            _("Customer replied: %(number)s"),
            False,
        ),
        (
            "ticket.complaint_received",
            _("Complaint received"),
            _("Complaint received: %(number)s"),
            False,
        ),
        ("sla.at_risk", _("SLA at risk"), _("SLA at risk: %(number)s"), False),
        ("sla.breached", _("SLA breached"), _("SLA breached: %(number)s"), True),
    ]
    for name, label, subject, essential in staff:
        kinds.append(
            outbox.NotificationKind(
                name=name,
                label=label,
                subject=subject,
                template="tickets/email/staff_notice",
                build_context=_staff_context(name),
                link=_console_link,
                channels=frozenset({outbox.BELL, outbox.EMAIL}),
                # The bell for everyone; email only for those who ask (SLA breaches: always).
                default_channels=frozenset(
                    {outbox.BELL, outbox.EMAIL} if essential else {outbox.BELL}
                ),
                essential=essential,
                staff_only=True,
            )
        )
    return kinds


KINDS = _kinds()  # listed in tickets/notification_kinds.py


# ---------------------------------------------------------------------------- events


def _context(ticket: Ticket, **extra: Any) -> dict[str, Any]:
    return {"ticket_id": ticket.id, "number": ticket.number, **extra}


def _to_customer(kind: str, ticket: Ticket, key: str, **extra: Any) -> None:
    if ticket.type.kind == TicketType.Kind.REVIEW:
        return  # the security desk writes to the customer itself (accounts' emails)
    outbox.notify(
        kind=kind,
        recipient=ticket.requester,
        context=_context(ticket, **extra),
        language=ticket.language,
        dedupe_key=key,
    )


def _to_staff(kind: str, ticket: Ticket, people: Iterable[User], key: str, **extra: Any) -> None:
    for person in {p.id: p for p in people if p is not None and p.is_active}.values():
        outbox.notify(
            kind=kind,
            recipient=person,
            context=_context(ticket, **extra),
            dedupe_key=f"{key}:{person.id}",
            channels=outbox.CHANNELS,
        )


def ticket_received(ticket: Ticket) -> None:
    first_response = ticket.sla_target == "first_response" and ticket.sla_due_at
    reply_by = ticket.sla_due_at.isoformat() if first_response else ""
    if ticket.sender_proven:
        _to_customer("ticket.received", ticket, f"ticket.received:{ticket.id}", reply_by=reply_by)
    else:  # "someone wrote to us in your name": no code, none of their words, a link
        _to_customer("ticket.claimed", ticket, f"ticket.claimed:{ticket.id}")
    if ticket.original_id is not None:
        supervisors = users_with_role(role=Role.SUPERVISOR)
        _to_staff("ticket.complaint_received", ticket, supervisors, f"complaint:{ticket.id}")


def agent_replied(message: TicketMessage) -> None:
    ticket = message.ticket
    _to_customer(
        "ticket.agent_replied", ticket, f"ticket.replied:{message.id}", message_id=message.id
    )


def customer_replied(message: TicketMessage, followers: Iterable[User]) -> None:
    ticket = message.ticket
    people = [ticket.assignee, *followers]
    _to_staff(
        "ticket.customer_replied",
        ticket,
        people,
        f"customer_replied:{message.id}",
        detail=message.body[:300],
    )


def assigned(ticket: Ticket, assignee: User, by: User) -> None:
    if assignee.id != by.id:
        key = f"assigned:{ticket.id}:{ticket.updated_at.timestamp()}"
        _to_staff("ticket.assigned", ticket, [assignee], key)


def solved(ticket: Ticket, *, automatic: bool, message: TicketMessage | None = None) -> None:
    """`message`: the staff reply that solved it, quoted in this email (no second one)."""
    key = f"ticket.solved:{ticket.id}:{ticket.solved_at.timestamp()}"
    extra = {"message_id": message.id} if message is not None else {}
    _to_customer("ticket.solved", ticket, key, automatic=automatic, **extra)


def pending_reminder(ticket: Ticket) -> None:
    key = f"ticket.reminder:{ticket.id}:{ticket.sla_paused_at.timestamp()}"
    _to_customer("ticket.pending_reminder", ticket, key)


def sla_steps(steps) -> None:
    """The sweep's listener: at risk tells the assignee; a breach tells the supervisors too.

    One notify_many for the whole sweep: its queries stay the same for 1 step or 200.
    """
    if not steps:
        return
    supervisors = list(users_with_role(role=Role.SUPERVISOR))
    assignees = User.objects.in_bulk({s.ticket.assignee_id for s in steps if s.ticket.assignee_id})
    notes = []
    for step in steps:
        ticket, assignee = step.ticket, assignees.get(step.ticket.assignee_id)
        breach = step.step == SlaEscalation.Step.BREACH
        kind = "sla.breached" if breach else "sla.at_risk"
        people = [assignee, *supervisors] if breach else [assignee]
        key = f"sla:{ticket.id}:{step.target}:{step.step}:{step.due_at.timestamp()}"
        context = _context(ticket, sla_target=step.target)
        notes.extend(
            outbox.Note(
                kind=kind,
                recipient=person,
                context=context,
                dedupe_key=key,
                channels=outbox.CHANNELS,
            )
            for person in {p.id: p for p in people if p is not None and p.is_active}.values()
        )
    outbox.notify_many(notes)
