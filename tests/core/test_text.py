"""core.text: what untrusted text loses on the way in."""

from __future__ import annotations

import pytest

from core.text import BIDI_CONTROLS, is_storable, plain_text


@pytest.mark.parametrize("control", list(BIDI_CONTROLS))
def test_plain_text_removes_every_bidirectional_control(control):
    assert plain_text(f"pay to {control}moc.live") == "pay to moc.live"


def test_plain_text_removes_what_postgresql_cannot_store_and_keeps_the_rest():
    # given: a NUL, a lone surrogate, and what people do type (Chinese, emoji, a zero-width
    # joiner inside an emoji, line breaks)
    text = "提现\x00未到账 \ud800👩\u200d💻\nline two"
    # when / then
    assert plain_text(text) == "提现未到账 👩\u200d💻\nline two"
    assert not is_storable(text) and is_storable(plain_text(text))
