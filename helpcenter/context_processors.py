from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone

from helpcenter import selectors


def site_banner(request: HttpRequest) -> dict[str, object]:
    """The active maintenance announcement, shown as a banner on every page."""
    if request.path.startswith(("/admin/", "/api/", "/healthz")):
        return {}
    return {"maintenance_banner": selectors.announcement_active_maintenance(now=timezone.now())}
