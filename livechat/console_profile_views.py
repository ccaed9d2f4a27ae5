"""Chat profiles in the console: an agent's own, and (supervisors) every agent's.

Who may edit whose profile is the service's rule (chat_profiles.profile_may_edit).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import User
from core.exceptions import ApplicationError, NotFound
from livechat.console_views import agents_only
from livechat.forms import ChatProfileForm
from livechat.models import AgentPresence
from livechat.selectors import chat_agents
from livechat.services.chat_profiles import agent_profile_update, profile_may_edit
from livechat.services.presence import presence_for
from tickets.permissions import is_supervisor


@require_http_methods(["GET", "POST"])
@agents_only
def own_profile(request: HttpRequest) -> HttpResponse:
    return _profile_page(request, request.user)


@require_http_methods(["GET", "POST"])
@agents_only
def agent_profile(request: HttpRequest, agent_id: int) -> HttpResponse:
    agent = User.objects.filter(pk=agent_id).first()
    if agent is None or not profile_may_edit(actor=request.user, agent=agent):
        raise Http404
    return _profile_page(request, agent)


@require_GET
@agents_only
def agent_roster(request: HttpRequest) -> HttpResponse:
    """Every agent's profile and status, for supervisors."""
    if not is_supervisor(request.user):
        raise PermissionDenied
    return render(request, "livechat/console/agents.html", {"rows": chat_agents()})


def _profile_page(request: HttpRequest, agent: User) -> HttpResponse:
    presence = presence_for(agent)
    form = ChatProfileForm(
        request.POST if request.method == "POST" else None, initial=_initial(presence)
    )
    if form.is_bound and form.is_valid():
        try:
            agent_profile_update(actor=request.user, agent=agent, **form.cleaned_data)
        except NotFound as exc:
            raise Http404 from exc
        except ApplicationError as exc:
            for field, message in exc.extra.items():
                form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(request, _("Chat profile saved."))
            return redirect(request.get_full_path())
    context = {"form": form, "agent": agent, "presence": presence, "own": agent == request.user}
    status = 400 if form.is_bound else 200
    return render(request, "livechat/console/profile.html", context, status=status)


def _initial(presence: AgentPresence) -> dict:
    return {
        "languages": presence.languages,
        "skills": presence.skills,
        "capacity": presence.capacity,
    }
