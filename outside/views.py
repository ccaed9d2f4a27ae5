"""Webhooks the platforms call, and the customer's Linked channels page."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from core.client_ip import client_ip
from core.exceptions import ApplicationError
from outside import selectors, services
from outside.adapters import adapter_for
from outside.adapters.base import BadRequest, Refused

logger = logging.getLogger(__name__)


@csrf_exempt  # the platform signs the request instead
def webhook(request: HttpRequest, platform: str) -> HttpResponse:
    """Verify, parse, store once, answer 200 fast. A refused signature stores nothing."""
    adapter = adapter_for(platform)
    if adapter is None or not adapter.configured():
        raise Http404
    if request.method not in ("GET", "POST") or (request.method == "GET" and platform != "x"):
        return HttpResponse(status=405)
    try:
        parsed = adapter.parse(request)
    except Refused as refused:
        logger.warning(
            "outside: %s webhook refused (%s) from %s", platform, refused.reason, client_ip(request)
        )
        return HttpResponse(status=refused.status)
    except BadRequest as bad:
        logger.info("outside: %s webhook unreadable: %s", platform, bad)
        return JsonResponse({"error": "bad_request"}, status=400)
    for message in parsed.messages:
        services.inbound_receive(message=message, request=request)  # 200 even when limited
    return parsed.response or JsonResponse({"ok": True})


@login_required
def linked_channels(request: HttpRequest) -> HttpResponse:
    """Linked Telegram / X / Discord accounts, and a one-time code to link another."""
    code = expires_at = None
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "code":
            code, row = services.link_code_create(user=request.user)
            expires_at = row.expires_at
        elif action == "unlink":
            contact_id = request.POST.get("contact", "")
            try:
                services.contact_unlink(
                    user=request.user, contact_id=int(contact_id) if contact_id.isdigit() else 0
                )
            except ApplicationError as error:
                messages.error(request, error.message)
                return redirect("outside:linked-channels")
            messages.success(request, _("The account is unlinked."))
            return redirect("outside:linked-channels")
        else:
            return HttpResponse(_("Unknown action."), status=400)
    context = {
        "contacts": selectors.linked_contacts_for(user=request.user),
        "code": code,
        "expires_at": expires_at,
    }
    response = render(request, "outside/linked_channels.html", context)
    response["Cache-Control"] = "no-store"  # the code is shown once
    return response
