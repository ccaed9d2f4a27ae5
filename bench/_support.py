"""Shared set-up for benchmarks: Django on a scratch database, percentiles, the JSON line."""

from __future__ import annotations

import json
import os
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("BEACON_SHARED_DIR", ROOT.parent / "shared"))
KB_CORPUS = SHARED / "corpora" / "kb"


def django_on_scratch_database(settings_module: str = "config.settings.test") -> str:
    """Set Django up on a fresh `test_…` database (created now, never the real one); returns its name."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings_module)
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    # Its own name, so a test run on the same server at the same time is left alone.
    connection.settings_dict.setdefault("TEST", {})["NAME"] = f"beacon_bench_{os.getpid()}"
    return connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)


def drop_scratch_database(name: str) -> None:
    from django.db import connection

    connection.creation.destroy_test_db(name, verbosity=0)


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def summary_ms(samples_s: list[float]) -> dict[str, float]:
    ms = [s * 1000 for s in samples_s]
    return {"p50": round(statistics.median(ms), 2), "p99": round(percentile(ms, 99), 2)}


def emit(result: dict) -> None:
    """The last line of every benchmark: one JSON object."""
    print(json.dumps(result, ensure_ascii=False))
