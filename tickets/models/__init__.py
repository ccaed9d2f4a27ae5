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
    "Team",
    "Ticket",
    "TicketAttachment",
    "TicketDaySequence",
    "TicketEvent",
    "TicketMessage",
    "TicketType",
]
