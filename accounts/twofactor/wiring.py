"""Imported once from AccountsConfig.ready: registers the emails and connects the receivers."""

from accounts.twofactor import notices, receivers  # noqa: F401  (receivers connect on import)

notices.register_kinds()
