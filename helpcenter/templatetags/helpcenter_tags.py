"""Pick the viewer's language version of a bilingual field: {{ category|name_for:LANGUAGE_CODE }}."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def name_for(obj, lang: str) -> str:
    return obj.name(lang)


@register.filter
def description_for(obj, lang: str) -> str:
    return obj.description(lang)


@register.filter
def title_for(obj, lang: str) -> str:
    return obj.title(lang)


@register.filter
def body_for(obj, lang: str) -> str:
    return obj.body_html(lang)


@register.filter
def label_for(obj, lang: str) -> str:
    return obj.label(lang)


@register.filter
def region_for(channel, lang: str) -> str:
    return channel.region_in(lang)


@register.filter
def get_item(mapping: dict, key):
    return mapping.get(key)
