from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from accounts import notifications, services
from accounts.forms import NotificationPreferencesForm, PreferencesForm
from accounts.models import User


@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """Django's set_language (cookie + redirect), remembering the choice for signed-in users."""
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in User.Language.values:
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
        messages.success(request, _("Your preferences are saved."))
        response = redirect("accounts:preferences")
        response.delete_cookie("beacon_language")
        return response
    context = {"form": form, "notify_form": notify_form}
    invalid = bool(form.errors or notify_form.errors)
    return render(request, "accounts/preferences.html", context, status=400 if invalid else 200)
