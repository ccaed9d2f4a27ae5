"""The supervisor dashboard and its CSV export."""

from __future__ import annotations

import csv
from collections.abc import Iterator

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.views.decorators.http import require_GET

from livechat.reports import chat_report
from tickets import charts, reports
from tickets.models import Team
from tickets.permissions import is_supervisor
from tickets.views.console import staff_only


def _supervisor(request: HttpRequest) -> None:
    if not is_supervisor(request.user):
        raise PermissionDenied


@require_GET
@staff_only
def dashboard(request: HttpRequest) -> HttpResponse:
    _supervisor(request)
    flt = reports.report_filter(request.GET, today=timezone.localdate())
    report = reports.build_report(flt, lang=translation.get_language() or "en")
    start, end = reports.range_bounds(flt)
    chats = chat_report(start=start, end=end, languages=dict(settings.LANGUAGES))
    context = {
        "report": report,
        "chats": chats,
        "chats_by_language": charts.count_bars(chats.by_language),
        "teams": Team.objects.order_by("slug"),
        "by_type": charts.share_bars(report.by_type),
        "by_priority": charts.share_bars(report.by_priority),
        "by_team": charts.share_bars(report.by_team),
        "line": charts.compliance_line(report.over_time),
        "line_size": (charts.LINE_WIDTH, charts.LINE_HEIGHT),
        "backlog": charts.count_bars(report.backlog),
        "csat": charts.count_bars([(f"{score} ★", n) for score, n in report.csat_distribution]),
        "outcomes": charts.count_bars(report.complaint_outcomes),
    }
    return render(request, "tickets/reports/dashboard.html", context)


class _Echo:
    def write(self, value: str) -> str:
        return value


@require_GET
@staff_only
def export_csv(request: HttpRequest) -> StreamingHttpResponse:
    _supervisor(request)
    flt = reports.report_filter(request.GET, today=timezone.localdate())
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        for row in reports.csv_rows(flt):
            yield writer.writerow(row)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    name = f"beacon-tickets-{flt.start}-{flt.end}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
