"""Canned replies in a chat: the tickets' macros, filled with what this chat knows.

The renderer is tickets.macros' (one set of placeholders for tickets and chats). A chat
knows the customer's name and UID when they are signed in, and a ticket number once the
chat has become a ticket. It does not guess a number from the customer's other requests:
a reply quoting the wrong request is worse than the agent being told to fill it in.
"""

from __future__ import annotations

from livechat.models import Conversation
from tickets.macros import Filled, agent_name, customer_name, macro_fill
from tickets.models import Macro


def chat_macro_values(*, conversation: Conversation, agent) -> dict[str, str]:
    customer = conversation.customer
    values = {"agent_name": agent_name(agent)}
    if customer is not None:
        values["customer_name"] = customer_name(customer)
        values["uid"] = str(customer.uid)
    if conversation.ticket is not None:
        values["ticket_number"] = conversation.ticket.number
    return values


def chat_macro_render(*, macro: Macro, conversation: Conversation, agent) -> Filled:
    return macro_fill(macro.body, chat_macro_values(conversation=conversation, agent=agent))
