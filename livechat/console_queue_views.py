"""The waiting line in the console: take a chat, or (supervisors) give one to an agent.

The decision is the service's (livechat.services.pickup). Both actions answer JSON to
fetch (Accept: application/json; refusals with their own status, 409 when someone was
quicker) and a redirect with a message to a plain form.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.exceptions import ApplicationError, NotFound
from livechat.console_views import agents_only
from livechat.models import Conversation
from livechat.selectors import waiting_for_console
from livechat.services.pickup import conversation_assign_to, conversation_take
from livechat.services.routing import conversation_summary
from tickets.permissions import is_supervisor


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@require_GET
@agents_only
def waiting(request: HttpRequest) -> HttpResponse:
    """Every waiting chat, which ones this agent may take, and (supervisors) to whom."""
    rows = waiting_for_console(user=request.user)
    # Each row names its customer: one query for all of them, not one a row.
    prefetch_related_objects([row.conversation for row in rows], "customer")
    context = {
        "rows": rows,
        "supervisor": is_supervisor(request.user),
    }
    return render(request, "livechat/console/waiting.html", context)


@require_POST
@agents_only
def take(request: HttpRequest, public_id) -> HttpResponse:
    return _act(request, lambda: conversation_take(user=request.user, public_id=public_id))


@require_POST
@agents_only
def assign(request: HttpRequest, public_id) -> HttpResponse:
    if not is_supervisor(request.user):
        raise PermissionDenied
    staff_id = request.POST.get("agent", "")
    return _act(
        request,
        lambda: conversation_assign_to(user=request.user, public_id=public_id, staff_id=staff_id),
    )


def _act(request: HttpRequest, action: Callable[[], Conversation]) -> HttpResponse:
    try:
        conversation = action()
    except NotFound as exc:
        if _wants_json(request):
            return JsonResponse({"code": exc.code, "message": exc.message}, status=404)
        raise Http404 from exc
    except ApplicationError as exc:
        if _wants_json(request):
            body = {"code": exc.code, "message": exc.message}
            return JsonResponse(body, status=exc.status_code)
        messages.error(request, exc.message)
        return redirect(reverse("chat_console:waiting"))
    if _wants_json(request):
        return JsonResponse({"conversation": conversation_summary(conversation)})
    if conversation.agent_id == request.user.pk:
        messages.success(request, _("The chat is yours."))
        return redirect(reverse("chat_console:home"))
    messages.success(
        request,
        _("The chat was given to %(name)s.")
        % {"name": conversation.agent.first_name or conversation.agent.email},
    )
    return redirect(reverse("chat_console:waiting"))
