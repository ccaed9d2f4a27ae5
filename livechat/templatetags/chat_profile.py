"""A chat profile's languages and skills as people read them, in the page's language."""

from __future__ import annotations

from django import template
from django.conf import settings

from livechat.models import Conversation

register = template.Library()


@register.filter
def language_names(codes: list[str] | None) -> list[str]:
    names = dict(settings.LANGUAGES)
    return [str(names.get(code, code)) for code in codes or []]


@register.filter
def skill_names(values: list[str] | None) -> list[str]:
    labels = dict(Conversation.Skill.choices)
    return [str(labels.get(value, value)) for value in values or []]
