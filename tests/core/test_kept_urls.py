"""reverse_kept and `{% url %}` (core.kept_urls, core.templatetags.url_kept) give what
django.urls.reverse gives, under each script prefix, whatever was asked before."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.urls import NoReverseMatch, reverse, set_script_prefix

from core.kept_urls import reverse_kept

ASKED = [
    ("tickets:console", (), None),
    ("tickets:console-ticket", ("261122-000001",), None),
    ("tickets:console-ticket", ("261122-000002",), None),
    ("tickets:console-email", (7,), None),
    ("tickets:console-email", (), {"email_id": 7}),
]


def test_kept_urls_are_djangos_under_each_script_prefix():
    try:
        for prefix in ("/", "/beacon/", "/"):
            set_script_prefix(prefix)
            for name, args, kwargs in ASKED * 2:
                assert reverse_kept(name, args=args, kwargs=kwargs) == reverse(
                    name, args=args, kwargs=kwargs
                )
            assert reverse_kept("tickets:console").startswith(prefix)
    finally:
        set_script_prefix("/")


def test_kept_urls_tell_true_from_one():
    assert reverse_kept("tickets:console-email", args=[1]).endswith("/1/")
    with pytest.raises(NoReverseMatch):
        reverse_kept("tickets:console-email", args=[True])


def test_the_url_tag_is_the_kept_one_and_renders_as_djangos():
    page = Template(
        "{% url 'tickets:console-ticket' number %}|{% url 'tickets:console' as home %}{{ home }}"
        "|{% url 'no-such-view' as missing %}[{{ missing }}]"
    )
    rendered = page.render(Context({"number": "261122-000001"}))
    assert rendered == (
        reverse("tickets:console-ticket", args=["261122-000001"])
        + "|"
        + reverse("tickets:console")
        + "|[]"
    )
    assert type(page.nodelist[0]).__name__ == "KeptURLNode"
