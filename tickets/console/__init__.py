"""Reads for the agent console: saved views (queues), their counts, filtered keyset pages.

Every queryset starts from `selectors.ticket_list_for_user`, so what an agent may see is
decided in one place (TicketPolicy); the queues and filters only narrow it further.

queues.py (saved views, counts, keyset pages), filters.py (filter bar, search box),
pages.py (what each page shows); everything is importable from here.
"""

from tickets.console.filters import (
    MAX_SEARCH_CHARS,
    search_filter,
    ticket_filter,
)
from tickets.console.pages import (
    QueueNav,
    QueueView,
    TicketView,
    TimelineEntry,
    assignee_from_choice,
    console_queue,
    console_ticket,
    queue_nav,
    staff_agents,
    ticket_followers,
)
from tickets.console.queues import (
    DEFAULT_QUEUE,
    MAX_PAGE_SIZE,
    OPEN,
    PAGE_SIZE,
    QUEUES,
    RECENTLY_SOLVED_DAYS,
    REQUESTER_RECENT,
    TYPE_PREFIX,
    UNCOUNTED,
    Queue,
    QueueFilter,
    cursor_decode,
    cursor_encode,
    queue_counts,
    queue_filter,
    queue_page,
)

__all__ = [
    "DEFAULT_QUEUE",
    "MAX_PAGE_SIZE",
    "MAX_SEARCH_CHARS",
    "OPEN",
    "PAGE_SIZE",
    "QUEUES",
    "Queue",
    "QueueFilter",
    "QueueNav",
    "QueueView",
    "RECENTLY_SOLVED_DAYS",
    "REQUESTER_RECENT",
    "TYPE_PREFIX",
    "TicketView",
    "TimelineEntry",
    "UNCOUNTED",
    "assignee_from_choice",
    "console_queue",
    "console_ticket",
    "cursor_decode",
    "cursor_encode",
    "queue_counts",
    "queue_filter",
    "queue_nav",
    "queue_page",
    "search_filter",
    "staff_agents",
    "ticket_filter",
    "ticket_followers",
]
