"""The chat's sensitive-data guard: re-exported from tickets.sensitive.guard, its one home."""

from tickets.sensitive.guard import KINDS, MASK_EN, MASK_ZH, Scan, scan

__all__ = ["KINDS", "MASK_EN", "MASK_ZH", "Scan", "scan"]
