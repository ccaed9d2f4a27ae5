"""{% load workspace %}: the agent workspace's header, rail, times and customer names.

Times: `{% when value %}` renders `<time datetime="…UTC…">` with the moment in the
active time zone and language. The zone is the one accounts.middleware.UserTimezoneMiddleware
activated for this request (the user's saved zone, else the browser's from the beacon_tz
cookie base.js sets, checked against zoneinfo, else UTC).
"""

from __future__ import annotations

import datetime as dt
import functools

from django import template
from django.utils import formats, timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.html import format_html
from django.utils.translation import gettext as _

from accounts.models import User

register = template.Library()

_STYLES = {"long": "DATETIME_FORMAT", "short": "SHORT_DATETIME_FORMAT"}


def _moment(value: object) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        try:
            return parse_datetime(value.strip())
        except ValueError:
            return None
    return None


@register.simple_tag
def when(value: object, style: str = "long") -> str:
    """A moment as `<time>`, in the agent's zone and language; anything else as given.

    "short" shows only the time for a moment of today (lists), else the short date too.
    """
    moment = _moment(value)
    if moment is None:
        return format_html("{}", value if value not in (None, "") else "—")
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, dt.UTC)
    today = timezone.localdate() if style == "short" else None
    zone = timezone.get_current_timezone()
    return _when_html(moment, style, translation.get_language(), zone, today)


@functools.lru_cache(maxsize=4096)
def _when_html(
    moment: dt.datetime, style: str, language: str | None, zone: dt.tzinfo, today: dt.date | None
) -> str:
    """`when`'s markup, kept per moment, language, zone and day: formatting a date costs
    some 150 calls, and a queue page shows fifty, mostly the same from one view to the
    next (issue 19). Called with `language` and `zone` the active ones."""
    local = timezone.localtime(moment)
    shown_format = _STYLES.get(style, "DATETIME_FORMAT")
    full = formats.date_format(local, "DATETIME_FORMAT")
    if style == "short" and local.date() == today:
        shown = formats.time_format(local, "TIME_FORMAT")
    elif shown_format == "DATETIME_FORMAT":
        shown = full
    else:
        shown = formats.date_format(local, shown_format)
    return format_html(
        '<time datetime="{}" title="{} ({})">{}</time>',
        moment.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        full,
        timezone.get_current_timezone_name(),
        shown,
    )


@register.filter
def customer_name(customer: User | None, visitor_email: str = "") -> str:
    """How the workspace names a customer: their name, else their email, else the email
    an anonymous visitor left, else "Anonymous visitor". Never a chat's id."""
    if customer is not None:
        return customer.get_full_name() or customer.email
    return visitor_email or _("Anonymous visitor")


def _counts(context: template.Context):
    """The header's counts, read once per page even when shown twice."""
    from tickets.console.workspace import work_counts

    request = context["request"]
    if not hasattr(request, "_workspace_counts"):
        request._workspace_counts = work_counts(user=request.user)
    return request._workspace_counts


@register.inclusion_tag("tickets/console/_workspace_header.html", takes_context=True)
def workspace_header(context: template.Context) -> dict:
    request = context["request"]
    return {
        "request": request,
        "user": request.user,
        "counts": _counts(context),
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("tickets/console/_workspace_counts.html", takes_context=True)
def workspace_counts(context: template.Context) -> dict:
    return {"counts": _counts(context)}


@register.inclusion_tag("tickets/console/_workspace_rail.html", takes_context=True)
def workspace_rail(context: template.Context, current: str = "") -> dict:
    from django.utils import translation

    from tickets import console
    from tickets.console.workspace import rail_sections

    request = context["request"]
    nav = context.get("page")
    if current != "queue" or not isinstance(nav, console.QueueNav):
        nav = console.queue_nav(
            user=request.user,
            queue=console.DEFAULT_QUEUE,
            lang=translation.get_language() or "en",
            for_page=True,
        )
        nav.queue = ""  # not a queue page: no queue is the current one
    return {
        "request": request,
        "page": nav,
        "current": current,
        "queue_current": current == "queue",
        "sections": rail_sections(user=request.user),
    }


@register.filter
def language_name(code: str) -> str:
    """zh-hans → "Simplified Chinese" (in the page's language)."""
    from django.conf import settings

    return str(dict(settings.LANGUAGES).get(code, code))
