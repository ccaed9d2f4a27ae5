"""The platform adapters; importing this package registers each (base.register)."""

from outside.adapters import discord, telegram, x  # noqa: F401
from outside.adapters.base import adapter_for, adapters

__all__ = ["adapter_for", "adapters"]
