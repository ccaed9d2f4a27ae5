"""What can go wrong with a KYC submission or review, with a message for the person."""

from __future__ import annotations

from core.exceptions import ApplicationError


class KycLevelNotOpen(ApplicationError):
    """The level is already approved, or the one below it is not yet."""

    status_code = 409


class KycAlreadyPending(ApplicationError):
    """A submission for this level is still under review."""

    status_code = 409


class KycAlreadyDecided(ApplicationError):
    """Someone decided on this submission first."""

    status_code = 409


class KycOwnSubmission(ApplicationError):
    """Reviewers may not decide on their own identity."""

    status_code = 403
