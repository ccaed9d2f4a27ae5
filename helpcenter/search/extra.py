"""Results from outside the help centre, shown after the articles (the community forum's
accepted and staff answers). An app above helpcenter registers a source in its
AppConfig.ready; helpcenter imports none of them. They never enter the articles' ranking
or the bot's confidence: community text is not Beacon's editorial voice.
"""

from __future__ import annotations

from collections.abc import Callable

from core.registry import Registry

# source(query, language, limit) -> list of objects with title, url, excerpt, staff_id,
# accepted (what templates/helpcenter/_extra_results.html shows)
Source = Callable[[str, str, int], list]
LIMIT = 5
# A failing source is logged and skipped: the articles still answer the search page.
_sources: Registry[Source] = Registry("search extra results", skip_failing=True)
register = _sources.register


def extra_results(query: str, lang: str) -> list:
    """Every source's results for `query`; one that fails costs only its own results."""
    return _sources.collect(lambda source: source(query, lang, LIMIT))
