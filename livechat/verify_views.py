"""`GET /chat/verify-agent?staff_id=BCN-12345&conversation=<id>`: the widget's check."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core.ratelimits import rate_allowed
from livechat.verification import agent_check


@require_GET
def verify_agent(request: HttpRequest) -> JsonResponse:
    """Always JSON; the widget shows `genuine` and `serving` (null: not asked or not yours)."""
    if not rate_allowed(request, action="channel_verify"):
        return JsonResponse({"error": _("Too many checks; wait a minute.")}, status=429)
    staff_id = request.GET.get("staff_id", "")
    if not staff_id.strip():
        return JsonResponse({"error": _("Enter a staff ID, like BCN-12345.")}, status=400)
    check = agent_check(
        staff_id=staff_id,
        conversation_id=request.GET.get("conversation", ""),
        user=request.user,
        session_key=request.session.session_key,
    )
    return JsonResponse(
        {
            "staff_id": check.staff_id,
            "genuine": check.genuine,
            "name": check.name,
            "serving": check.serving,
        }
    )
