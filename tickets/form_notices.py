"""What the request form tells a customer before they file, from apps tickets does not
know (incidents: "this is a known issue; you do not need to wait for an answer to learn
more"). A source registers itself in its AppConfig.ready; the form page asks every
source with the chosen type and what has been typed so far.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from core.registry import Registry


@dataclass(frozen=True)
class FormNotice:
    title: str
    text: str
    url: str = ""


# source(type_slug=…, values=dict of the form's fields, subject=…, lang=…, user=…)
#   -> list[FormNotice]
Source = Callable[..., list[FormNotice]]
# A failing source is logged and skipped: the customer's request form still opens and
# files; it only lacks that source's notice.
_sources: Registry[Source] = Registry("request form notices", skip_failing=True)
register = _sources.register


def notices_for(
    *, type_slug: str, values: dict, subject: str, lang: str, user=None
) -> list[FormNotice]:
    """`user`: who is shown them (a source may count it)."""
    return _sources.collect(
        lambda source: source(
            type_slug=type_slug, values=values, subject=subject, lang=lang, user=user
        )
    )
