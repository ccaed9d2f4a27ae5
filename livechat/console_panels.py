"""More about a chat's customer in the agent's context panel, from apps livechat does not
know (outside: the Telegram / X / Discord user and whether they linked an account). A
panel source registers in its AppConfig.ready and returns HTML it rendered itself (its
own template, autoescaped) or "" for a chat it has nothing to say about.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.safestring import SafeString, mark_safe

# source(conversation) -> str (HTML from render_to_string)
Source = Callable[..., str]
_sources: list[Source] = []


def register(source: Source) -> None:
    if source not in _sources:
        _sources.append(source)


def panels_for(conversation) -> list[SafeString]:
    rendered = (source(conversation) for source in _sources)
    return [mark_safe(html) for html in rendered if html]  # noqa: S308 - rendered templates
