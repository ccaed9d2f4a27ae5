"""The maintenance banner every page shows (context_processors.site_banner), kept in each
process instead of read on every request (issue 19: one statement off every page).

The kept banner is used until the first of: the help centre's content generation moved
(an announcement saved or deleted through the services bumps it at commit, and every
process sees that within a second: search/cache.py), the next moment a maintenance
announcement starts or ends (so a scheduled window opens and closes on time), or
MAX_AGE seconds (a change made without the services). A save or delete in this process
forgets it at once.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from helpcenter import selectors
from helpcenter.models import Announcement
from helpcenter.search import cache

MAX_AGE = 30.0


@dataclass(frozen=True)
class _Kept:
    generation: int
    until: dt.datetime | None  # the next start or end of a maintenance announcement
    expires: float  # time.monotonic()
    banner: Announcement | None


_kept: list[_Kept] = []  # at most one; a list so threads replace it whole


def maintenance_banner(now: dt.datetime) -> Announcement | None:
    generation = cache.generation()
    kept = _kept[0] if _kept else None
    if (
        kept is not None
        and kept.generation == generation
        and (kept.until is None or now < kept.until)
        and time.monotonic() < kept.expires
    ):
        return kept.banner
    banner = selectors.announcement_active_maintenance(now=now)
    until = selectors.maintenance_next_change(now=now)
    _kept[:] = [_Kept(generation, until, time.monotonic() + MAX_AGE, banner)]
    return banner


def forget() -> None:
    _kept.clear()


@receiver([post_save, post_delete], sender=Announcement, dispatch_uid="banner-forget")
def _announcement_changed(**kwargs: object) -> None:
    forget()
