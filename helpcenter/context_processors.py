from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone

from helpcenter import banner


def site_banner(request: HttpRequest) -> dict[str, object]:
    """The active maintenance announcement, shown as a banner on every page."""
    if request.path.startswith(("/admin/", "/api/", "/healthz")):
        return {}
    return {"maintenance_banner": banner.maintenance_banner(timezone.now())}
