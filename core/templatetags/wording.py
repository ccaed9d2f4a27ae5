"""Punctuation that differs between the languages Beacon speaks."""

from __future__ import annotations

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, pgettext

register = template.Library()


@register.simple_tag
def colon() -> str:
    """The colon after a label, spacing included: "Status: " in English, "状态：" in
    Chinese, whose full-width colon carries its own space.

    Write the label and the value around it with no space: {% translate "Status" %}{% colon %}…
    """
    mark = gettext(":")  # Django's own label suffix, so forms and pages agree
    return mark + " " if mark.isascii() else mark


@register.simple_tag
def list_separator() -> str:
    """Between the items of an inline list: ", " in English, "、" in Chinese."""
    return pgettext("list separator", ", ")  # as tickets.sensitive.guard joins kinds


@register.filter(needs_autoescape=True)
def in_brackets(value, autoescape: bool = True) -> str:
    """ " (value)" in English, "（value）" in Chinese, whose full-width brackets carry their
    own space. Write it right after what it follows: {{ name }}{{ code|in_brackets }}."""
    text = conditional_escape(value) if autoescape else value
    framed = gettext("(%(text)s)") % {"text": text}
    return mark_safe(" " + framed if framed.startswith("(") else framed)  # noqa: S308 (escaped)
