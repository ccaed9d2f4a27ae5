"""HTML pages of the help centre; each view calls selectors or one service and renders."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from core.exceptions import ApplicationError
from core.ratelimits import rate_allowed
from helpcenter import analytics, caching, identity_checks, selectors, services
from helpcenter.caching import public_page
from helpcenter.forms import ArticleFeedbackForm
from helpcenter.search import extra


def _lang() -> str:
    return translation.get_language() or "en"


def _page(
    request: HttpRequest, template: str, context: dict | None = None, status: int = 200
) -> HttpResponse:
    """render(), with what a page cached for everyone needs (helpcenter.caching)."""
    return render(request, template, {**caching.context(request), **(context or {})}, status=status)


@require_GET
@never_cache
def csrf_token(request: HttpRequest) -> HttpResponse:
    """A CSRF token (and its cookie) for a form on a page cached without one
    (static/helpcenter/lazy_csrf.js asks when the visitor is about to post)."""
    return JsonResponse({"token": get_token(request)})


@public_page
def home(request: HttpRequest) -> HttpResponse:
    lang, now = _lang(), timezone.now()
    return _page(
        request,
        "helpcenter/home.html",
        {
            "categories": selectors.category_tree(lang=lang),
            "popular": selectors.article_popular(lang=lang),
            "announcements": selectors.announcement_list(now=now)[:3],
        },
    )


@public_page
def search(request: HttpRequest) -> HttpResponse:
    query, error, hits = request.GET.get("q", ""), "", []
    lang = request.GET.get("lang") or _lang()
    try:
        hits = selectors.article_search(query=query, lang=lang)
    except ApplicationError as exc:
        error = exc.message
    status = 400 if error else 200
    context = {
        "query": query[: selectors.MAX_QUERY_CHARS],
        "search_lang": lang,
        "hits": hits,
        "error": error,
    }
    if not error and query.strip():
        caching.count(
            request,
            analytics.search_record,
            query=query,
            lang=lang,
            results=len(hits),
            confident=bool(hits),
        )
    if not error and query.strip():
        # The community's accepted and staff answers, after the articles (search.extra).
        context["extra_results"] = extra.extra_results(query[: selectors.MAX_QUERY_CHARS], lang)
    if not error and not hits and query.strip():
        # Nothing confident: say so and offer the assistant, a request and the community
        # instead of a list of weak results.
        context["community"] = selectors.community_channel()
        return _page(request, "helpcenter/search_no_match.html", context)
    return _page(request, "helpcenter/search.html", context, status=status)


@public_page
def category(request: HttpRequest, slug: str) -> HttpResponse:
    found = selectors.category_get(slug=slug)
    articles = selectors.article_list_for_category(category=found, lang=_lang())
    return _page(request, "helpcenter/category.html", {"category": found, "articles": articles})


def _article_context(found, form: ArticleFeedbackForm | None = None, **extra) -> dict:
    return {
        "article": found,
        "translations": selectors.article_translations(article=found),
        "related": selectors.article_related(article=found),
        "feedback_form": form or ArticleFeedbackForm(),
        **extra,
    }


@public_page
def article(request: HttpRequest, slug: str) -> HttpResponse:
    found = selectors.article_get_published(slug=slug, lang=request.GET.get("lang") or _lang())
    caching.count(request, services.article_view_record, article_id=found.id)
    return _page(request, "helpcenter/article.html", _article_context(found))


def _record_vote(request: HttpRequest, found, form: ArticleFeedbackForm) -> str:
    """Record the vote; returns "" on success, else a message to show beside the form."""
    if not form.is_valid():
        return _("Please check your answer below.")
    if not request.session.session_key:
        request.session.save()  # anonymous voters are told apart by their session
    try:
        services.article_feedback_record(
            article=found,
            user=request.user,
            session_key=request.session.session_key,
            **form.cleaned_data,
        )
    except ApplicationError as exc:
        return exc.message
    return ""


@require_POST
def article_feedback(request: HttpRequest, slug: str) -> HttpResponse:
    found = selectors.article_get_published(slug=slug, lang=request.POST.get("lang") or _lang())
    form = ArticleFeedbackForm(request.POST)
    error = _record_vote(request, found, form)
    context = _article_context(found, form, feedback_error=error, feedback_saved=not error)
    status = 400 if error else 200
    if request.headers.get("HX-Request"):
        return render(request, "helpcenter/_article_feedback.html", context, status=status)
    if not error:
        url = reverse("helpcenter:article", args=[found.slug])
        return redirect(f"{url}?lang={found.lang}#feedback")
    return render(request, "helpcenter/article.html", context, status=status)


@public_page
def announcements(request: HttpRequest) -> HttpResponse:
    items = selectors.announcement_list(now=timezone.now())[:100]
    return _page(request, "helpcenter/announcements.html", {"announcements": items})


@public_page
def announcement(request: HttpRequest, announcement_id: int) -> HttpResponse:
    found = selectors.announcement_get(announcement_id=announcement_id, now=timezone.now())
    return _page(request, "helpcenter/announcement.html", {"announcement": found})


@public_page
def guide(request: HttpRequest) -> HttpResponse:
    return _page(request, "helpcenter/guide.html")


@public_page
def glossary(request: HttpRequest) -> HttpResponse:
    return _page(request, "helpcenter/glossary.html", {"terms": selectors.glossary_terms()})


@public_page
def contact(request: HttpRequest) -> HttpResponse:
    channels = selectors.contact_channels_with_state(now=timezone.now())
    return _page(request, "helpcenter/contact.html", {"channels": channels})


@require_GET
def verify(request: HttpRequest) -> HttpResponse:
    raw = request.GET.get("value", "")
    # Scammers could probe which look-alikes pass; allauth's limiter counts per IP.
    if raw and not rate_allowed(request, action="channel_verify"):
        context = {"value": raw[:500], "verdict": None, "channels": {}, "limited": True}
        return render(request, "helpcenter/verify.html", context, status=429)
    identity = identity_checks.identity_verdict(request, raw) if raw else None
    if identity is not None:
        context = {"value": raw[:500], "verdict": None, "channels": {}, "identity": identity}
        return render(request, "helpcenter/verify.html", context)
    verdict, channels = selectors.channel_verify(raw=raw) if raw else (None, {})
    return render(
        request,
        "helpcenter/verify.html",
        {
            "value": raw[:500],
            "verdict": verdict,
            "channels": channels,
        },
    )
