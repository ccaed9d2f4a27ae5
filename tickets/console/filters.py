"""The console's filter bar and search box, each as a Q; nonsense is ignored, never an error."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from tickets.fields import normalize_txid
from tickets.models import Ticket

# Dates outside this range are typos; at the calendar's edges, converting the agent's
# midnight to UTC would overflow inside the database adapter.
_DATE_RANGE = (dt.date(1970, 1, 1), dt.date(9998, 12, 31))

S = Ticket.Status
# Longer input is not an identifier and would only make `icontains` scan slower.
MAX_SEARCH_CHARS = 200
_NUMBER = re.compile(r"^\d{6}-\d{6}$")
_SLUG = re.compile(r"^[-a-zA-Z0-9_]{1,60}$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,4})?$")
# Ids and UIDs are bigints: more digits cannot be one and would overflow the column.
_MAX_DIGITS = 18


def _small_int(text: str) -> int | None:
    """An id typed or posted as ASCII digits (int() alone also takes "１２" and " 1_0 ")."""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= _MAX_DIGITS else None


def _date(raw: str) -> dt.date | None:
    try:
        day = dt.date.fromisoformat(raw.strip())
    except ValueError:
        return None
    return day if _DATE_RANGE[0] <= day <= _DATE_RANGE[1] else None


def _day_start(day: dt.date) -> dt.datetime:
    """Midnight of `day` in the agent's time zone (activated by UserTimezoneMiddleware)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def _created_range(filters: Mapping[str, str]) -> Q:
    # Bounds on created_at itself (not created_at__date) keep the composite indexes usable.
    q = Q()
    if start := _date(filters.get("created_from", "")):
        q &= Q(created_at__gte=_day_start(start))
    if end := _date(filters.get("created_to", "")):
        q &= Q(created_at__lt=_day_start(end + dt.timedelta(days=1)))
    return q


def _tag(tag: str) -> Q:
    if connection.vendor == "postgresql":
        return Q(tags__contains=[tag])
    # SQLite has no JSON containment; the quoted JSON string matches one whole list item.
    return Q(tags__icontains=json.dumps(tag))


def search_filter(text: str) -> Q:
    """What the search box finds: an exact ticket number, requester UID or email, TXID or
    order ID, else words in the subject.

    Every branch of an OR here has an index of its own (txid, order_id, requester, the
    `fields->uid` expression, the subject trigrams), so PostgreSQL can combine them with a
    bitmap OR instead of scanning the table. A join inside the OR would stop that, so the
    requester is looked up first.
    """
    # PostgreSQL refuses NUL in any string parameter; nothing stored contains one anyway.
    text = text.replace("\x00", "").strip()[:MAX_SEARCH_CHARS]
    if not text:
        return Q()
    if _NUMBER.match(text):
        return Q(number=text)
    if "@" in text:
        return Q(requester__email=text.lower())
    exact = Q(txid=normalize_txid(text)) | Q(order_id=text)
    if (uid := _small_int(text)) is not None:
        requester = User.objects.filter(uid=uid).values_list("id", flat=True).first()
        # The UID a customer typed into the form may be another account's (a family member's).
        return exact | Q(requester_id=requester or 0) | Q(fields__uid=text)
    return exact | Q(subject__icontains=text)


def _choice(filters: Mapping[str, str], name: str, allowed: list[str], column: str) -> Q:
    value = filters.get(name, "")
    return Q(**{column: value}) if value in allowed else Q()


def _slug(filters: Mapping[str, str], name: str, column: str) -> Q:
    value = filters.get(name, "")
    return Q(**{column: value}) if _SLUG.match(value) else Q()


def _assignee(value: str) -> Q:
    if value == "none":
        return Q(assignee__isnull=True)
    user_id = _small_int(value)
    return Q() if user_id is None else Q(assignee_id=user_id)


def ticket_filter(filters: Mapping[str, str]) -> Q:
    """The filter bar as one Q; a value that makes no sense is ignored, never an error."""
    tag = filters.get("tag", "").replace("\x00", "").strip()
    language = filters.get("language", "")
    return (
        _choice(filters, "status", S.values, "status")
        & _choice(filters, "priority", Ticket.Priority.values, "priority")
        & _choice(filters, "channel", Ticket.Channel.values, "channel")
        & _slug(filters, "type", "type__slug")
        & _slug(filters, "team", "team__slug")
        & _assignee(filters.get("assignee", ""))
        & (_tag(tag) if 0 < len(tag) <= 50 else Q())
        & (Q(language=language) if _LANGUAGE.match(language) else Q())
        & _created_range(filters)
        & search_filter(filters.get("q", ""))
    )
