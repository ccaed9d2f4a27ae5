"""What the request form tells a customer before they file, from apps tickets does not
know (incidents: "this is a known issue; you do not need to wait for an answer to learn
more"). A source registers itself in its AppConfig.ready; the form page asks every
source with the chosen type and what has been typed so far.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class FormNotice:
    title: str
    text: str
    url: str = ""


# source(type_slug=…, values=dict of the form's fields, subject=…, lang=…, user=…)
#   -> list[FormNotice]
Source = Callable[..., list[FormNotice]]
_sources: list[Source] = []


def register(source: Source) -> None:
    if source not in _sources:
        _sources.append(source)


def notices_for(
    *, type_slug: str, values: dict, subject: str, lang: str, user=None
) -> list[FormNotice]:
    """`user`: who is shown them (a source may count it)."""
    found: list[FormNotice] = []
    for source in _sources:
        found.extend(
            source(type_slug=type_slug, values=values, subject=subject, lang=lang, user=user)
        )
    return found
