"""Geometry for the dashboard's server-made SVG charts (no JavaScript library needed).

The templates draw; these functions only scale numbers to the drawing area.
"""

from __future__ import annotations

from dataclasses import dataclass

from tickets.reports import Share

LINE_WIDTH, LINE_HEIGHT = 600, 160


@dataclass(frozen=True)
class Bar:
    label: str
    value: float  # what the bar shows (a percentage or a count)
    text: str  # the value as printed beside the bar
    width: float  # 0–100, percent of the drawing width


def share_bars(shares: list[Share]) -> list[Bar]:
    """Compliance bars: the full width is 100 %."""
    return [
        Bar(s.label, s.percent or 0.0, f"{s.percent:.1f} % ({s.met}/{s.total})", s.percent or 0.0)
        for s in shares
        if s.percent is not None
    ]


def count_bars(pairs: list[tuple[object, int]]) -> list[Bar]:
    """Count bars: the longest bar is the full width."""
    top = max((n for _label, n in pairs), default=0) or 1
    return [Bar(str(label), n, str(n), 100 * n / top) for label, n in pairs]


@dataclass(frozen=True)
class Line:
    points: str  # for <polyline points="…">
    dots: list[tuple[float, float, Share]]


def compliance_line(shares: list[Share]) -> Line | None:
    """Compliance over time: x by bucket, y from 0 % (bottom) to 100 % (top)."""
    known = [s for s in shares if s.percent is not None]
    if not known:
        return None
    step = LINE_WIDTH / max(len(known) - 1, 1)
    dots = [
        (round(i * step, 1), round(LINE_HEIGHT * (1 - (s.percent or 0) / 100), 1), s)
        for i, s in enumerate(known)
    ]
    return Line(" ".join(f"{x},{y}" for x, y, _s in dots), dots)
