"""Identities other than contact channels that the verification page can check.

Apps above helpcenter register a check at start-up (livechat: agents' staff IDs), so the
page can answer "is this agent real?" while helpcenter imports none of them (DESIGN.md:
the arrow points one way).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest


@dataclass(frozen=True)
class IdentityVerdict:
    genuine: bool
    label: str  # what was checked, as people know it: "Omar, staff ID BCN-24680"
    detail: str = ""  # e.g. "serving your chat right now"


IdentityCheck = Callable[[HttpRequest, str], IdentityVerdict | None]
_checks: list[IdentityCheck] = []


def identity_check_register(check: IdentityCheck) -> None:
    """`check(request, raw)` answers for input it recognises, else returns None."""
    if check not in _checks:
        _checks.append(check)


def identity_verdict(request: HttpRequest, raw: str) -> IdentityVerdict | None:
    for check in _checks:
        verdict = check(request, raw)
        if verdict is not None:
            return verdict
    return None
