"""`{% when %}` keeps its markup per moment (tickets.templatetags.workspace): what it
gives from the kept copy is what it would make afresh, in each language, zone and day."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from unittest import mock

from django.utils import timezone, translation

from tickets.templatetags.workspace import _when_html, when

MOMENT = dt.datetime(2026, 3, 1, 23, 5, tzinfo=dt.UTC)


def afresh(moment: dt.datetime, style: str) -> str:
    today = timezone.localdate() if style == "short" else None
    zone = timezone.get_current_timezone()
    return _when_html.__wrapped__(moment, style, translation.get_language(), zone, today)


def test_kept_times_are_made_afresh_for_each_language_and_zone():
    shown = {}
    for _round in range(2):  # the second round from the kept copies
        for language in ("en", "zh-hans"):
            for zone in ("UTC", "Asia/Shanghai", "America/New_York"):
                for style in ("long", "short"):
                    with translation.override(language), timezone.override(zone):
                        got = when(MOMENT, style)
                        assert got == afresh(MOMENT, style)
                        shown.setdefault((language, zone, style), got)
                        assert got == shown[(language, zone, style)]
    # (and each language and each zone shows it differently: the keys matter)
    for (language, zone, style), got in shown.items():
        other_language = "zh-hans" if language == "en" else "en"
        assert got != shown[(other_language, zone, style)]
        assert got != shown[(language, "Asia/Shanghai" if zone == "UTC" else "UTC", style)]


def test_a_kept_short_time_turns_into_a_date_when_the_day_changes():
    # given: "short" shows the time alone on the moment's own day
    zone = zoneinfo.ZoneInfo("Asia/Shanghai")
    with translation.override("en"), timezone.override(zone):
        on_the_day = MOMENT + dt.timedelta(hours=1)
        with mock.patch("django.utils.timezone.now", return_value=on_the_day):
            same_day = when(MOMENT, "short")
        # when: the next day comes
        with mock.patch("django.utils.timezone.now", return_value=on_the_day + dt.timedelta(1)):
            next_day = when(MOMENT, "short")
    # then: the date shows again
    assert ">7:05 a.m.</time>" in same_day
    assert ">03/02/2026 7:05 a.m.</time>" in next_day
