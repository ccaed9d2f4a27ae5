"""Live chat's figures for the supervisor dashboard, for chats started in a date range:
volume, the wait for a person, the first response, abandonment and bot containment.

- wait: from joining the queue to an agent taking the chat;
- first response: from an agent taking the chat to the first agent message;
- abandoned: chats that joined the queue and ended before any agent took them;
- contained: ended chats the bot handled alone (they never joined the queue).

Medians are wall-clock time. A fixed number of queries, whatever the range.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass, field

from django.db.models import Count, Min, Q

from livechat.models import ChatMessage, Conversation


@dataclass(frozen=True)
class Part:
    """`part` of `whole`, e.g. abandoned of queued."""

    part: int
    whole: int

    @property
    def percent(self) -> float | None:
        return None if self.whole == 0 else round(100 * self.part / self.whole, 1)


@dataclass
class ChatReport:
    chats: int = 0
    by_language: list[tuple[str, int]] = field(default_factory=list)
    wait_median: dt.timedelta | None = None
    first_response_median: dt.timedelta | None = None
    abandoned: Part = field(default_factory=lambda: Part(0, 0))
    contained: Part = field(default_factory=lambda: Part(0, 0))


def _median(values: list[dt.timedelta]) -> dt.timedelta | None:
    return statistics.median(values) if values else None


def chat_report(*, start: dt.datetime, end: dt.datetime, languages: dict[str, str]) -> ChatReport:
    """Chats created in [start, end); `languages` names each language code for the chart."""
    chats = Conversation.objects.filter(created_at__gte=start, created_at__lt=end)
    report = ChatReport(chats=chats.count())
    counts = dict(chats.values_list("language").annotate(n=Count("id")))
    report.by_language = [(name, counts.get(code, 0)) for code, name in languages.items()]
    waits = chats.filter(queued_at__isnull=False, assigned_at__isnull=False).values_list(
        "queued_at", "assigned_at"
    )
    report.wait_median = _median([max(a - q, dt.timedelta(0)) for q, a in waits])
    first_replies = chats.filter(assigned_at__isnull=False).annotate(
        first_reply=Min(
            "messages__created_at",
            filter=Q(messages__sender=ChatMessage.Sender.AGENT)
            & Q(messages__visibility=ChatMessage.Visibility.PUBLIC),
        )
    )
    report.first_response_median = _median(
        [
            max(first - assigned, dt.timedelta(0))
            for assigned, first in first_replies.values_list("assigned_at", "first_reply")
            if first is not None
        ]
    )
    ended = chats.filter(status=Conversation.Status.ENDED)
    queued = chats.filter(queued_at__isnull=False)
    report.abandoned = Part(
        queued.filter(status=Conversation.Status.ENDED, assigned_at__isnull=True).count(),
        queued.count(),
    )
    report.contained = Part(ended.filter(queued_at__isnull=True).count(), ended.count())
    return report
