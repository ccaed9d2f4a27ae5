"""Fixtures of the access matrix: the world (tests/access/world.py), signed in, with
production's staff 2FA rule."""

from __future__ import annotations

import pytest

from tests.access.world import World, build_world, sign_in_everyone


@pytest.fixture
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"
    return settings.MEDIA_ROOT


@pytest.fixture
def staff_mfa_rule(settings):
    """Production's rule: staff reach the console, the admin and the API only with 2FA."""
    settings.BEACON_STAFF_MFA_REQUIRED = True


@pytest.fixture
def world(db, private_media, staff_mfa_rule) -> World:
    built = build_world()
    sign_in_everyone(built)
    return built
