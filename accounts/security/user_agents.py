"""A short, readable name for a user agent: "Chrome 120 on Windows", "Mobile Safari 17 on iPhone"."""

from __future__ import annotations

from functools import lru_cache

from django.utils.translation import gettext as _
from ua_parser import parse

# Families ua-parser answers when it does not know; they say nothing to a person.
_UNKNOWN = {"", "Other", "Generic Smartphone", "Generic Feature Phone", "Generic Tablet"}


@lru_cache(maxsize=2048)
def _parts(user_agent: str) -> tuple[str, str]:
    """(browser, platform), each empty when unknown; cached, the parser is regex work."""
    result = parse(user_agent)
    browser = ""
    if result.user_agent and result.user_agent.family not in _UNKNOWN:
        browser = result.user_agent.family
        if result.user_agent.major:
            browser = f"{browser} {result.user_agent.major}"
    platform = ""
    if result.device and result.device.family not in _UNKNOWN:
        # A phone or tablet says more by its name than by its OS ("iPhone", "Pixel 7").
        platform = result.device.family
    elif result.os and result.os.family not in _UNKNOWN:
        platform = result.os.family
    return browser, platform


def user_agent_label(user_agent: str) -> str:
    """Translated label for the login history and alert emails; never empty."""
    browser, platform = _parts((user_agent or "")[:300])
    if browser and platform:
        return _("%(browser)s on %(platform)s") % {"browser": browser, "platform": platform}
    return browser or platform or _("Unknown browser")
