"""More about a chat's customer in the agent's context panel, from apps livechat does not
know (outside: the Telegram / X / Discord user and whether they linked an account). A
panel source registers in its AppConfig.ready and returns HTML it rendered itself (its
own template, autoescaped) or "" for a chat it has nothing to say about.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.safestring import SafeString, mark_safe

from core.registry import Registry

# source(conversation) -> str (HTML from render_to_string)
Source = Callable[..., str]
# Not skipped when failing: a panel may carry a warning for the agent (outside: "an
# anonymous visitor, do not discuss account details"); the context panel failing
# visibly is safer than the warning silently missing. Only agents see this page.
_sources: Registry[Source] = Registry("console panels", skip_failing=False)
register = _sources.register


def panels_for(conversation) -> list[SafeString]:
    rendered = _sources.collect(lambda source: [source(conversation)])
    return [mark_safe(html) for html in rendered if html]  # noqa: S308 - rendered templates
