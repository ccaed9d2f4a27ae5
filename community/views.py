"""The forum's pages for readers and posters. Plain forms: everything works without JS."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from community import selectors, services
from community.forms import ReplyForm, ReportForm, TopicForm
from community.models import Post
from community.permissions import ForumPolicy
from core.exceptions import ApplicationError
from core.ratelimits import rate_allowed
from tickets.sensitive.guard import kind_phrases


def _lang() -> str:
    return "zh-hans" if (get_language() or "").startswith("zh") else "en"


def _posting_allowed(request: HttpRequest) -> bool:
    """New accounts get the tighter limit (COMMUNITY_NEW_ACCOUNT_DAYS); both per person."""
    new = services.is_new_account(request.user)
    action = "community_post_new_account" if new else "community_post"
    return rate_allowed(request, action=action, user=request.user)


def _refusal(form, error: ApplicationError) -> int:
    form.add_error(None, error.message)
    return 403 if error.code == "banned" else 400


def _tell_outcome(request: HttpRequest, outcome: services.PostOutcome) -> None:
    if outcome.masked:
        messages.warning(
            request,
            _(
                "We hid what looked like %(what)s in what you posted. Beacon staff will "
                "never ask for your seed phrase, private key or password."
            )
            % {"what": kind_phrases(outcome.masked)},
        )
    if outcome.held:
        messages.info(
            request,
            _("Your post is waiting for a moderator's review; others will see it once approved."),
        )


def _post_url(post: Post) -> str:
    return reverse("community:topic", args=[post.topic_id]) + f"#post-{post.pk}"


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    context = {
        "categories": selectors.categories(),
        "topics": selectors.topic_list(),
        "is_moderator": ForumPolicy.is_moderator(request.user),
    }
    return render(request, "community/home.html", context)


@require_GET
def category(request: HttpRequest, slug: str) -> HttpResponse:
    found = selectors.category_get(slug=slug)
    context = {"category": found, "topics": selectors.topic_list(category=found)}
    return render(request, "community/category.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def topic_new(request: HttpRequest, slug: str) -> HttpResponse:
    found = selectors.category_get(slug=slug)
    form = TopicForm(request.POST if request.method == "POST" else None)
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        if not _posting_allowed(request):
            form.add_error(None, _("You are posting too often. Please wait a while."))
            status = 429
        else:
            try:
                outcome = services.topic_create(
                    author=request.user, category=found, language=_lang(), **form.cleaned_data
                )
            except ApplicationError as error:
                status = _refusal(form, error)
            else:
                _tell_outcome(request, outcome)
                return redirect("community:topic", outcome.post.topic_id)
    context = {"category": found, "form": form}
    return render(request, "community/topic_new.html", context, status=status)


def _topic_page(request: HttpRequest, topic_id: int, form=None, status: int = 200) -> HttpResponse:
    topic = selectors.topic_get_for_user(user=request.user, topic_id=topic_id)
    context = {
        "topic": topic,
        "posts": selectors.topic_posts_for_user(user=request.user, topic=topic),
        "form": form or ReplyForm(),
        "can_accept": ForumPolicy.can_accept(request.user, topic),
        "is_moderator": ForumPolicy.is_moderator(request.user),
        "is_staff": ForumPolicy.is_staff(request.user),
    }
    return render(request, "community/topic.html", context, status=status)


@require_GET
def topic(request: HttpRequest, topic_id: int) -> HttpResponse:
    return _topic_page(request, topic_id)


@login_required
@require_POST
def reply(request: HttpRequest, topic_id: int) -> HttpResponse:
    found = selectors.topic_get_for_user(user=request.user, topic_id=topic_id)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        return _topic_page(request, topic_id, form, status=400)
    if not _posting_allowed(request):
        form.add_error(None, _("You are posting too often. Please wait a while."))
        return _topic_page(request, topic_id, form, status=429)
    try:
        outcome = services.post_reply(author=request.user, topic=found, **form.cleaned_data)
    except ApplicationError as error:
        return _topic_page(request, topic_id, form, status=_refusal(form, error))
    _tell_outcome(request, outcome)
    return redirect(_post_url(outcome.post))


@login_required
@require_POST
def vote(request: HttpRequest, post_id: int) -> HttpResponse:
    post = selectors.post_get_for_user(user=request.user, post_id=post_id)
    try:
        services.post_vote_toggle(user=request.user, post=post)
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect(_post_url(post))


@login_required
@require_POST
def accept(request: HttpRequest, topic_id: int) -> HttpResponse:
    found = selectors.topic_get_for_user(user=request.user, topic_id=topic_id)
    if not ForumPolicy.can_accept(request.user, found):
        raise PermissionDenied
    raw = request.POST.get("post", "")
    chosen = None
    if raw:
        if not raw.isdigit():
            return _topic_page(request, topic_id, status=400)
        chosen = selectors.post_get_for_user(user=request.user, post_id=int(raw))
    try:
        services.topic_accept(actor=request.user, topic=found, post=chosen)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("community:topic", topic_id)
    messages.success(request, _("Answer marked.") if chosen else _("Answer unmarked."))
    return redirect(_post_url(chosen) if chosen else reverse("community:topic", args=[topic_id]))


@login_required
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest, post_id: int) -> HttpResponse:
    post = selectors.post_get_for_user(user=request.user, post_id=post_id)
    form = ReportForm(request.POST if request.method == "POST" else None)
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        try:
            services.post_report(reporter=request.user, post=post, **form.cleaned_data)
        except ApplicationError as error:
            status = _refusal(form, error)
        else:
            messages.success(request, _("Thank you. Moderators will look at this post."))
            return redirect(_post_url(post))
    return render(request, "community/report.html", {"post": post, "form": form}, status=status)
