"""Security reviewers' pages, mounted under /console/security/ (names are security_desk:<name>)."""

from __future__ import annotations

urlpatterns: list = []
