"""Fixtures of the help-centre tests: this run's Celery queue on the real broker."""

from __future__ import annotations

import pytest

from tests.celery_queue import BrokerQueue


@pytest.fixture
def task_queue(broker_queue: BrokerQueue) -> BrokerQueue:
    """The shared `broker_queue` (tests/conftest.py), by the help-centre tests' name."""
    return broker_queue
