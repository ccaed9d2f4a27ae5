"""Moderators' pages: the review queue, and hide / lock / move / ban.

Every view asks ForumPolicy first (a signed-in non-moderator gets a 403); the services ask
again, so no path around these pages skips the rule.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from community import selectors, services
from community.forms import BanForm, LockForm, ModerateForm, MoveForm
from community.models import Post
from community.permissions import ForumPolicy
from community.views import _lang
from core.exceptions import ApplicationError


def moderator_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not ForumPolicy.is_moderator(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _done(request: HttpRequest, where: str) -> HttpResponse:
    messages.success(request, _("Done. The action is in the moderation log."))
    return redirect(where)


@moderator_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    context = {
        **selectors.moderation_queue(),
        "log": selectors.moderation_log(),
        "bans": selectors.bans_active(),
        "moderate_form": ModerateForm(),
    }
    return render(request, "community/moderation.html", context)


@moderator_required
@require_POST
def post_moderate(request: HttpRequest, post_id: int) -> HttpResponse:
    post = get_object_or_404(Post.objects.select_related("topic"), pk=post_id)
    form = ModerateForm(request.POST)
    back = request.POST.get("next") == "queue"
    where = reverse("community:moderation") if back else _topic_url(post)
    if not form.is_valid():
        messages.error(request, _("Choose an action."))
        return redirect(where)
    try:
        services.post_moderate(actor=request.user, post=post, **form.cleaned_data)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect(where)
    return _done(request, where)


def _topic_url(post: Post) -> str:
    return reverse("community:topic", args=[post.topic_id]) + f"#post-{post.pk}"


@moderator_required
@require_POST
def topic_lock(request: HttpRequest, topic_id: int) -> HttpResponse:
    topic = selectors.topic_get_for_user(user=request.user, topic_id=topic_id)
    form = LockForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose an action."))
        return redirect("community:topic", topic_id)
    try:
        services.topic_lock(actor=request.user, topic=topic, **form.cleaned_data)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("community:topic", topic_id)
    return _done(request, reverse("community:topic", args=[topic_id]))


@moderator_required
@require_http_methods(["GET", "POST"])
def topic_move(request: HttpRequest, topic_id: int) -> HttpResponse:
    topic = selectors.topic_get_for_user(user=request.user, topic_id=topic_id)
    form = MoveForm(request.POST if request.method == "POST" else None, lang=_lang())
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        try:
            services.topic_move(actor=request.user, topic=topic, **form.cleaned_data)
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            return _done(request, reverse("community:topic", args=[topic_id]))
    return render(
        request, "community/topic_move.html", {"topic": topic, "form": form}, status=status
    )


@moderator_required
@require_http_methods(["GET", "POST"])
def ban(request: HttpRequest, uid: int) -> HttpResponse:
    person = get_object_or_404(get_user_model(), uid=uid)
    form = BanForm(request.POST if request.method == "POST" else None)
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        days = form.cleaned_data["days"]
        ends_at = timezone.now() + dt.timedelta(days=days) if days else None
        try:
            services.user_ban(
                actor=request.user, user=person, reason=form.cleaned_data["reason"], ends_at=ends_at
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            return _done(request, reverse("community:moderation"))
    context = {"person": person, "form": form, "ban": services.active_ban(person)}
    return render(request, "community/ban.html", context, status=status)


@moderator_required
@require_POST
def unban(request: HttpRequest, uid: int) -> HttpResponse:
    person = get_object_or_404(get_user_model(), uid=uid)
    try:
        services.user_unban(actor=request.user, user=person, reason=request.POST.get("reason", ""))
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("community:moderation")
    return _done(request, reverse("community:moderation"))


@login_required
@require_POST
def article_draft(request: HttpRequest, post_id: int) -> HttpResponse:
    """Staff (and moderators) only; the service says no to anyone else (403)."""
    post = selectors.post_get_for_user(user=request.user, post_id=post_id)
    try:
        article = services.answer_to_article_draft(actor=request.user, post=post)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect(_topic_url(post))
    messages.success(
        request,
        _("Saved as an article draft (%(slug)s); a writer publishes it from the help centre.")
        % {"slug": article.slug},
    )
    return redirect(_topic_url(post))
