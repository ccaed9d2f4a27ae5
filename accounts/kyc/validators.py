"""Checks on what a customer says about themselves, shared by the form and the service."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries import countries

ADULT_AGE = 18
OLDEST_AGE = 130  # an earlier year is a typing mistake


def _years_between(born: dt.date, today: dt.date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def validate_birth_date(value: dt.date | None) -> None:
    if value is None:
        raise ValidationError(_("Enter your date of birth."), code="blank")
    today = timezone.localdate()
    if value > today:
        raise ValidationError(_("The date of birth cannot be in the future."), code="future")
    age = _years_between(value, today)
    if age < ADULT_AGE:
        raise ValidationError(
            _("You must be at least %(age)d years old to verify your identity.")
            % {"age": ADULT_AGE},
            code="minor",
        )
    if age > OLDEST_AGE:
        raise ValidationError(_("Check the year of your date of birth."), code="too_old")


def validate_nationality(value: str) -> None:
    if value not in countries:
        raise ValidationError(_("Choose a country from the list."), code="country")


def validate_legal_name(value: str) -> None:
    if not value.strip():
        raise ValidationError(_("Enter your legal name."), code="blank")
