"""core.registry: the hooks apps offer to the apps above them (sources registered once,
asked in order), and what a source that raises costs at each hook."""

from __future__ import annotations

import logging

import pytest

from core.registry import Registry
from helpcenter.search import extra
from livechat import console_panels
from livechat.bot import notices
from tickets import form_notices


def _boom(*args, **kwargs):
    raise RuntimeError("the optional app is down")


def test_sources_are_asked_in_the_order_they_registered_and_each_once():
    hook: Registry = Registry("test hook", skip_failing=False)
    first, second = (lambda n: [n, "a"]), (lambda n: [n, "b"])
    for source in (first, second, first):  # ready() may run twice
        hook.register(source)
    assert list(hook) == [first, second] and len(hook) == 2
    assert hook.collect(lambda source: source(1)) == [1, "a", 1, "b"]
    assert Registry("empty", skip_failing=True).collect(lambda source: source()) == []


def test_a_failing_source_is_logged_and_costs_only_its_own_results(caplog):
    hook: Registry = Registry("test hook", skip_failing=True)
    for source in (lambda: ["before"], _boom, lambda: ["after"]):
        hook.register(source)
    with caplog.at_level(logging.ERROR, logger="core.registry"):
        assert hook.collect(lambda source: source()) == ["before", "after"]
    (record,) = caplog.records
    assert "test hook" in record.getMessage() and "_boom" in record.getMessage()
    assert record.exc_info and isinstance(record.exc_info[1], RuntimeError)


def test_without_skipping_a_failing_source_reaches_the_caller(caplog):
    hook: Registry = Registry("test hook", skip_failing=False)
    hook.register(lambda: ["before"])
    hook.register(_boom)
    with pytest.raises(RuntimeError, match="optional app is down"):
        hook.collect(lambda source: source())
    assert not caplog.records


@pytest.fixture
def failing_first(monkeypatch):
    """Put a raising source ahead of those the apps registered, at one hook."""

    def put(module) -> None:
        hook = module._sources
        monkeypatch.setattr(hook, "_sources", [_boom, *hook])

    return put


@pytest.mark.django_db
def test_customer_facing_hooks_skip_a_failing_source(failing_first):
    # The request form, help-centre search and the bot's answer go on without it.
    for module in (form_notices, extra, notices):
        failing_first(module)
    assert form_notices.notices_for(type_slug="other", values={}, subject="hi", lang="en") == []
    assert extra.extra_results("pelican", "en") == []
    assert notices.notices_for(conversation=None, text="hello") == []


def test_the_agents_console_panels_do_not_hide_a_failing_source(failing_first):
    # A panel may carry a warning for the agent: better an error than a missing warning.
    failing_first(console_panels)
    with pytest.raises(RuntimeError):
        console_panels.panels_for(None)
