from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core import health


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Readiness: 200 only when the database, the channel layer and the broker all answer."""
    checks = {
        "database": health.check_database(),
        "channel_layer": health.check_channel_layer(),
        "broker": health.check_broker(),
    }
    body = {name: ("ok" if error is None else f"down: {error}") for name, error in checks.items()}
    healthy = all(error is None for error in checks.values())
    body["status"] = "ok" if healthy else "degraded"
    return JsonResponse(body, status=200 if healthy else 503)


@require_GET
@never_cache
def ping(request: HttpRequest) -> HttpResponse:
    """Liveness: the process answers; needs no database, Redis or session (ProbeMiddleware)."""
    return HttpResponse("pong", content_type="text/plain")
