"""`{% load i18n i18n_kept %}` (core.templatetags.i18n_kept) renders as Django's i18n
alone, in either language, whichever renders first."""

from __future__ import annotations

from django.template import Context, Engine
from django.utils import translation

BODY = """
<h1>{% translate "Conversation" %}</h1>
<p title="{% translate 'Agent console' %}">{% trans "Agent console" %}</p>
{% translate "Note" context "a reviewer's note" %}
{% translate "Note" context note_context %}
{% translate "Unverified <sender> & 100%" %}
{% translate "Conversation" noop %}
{% translate "Conversation" as heading %}[{{ heading }}]
{% translate message %}
{% translate "conversation"|upper %}
{% autoescape off %}{% translate "Unverified <sender> & 100%" %}{% endautoescape %}
{% get_current_language as LANGUAGE_CODE %}{{ LANGUAGE_CODE }}
{% blocktranslate with who=who %}Assignee: <strong>{{ who }}</strong>{% endblocktranslate %}
"""
CONTEXT = {"message": "Conversation", "note_context": "a reviewer's note", "who": "<Ann>"}


def render(template, language: str) -> str:
    with translation.override(language):
        return template.render(Context(CONTEXT))


def test_kept_translations_render_as_djangos_library():
    # given: the same body under Django's i18n alone, and with i18n_kept loaded after it
    engine = Engine(
        libraries={
            "i18n": "django.templatetags.i18n",
            "i18n_kept": "core.templatetags.i18n_kept",
        }
    )
    django_page = engine.from_string("{% load i18n %}" + BODY)
    kept_page = engine.from_string("{% load i18n i18n_kept %}" + BODY)
    assert type(kept_page.nodelist[2]).__name__ == "KeptTranslateNode"
    expected = {lang: render(django_page, lang) for lang in ("en", "zh-hans")}
    # when: the kept one renders language after language, twice
    for lang in ("zh-hans", "en", "zh-hans", "en"):
        # then: each time Django's page for that language
        assert render(kept_page, lang) == expected[lang]
    assert expected["en"] != expected["zh-hans"]
