"""Results from outside the help centre, shown after the articles (the community forum's
accepted and staff answers). An app above helpcenter registers a source in its
AppConfig.ready; helpcenter imports none of them. They never enter the articles' ranking
or the bot's confidence: community text is not Beacon's editorial voice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

logger = logging.getLogger(__name__)

# source(query, language, limit) -> list of objects with title, url, excerpt, staff_id,
# accepted (what templates/helpcenter/_extra_results.html shows)
Source = Callable[[str, str, int], list]
_sources: list[Source] = []
LIMIT = 5


def register(source: Source) -> None:
    if source not in _sources:
        _sources.append(source)


def extra_results(query: str, lang: str) -> list:
    """Every source's results for `query`; one that fails costs only its own results."""
    found: list = []
    for source in _sources:
        try:
            found.extend(source(query, lang, LIMIT))
        except Exception:  # noqa: BLE001 - the articles still answer
            logger.exception("search: an extra result source failed")
    return found
