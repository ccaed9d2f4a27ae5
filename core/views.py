from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core import health


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Readiness: 503 only when the database does not answer; Redis's parts are reported.

    Every page needs the database. Without Redis (the channel layer and the broker) every
    page still answers, the emergency freeze included (README, "When a part fails"), and a
    Redis outage hits every web process at once: failing readiness for it would take the
    whole portal out of the load balancer just when customers need the freeze. The body
    says "degraded" and names the part, for monitoring."""
    checks = {
        "database": health.check_database(),
        "channel_layer": health.check_channel_layer(),
        "broker": health.check_broker(),
    }
    body = {name: ("ok" if error is None else f"down: {error}") for name, error in checks.items()}
    body["status"] = "ok" if all(error is None for error in checks.values()) else "degraded"
    return JsonResponse(body, status=200 if checks["database"] is None else 503)


@require_GET
@never_cache
def ping(request: HttpRequest) -> HttpResponse:
    """Liveness: the process answers; needs no database, Redis or session (ProbeMiddleware)."""
    return HttpResponse("pong", content_type="text/plain")
