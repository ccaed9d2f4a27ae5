"""What a valid anti-phishing code and phone number look like, and how they are shown masked."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

CODE_MIN, CODE_MAX = 4, 20
# ASCII letters, digits and hyphens: they look the same in every mail client and font,
# and a look-alike letter from another script cannot pass for the real code.
_CODE = re.compile(r"^[A-Za-z0-9-]+$")
PHONE_INPUT_MAX = 32
# E.164: "+", a country code not starting with 0, at most 15 digits in all; 8 at least
# keeps out obvious typos. Spaces, dots, dashes and brackets are allowed while typing.
_PHONE = re.compile(r"^\+[1-9][0-9]{7,14}$")
_PHONE_SEPARATORS = re.compile(r"[\s.()\-]")


def code_clean(value: str) -> str:
    code = (value or "").strip()
    if not code:
        raise ValidationError(_("Enter an anti-phishing code."), code="required")
    if not CODE_MIN <= len(code) <= CODE_MAX:
        raise ValidationError(
            _("The code must be %(min)d to %(max)d characters long.")
            % {"min": CODE_MIN, "max": CODE_MAX},
            code="length",
        )
    if not _CODE.match(code):
        raise ValidationError(_("Use only letters A–Z, digits and hyphens."), code="characters")
    return code


def code_masked(code: str) -> str:
    """The first two characters, then a dot per hidden character."""
    if not code:
        return ""
    return code[:2] + "•" * (len(code) - 2)


def phone_clean(value: str) -> str:
    """The number in E.164 form ("+8613800138000"), or a ValidationError."""
    raw = (value or "").strip()
    if len(raw) > PHONE_INPUT_MAX:
        raise ValidationError(_("That is too long for a phone number."), code="max_length")
    number = _PHONE_SEPARATORS.sub("", raw)
    if number.startswith("00"):
        number = "+" + number[2:]
    if not _PHONE.match(number):
        raise ValidationError(
            _("Enter the number with its country code, for example +86 138 0013 8000."),
            code="invalid",
        )
    return number


def phone_masked(phone: str) -> str:
    """The country-code start and the last four digits: "+86•••••••8000"."""
    if not phone:
        return ""
    return phone[:3] + "•" * max(len(phone) - 7, 0) + phone[-4:]
