"""DRF's browsable API under the site's Content-Security-Policy."""

from __future__ import annotations

from typing import Any

from csp.constants import UNSAFE_INLINE
from rest_framework import renderers


class BrowsableAPIRenderer(renderers.BrowsableAPIRenderer):
    """DRF's HTML pages, with the one CSP exception their templates need: inline styles.

    DRF's templates carry style= attributes and a <style> block (syntax highlighting) that
    we would have to copy whole to change; scripts stay 'self'. JSON answers of the same
    views keep the strict policy, since only this renderer relaxes it.
    """

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: dict[str, Any] | None = None,
    ) -> Any:
        response = (renderer_context or {}).get("response")
        if response is not None:
            # What django-csp's @csp_update sets on a view's response; read by its middleware.
            response._csp_update = {"style-src": [UNSAFE_INLINE]}
        return super().render(data, accepted_media_type, renderer_context)
