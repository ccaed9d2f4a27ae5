"""{% load roles %} … {% if user|has_role:"security_reviewer" %}: menus by role."""

from __future__ import annotations

from django import template

from accounts.models import Role
from accounts.selectors import user_has_role

register = template.Library()


@register.filter
def has_role(user, role_name: str) -> bool:
    return user_has_role(user=user, role=Role(role_name))
