from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse, QueryDict
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

import notifications
from accounts import services
from accounts.forms import NotificationPreferencesForm, PreferencesForm
from accounts.models import User


# The help pages a visitor reads come from a shared cache (helpcenter.caching) with no
# CSRF token in them; script fetches one, so without JavaScript the language form has
# none. For a visitor the switch only sets their language cookie (forged, it changes the
# language someone reads in), so it needs no token; for a signed-in user it saves a
# choice on their account, which does.
@csrf_exempt
@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """Django's set_language (cookie + redirect), remembering the choice for signed-in users."""
    language = request.POST.get("language", "")
    if request.user.is_authenticated:
        refused = CsrfViewMiddleware(lambda _request: None).process_view(request, None, (), {})
        if refused is not None:
            return refused
        if language in User.Language.values:
            services.user_preferences_update(user=request.user, language=language)
    return set_language(request)


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    """Language, time zone and notifications: saved together, or nothing is saved."""
    user, data = request.user, request.POST if request.method == "POST" else None
    form = PreferencesForm(data, initial={"language": user.language, "time_zone": user.time_zone})
    choices = notifications.notification_preferences_for(user=user)
    notify_form = NotificationPreferencesForm(data, choices=choices)
    if data is not None and all([form.is_valid(), notify_form.is_valid()]):
        with transaction.atomic():
            services.user_preferences_update(user=user, **form.cleaned_data)
            notifications.notification_preferences_update(user=user, choices=notify_form.choices())
        # Shown by the next page, which speaks the language just saved (no cookie now).
        with translation.override(user.language):
            messages.success(request, _("Your preferences are saved."))
        response = redirect("accounts:preferences")
        response.delete_cookie("beacon_language")
        return response
    context = {"form": form, "notify_form": notify_form}
    invalid = bool(form.errors or notify_form.errors)
    return render(request, "accounts/preferences.html", context, status=400 if invalid else 200)


# The page is the bell without JavaScript; past the latest 50, items are long handled.
NOTIFICATIONS_PAGE_LIMIT = 50
# ASCII digits only ("٣".isdigit() is true), and few enough to fit the bigint id.
_NOTIFICATION_ID = re.compile(r"[0-9]{1,18}")


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    """The person's own bell items, newest first; customers have none yet."""
    return _notification_page(request)


@login_required
@require_POST
def notification_mark_read(request: HttpRequest) -> HttpResponse:
    """Mark the posted ids (or, with `all`, everything) read, then go back.

    Other people's ids are ignored by the service; ids that are not ids are a 400.
    """
    try:
        notifications.bell_mark_read(user=request.user, ids=_posted_ids(request.POST))
    except ValueError:
        error = _("Those notifications could not be marked as read.")
        return _notification_page(request, error=error, status=400)
    messages.success(request, _("Marked as read."))
    return redirect(_next_url(request))


def _notification_page(request: HttpRequest, *, error: str = "", status: int = 200) -> HttpResponse:
    rows = notifications.bell_recent(user=request.user, limit=NOTIFICATIONS_PAGE_LIMIT)
    context = {
        "items": [{**notifications.bell_item(row), "when": row.created_at} for row in rows],
        "unread": notifications.bell_unread_count(user=request.user),
        "limit": NOTIFICATIONS_PAGE_LIMIT,
        "error": error,
    }
    return render(request, "accounts/notifications.html", context, status=status)


def _posted_ids(data: QueryDict) -> list[int] | None:
    """None for "all"; else the posted ids, or ValueError when there are none or not ids."""
    if data.get("all"):
        return None
    values = data.getlist("ids")
    if not values or not all(_NOTIFICATION_ID.fullmatch(value) for value in values):
        raise ValueError("ids must be notification ids")
    return [int(value) for value in values]


def _next_url(request: HttpRequest) -> str:
    """Back to the page the form was on, if it is one of ours."""
    target = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if safe else reverse("accounts:notifications")
