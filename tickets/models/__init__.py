from tickets.models.macros import Macro
from tickets.models.mail import InboundEmail
from tickets.models.sla import SlaEscalation, SlaPolicy
from tickets.models.tickets import (
    Team,
    Ticket,
    TicketAttachment,
    TicketDaySequence,
    TicketEvent,
    TicketMessage,
    TicketType,
)

__all__ = [
    "InboundEmail",
    "Macro",
    "SlaEscalation",
    "SlaPolicy",
    "Team",
    "Ticket",
    "TicketAttachment",
    "TicketDaySequence",
    "TicketEvent",
    "TicketMessage",
    "TicketType",
]
