from tickets.models.macros import Macro
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
    "Macro",
    "Team",
    "Ticket",
    "TicketAttachment",
    "TicketDaySequence",
    "TicketEvent",
    "TicketMessage",
    "TicketType",
]
