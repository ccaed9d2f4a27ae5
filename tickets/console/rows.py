"""The queue page's rows and the rail's queue links, built in Python once per page.

A queue page shows fifty rows of ten cells. Rendered by the template from the ticket
objects, every row paid for `get_status_display` and `get_priority_display` (each
translates every choice of its field before picking one: about 600 translation look-ups
a page), three URL reversals, a name filter, a blocktranslate and some thirty template
nodes; about two thirds of the page's time. Here the labels are translated once per
page, the URL reversed once per row (and kept, core.kept_urls), and each row's HTML
made by one `str.format` of its values, each escaped as `format_html` would.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass

from django.template.defaultfilters import urlencode
from django.utils.functional import Promise
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from core.kept_urls import reverse_kept
from tickets.console.queues import Queue
from tickets.models import Ticket
from tickets.templatetags.sla_tags import sla_badge
from tickets.templatetags.workspace import customer_name, when


@dataclass(frozen=True, slots=True)
class QueueRow:
    number: str
    url: str
    select_label: str  # the checkbox's accessible name, "Select <number>"
    subject: str
    requester_name: str
    requester_uid: str
    type_name: str
    status: str
    status_label: str
    priority: str
    priority_label: str
    sla: SafeString
    assignee_name: str  # "" when unassigned
    created: SafeString


def queue_rows(tickets: Iterable[Ticket], lang: str) -> list[QueueRow]:
    """One row per ticket; the tickets come with requester, type and assignee selected."""
    statuses = {value: str(label) for value, label in Ticket.Status.choices}
    priorities = {value: str(label) for value, label in Ticket.Priority.choices}
    select = gettext("Select %(number)s")
    return [
        QueueRow(
            number=t.number,
            url=reverse_kept("tickets:console-ticket", args=[t.number]),
            select_label=select % {"number": t.number},
            subject=t.subject,
            requester_name=customer_name(t.requester),
            requester_uid=t.requester.uid,
            type_name=t.type.name(lang),
            status=t.status,
            status_label=statuses.get(t.status, t.status),
            priority=t.priority,
            priority_label=priorities.get(t.priority, t.priority),
            sla=sla_badge(t),
            assignee_name=t.assignee.display_name if t.assignee_id else "",
            created=when(t.created_at, "short"),
        )
        for t in tickets
    ]


_ROW = (
    '<tr data-row data-href="{url}">'
    '<td><input type="checkbox" name="tickets" value="{number}" id="pick-{number}"'
    ' aria-label="{select_label}"></td>'
    '<td data-label="{l_number}"><a href="{url}">{number}</a></td>'
    '<td data-label="{l_subject}" class="subject"><a href="{url}">{subject}</a></td>'
    '<td data-label="{l_customer}"><span class="ws-requester">{requester_name}</span>'
    ' <span class="muted small">UID {requester_uid}</span></td>'
    '<td data-label="{l_type}">{type_name}</td>'
    '<td data-label="{l_status}"><span class="badge badge-status-{status}">{status_label}</span></td>'
    '<td data-label="{l_priority}">'
    '<span class="badge badge-priority-{priority}">{priority_label}</span></td>'
    '<td data-label="{l_sla}">{sla}</td>'
    '<td data-label="{l_assignee}">{assignee}</td>'
    '<td data-label="{l_created}">{created}</td>'
    "</tr>\n"
)


def _html(value: object) -> str:
    """conditional_escape without its wrappers: a row has fifteen values, a page fifty rows."""
    if isinstance(value, Promise):
        value = str(value)
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def queue_rows_html(rows: list[QueueRow]) -> SafeString:
    """The table body: the cells carry their column's name for the narrow layout. What
    format_html_join would make, each value escaped, for a fifth of its calls."""
    labels = {  # escaped once here, not once per row
        "l_number": gettext("Number"),
        "l_subject": gettext("Subject"),
        "l_customer": gettext("Customer"),
        "l_type": gettext("Type"),
        "l_status": gettext("Status"),
        "l_priority": gettext("Priority"),
        "l_sla": gettext("SLA"),
        "l_assignee": gettext("Assignee"),
        "l_created": gettext("Created"),
    }
    labels = {key: _html(label) for key, label in labels.items()}
    unassigned = format_html('<span class="muted">{}</span>', gettext("Unassigned"))
    return mark_safe(
        "".join(
            _ROW.format(
                **labels,
                **{name: _html(getattr(row, name)) for name in QueueRow.__slots__},
                assignee=_html(row.assignee_name or unassigned),
            )
            for row in rows
        )
    )


_QUEUE_LINK = '<li>\n  <a href="{}?queue={}"{}>\n    <span class="queue-label">{}</span>\n    {}\n  </a>\n</li>\n'
_QUEUE_COUNT = '<span class="queue-count">{}<span class="visually-hidden"> {}</span></span>'


def queue_links_html(queues: Iterable[Queue], current: str) -> SafeString:
    """The rail's queue links, on every console page. One template include each cost
    about a quarter of a ticket page's rendering (eighteen includes, each reversing the
    same URL and translating the same word); the markup is the include's, byte for byte,
    each value escaped as format_html would."""
    base = _html(reverse_kept("tickets:console"))
    word = _html(gettext("tickets"))
    here = ' aria-current="page"'
    return mark_safe(
        "".join(
            _QUEUE_LINK.format(
                base,
                _html(urlencode(q.key)),
                here if q.key == current else "",
                _html(q.label),
                "" if q.count is None else _QUEUE_COUNT.format(_html(q.count), word),
            )
            for q in queues
        )
    )
