"""The staff page of search analytics (top queries, no confident result, never-clicked
articles), its CSV and filing a query under an article (a taught question); and the
results' click-through link that counts a click."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Iterator
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts.access import Area, Refusal, access_refusal
from accounts.models import Role
from accounts.selectors import user_has_role
from helpcenter import analytics, services
from helpcenter.models import Article, SearchQueryStat
from helpcenter.models.articles import Language

View = Callable[..., HttpResponse]


def may_see_search_analytics(user) -> bool:
    """Who sees the support reports (tickets.permissions.is_supervisor): supervisors and
    administrators. Asked here, as helpcenter may not import tickets."""
    return user_has_role(user=user, role=Role.SUPERVISOR) or user_has_role(
        user=user, role=Role.ADMIN
    )


SEARCH_ANALYTICS = Area(staff_area=True, role=may_see_search_analytics)


def _staff_only(view: View) -> View:
    """Signed-out visitors go to sign in; anyone else the area refuses gets 403."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        refusal = access_refusal(request.user, SEARCH_ANALYTICS)
        if refusal is Refusal.SIGNED_OUT:
            return redirect_to_login(request.get_full_path())
        if refusal is not None:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


class BadFilter(ValueError):
    """The week or language asked for is not one; the message says so."""


def report_filter(params) -> analytics.ReportFilter:
    """`week` as the browser's week input sends it (2026-W49), `lang` en, zh-hans or empty."""
    raw_week, lang = params.get("week", "").strip(), params.get("lang", "").strip()
    if lang and lang not in Language.values:
        raise BadFilter(_("Unknown language."))
    if not raw_week:
        return analytics.ReportFilter(week=analytics.week_of(), lang=lang)
    try:
        year, week = raw_week.upper().split("-W")
        return analytics.ReportFilter(
            week=dt.date.fromisocalendar(int(year), int(week), 1), lang=lang
        )
    except ValueError as exc:
        raise BadFilter(_("Give the week as 2026-W49.")) from exc


@require_GET
@_staff_only
def search_analytics(request: HttpRequest) -> HttpResponse:
    try:
        flt = report_filter(request.GET)
    except BadFilter as exc:
        return render(request, "helpcenter/search_analytics.html", {"error": str(exc)}, status=400)
    # the articles a query may be filed under, one list per language
    article_choices: dict[str, list[dict]] = {lang: [] for lang in Language.values}
    published = Article.objects.filter(status=Article.Status.PUBLISHED).order_by("slug")
    for row in published.values("slug", "title", "lang"):
        article_choices[row["lang"]].append(row)
    context = {
        "filter": flt,
        "article_choices": article_choices,
        "week_value": f"{flt.week.isocalendar().year}-W{flt.week.isocalendar().week:02d}",
        "languages": Language.choices,
        "top": analytics.top_queries(flt),
        "unanswered": analytics.unanswered_queries(flt),
        "never_clicked": analytics.never_clicked(flt),
    }
    return render(request, "helpcenter/search_analytics.html", context)


@require_POST
@_staff_only
def search_analytics_teach(request: HttpRequest) -> HttpResponse:
    """File a query customers searched under the article that answers it: from then on
    search and the bot take the query's words as evidence for that article. Only a query
    the analytics hold (already stripped of personal data) may be filed."""
    lang, query = request.POST.get("lang", ""), request.POST.get("query", "")
    searched = SearchQueryStat.objects.filter(lang=lang, query=query).exists()
    if lang not in Language.values or not searched:
        error = _("That query is not one customers searched.")
        return render(request, "helpcenter/search_analytics.html", {"error": error}, status=400)
    try:
        article = services.article_question_file(
            slug=request.POST.get("article", "").strip(), lang=lang, question=query
        )
    except ValidationError as exc:
        error = " ".join(exc.messages)
        return render(request, "helpcenter/search_analytics.html", {"error": error}, status=400)
    messages.success(
        request,
        _("“%(query)s” is filed under “%(title)s”: search and the bot count it within a minute.")
        % {"query": query, "title": article.title},
    )
    back = {"week": request.POST.get("week", ""), "lang": request.POST.get("shown_lang", "")}
    return redirect(f"{reverse('helpcenter:search-analytics')}?{urlencode(back)}")


def csv_safe(value: object) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula (CSV injection)."""
    text = str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_rows(flt: analytics.ReportFilter) -> Iterator[list[object]]:
    yield ["section", "week", "lang", "query", "searches", "no_match", "results", "clicks"]
    for section, rows in (
        ("top", analytics.top_queries(flt, limit=1000)),
        ("no_confident_result", analytics.unanswered_queries(flt, limit=1000)),
    ):
        for row in rows:
            yield [section, row.week, row.lang, row.query, row.searches, row.no_match,
                   row.results, row.clicks]  # fmt: skip
    for article in analytics.never_clicked(flt, limit=10_000):
        yield ["never_clicked", flt.week, article.lang, article.title, "", "", "", 0]


@require_GET
@_staff_only
def search_analytics_csv(request: HttpRequest) -> HttpResponse:
    try:
        flt = report_filter(request.GET)
    except BadFilter as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
    writer = csv.writer(_Echo())
    lines = (writer.writerow([csv_safe(cell) for cell in row]) for row in _csv_rows(flt))
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    name = f"beacon-search-{flt.week}{'-' + flt.lang if flt.lang else ''}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_GET
@never_cache
def search_click(request: HttpRequest, article_id: int) -> HttpResponse:
    """A search result's link: count the click, then go to the article (only ever to a
    published article's own page, so the link cannot send anyone elsewhere)."""
    found = get_object_or_404(Article, id=article_id, status=Article.Status.PUBLISHED)
    lang = request.GET.get("lang", "")
    if lang in Language.values:
        analytics.click_record(query=request.GET.get("q", "")[:500], lang=lang, article_id=found.id)
    url = reverse("helpcenter:article", args=[found.slug])
    return redirect(f"{url}?lang={found.lang}")
