"""One exception family for failures a user can act on; mapped to HTTP in core.api."""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    """A rule of the domain said no; `message` is safe to show to the user."""

    status_code = 400

    def __init__(self, message: str, *, code: str = "invalid", extra: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.extra = extra or {}


class NotFound(ApplicationError):
    """Missing, or not yours: callers must not be able to tell which."""

    status_code = 404
