"""Every write to tickets. Each takes the acting user and checks the policy first.

One module per kind of work; everything is importable from here.
"""

from tickets.services._common import MAX_BODY
from tickets.services.bulk import BULK_ACTIONS, tickets_bulk_update
from tickets.services.merging import (
    split_subject_default,
    ticket_merge,
    ticket_merge_target,
    ticket_split,
)
from tickets.services.requests import (
    complaint_resolve,
    ticket_complain,
    ticket_create,
    ticket_open,
    ticket_rate,
    ticket_reply,
)
from tickets.services.work import (
    MAX_TAGS,
    ticket_assign,
    ticket_auto_solve,
    ticket_change_priority,
    ticket_change_status,
    ticket_follow,
    ticket_tag,
    ticket_unfollow,
)

__all__ = [
    "BULK_ACTIONS",
    "MAX_BODY",
    "MAX_TAGS",
    "complaint_resolve",
    "split_subject_default",
    "ticket_assign",
    "ticket_auto_solve",
    "ticket_change_priority",
    "ticket_change_status",
    "ticket_complain",
    "ticket_create",
    "ticket_open",
    "ticket_follow",
    "ticket_merge",
    "ticket_merge_target",
    "ticket_rate",
    "ticket_reply",
    "ticket_split",
    "ticket_tag",
    "ticket_unfollow",
    "tickets_bulk_update",
]
