from __future__ import annotations

from django import template
from django.utils.translation import gettext

from accounts.freeze.services import DEFAULT_REASONS
from accounts.models import AccountFreeze

register = template.Library()


@register.filter
def freeze_reason(freeze: AccountFreeze) -> str:
    """The freeze's reason; the one Beacon stored when the person gave none, in the
    viewer's language (it is stored in English, for every viewer)."""
    default = DEFAULT_REASONS.get(freeze.source)
    return gettext(default) if default and freeze.reason == default else freeze.reason
