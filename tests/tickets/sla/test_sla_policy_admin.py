"""Only one SLA policy per type and priority, "any" included: checked before saving."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from tickets.models import SlaPolicy

pytestmark = pytest.mark.django_db


def test_a_second_catch_all_policy_is_refused_by_validation():
    # given
    SlaPolicy.objects.create(name="Default", first_response_minutes=60)
    twin = SlaPolicy(name="Default again", first_response_minutes=30)
    # when / then
    with pytest.raises(ValidationError):
        twin.full_clean()


@pytest.mark.parametrize("percent", [0, 100, 250])
def test_a_warning_threshold_outside_1_to_99_is_refused(percent):
    with pytest.raises(ValidationError):
        SlaPolicy(name="Odd", warn_at_percent=percent).full_clean()
