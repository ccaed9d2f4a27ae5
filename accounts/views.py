from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from accounts import services
from accounts.forms import PreferencesForm
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
    user = request.user
    form = PreferencesForm(
        request.POST or None, initial={"language": user.language, "time_zone": user.time_zone}
    )
    if request.method == "POST" and form.is_valid():
        services.user_preferences_update(user=user, **form.cleaned_data)
        messages.success(request, _("Your preferences are saved."))
        response = redirect("accounts:preferences")
        response.delete_cookie("beacon_language")
        return response
    return render(
        request, "accounts/preferences.html", {"form": form}, status=400 if form.errors else 200
    )
