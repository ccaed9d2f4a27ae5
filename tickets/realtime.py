"""Console events over Channels: queue counts changed, who else has a ticket open or is typing.

Group names and event builders live here; the consumer is transport only.
"""

from __future__ import annotations

from core.realtime import broadcast_on_commit, group_name

QUEUES_GROUP = "console.queues"


def ticket_group(number: str) -> str:
    return group_name("console", "ticket", number)


def queues_changed_on_commit() -> None:
    """Tell every open console to refresh its counts once the change is committed."""
    broadcast_on_commit(QUEUES_GROUP, {"type": "queues.changed"})
