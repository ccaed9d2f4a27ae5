from __future__ import annotations

import pytest

from tests.perf.helpers import people


@pytest.fixture
def world(db):
    return people()
