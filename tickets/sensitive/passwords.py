"""Passwords typed into chat or a ticket: "my password is …", "password: …", "pwd …",
"密码是…", "密码：…".

Only the value after the cue is masked. A cue alone says nothing ("I forgot my password",
"密码错误"), and neither do the words people put after it when describing a problem
("my password is wrong", "密码是多少"): those are on a stop list, and a Chinese value must
be ASCII (Chinese passwords are rare; "密码是错的" is a sentence, not a secret).
"""

from __future__ import annotations

import re

from tickets.sensitive.spans import Span

MIN_VALUE_CHARS = 3
_QUOTED = r"[\"'“‘「](?P<quoted>[^\"'”’」\n]{1,128})[\"'”’」]"
_EN_VALUE = rf"(?:{_QUOTED}|(?P<value>\S{{1,128}}))"
_ZH_VALUE = rf"(?:{_QUOTED}|(?P<value>[!-~]{{1,128}}))"
ENGLISH = re.compile(
    r"\b(?:password|passwd|passcode|pass\s?word|pwd)"
    r"(?:\s+(?:is|was|=)|\s*[:=：])\s*(?:now\s+|still\s+)?" + _EN_VALUE,
    re.IGNORECASE,
)
# "pwd hunter2": the abbreviation with nothing but a space before the value.
BARE_PWD = re.compile(r"\bpwd\s+" + _EN_VALUE, re.IGNORECASE)
CHINESE = re.compile(r"密码\s*(?:是|为|=|:|：)\s*[:：]?\s*" + _ZH_VALUE)

# Words that follow "password is" in a description, not a password.
NOT_A_VALUE = frozenset(
    """
    wrong incorrect correct right invalid valid not too being been expired reset changed
    the a an my your it this that still also always never working accepted rejected locked
    forgotten forgot lost weak strong same different empty required blank no ok okay fine
    what how why where when which is was and or but please help hidden set saved stored
    gone broken unknown fake stolen leaked compromised
    """.split()
)
_TRAILING = ".,;:!?。，；：！？)）]】"


def _value_span(match: re.Match) -> Span | None:
    name = "quoted" if match.group("quoted") is not None else "value"
    start, end = match.span(name)
    value = match.group(name)
    if name == "value":
        trimmed = value.rstrip(_TRAILING)
        # Keep a trailing "!" that is likely part of the password ("Abc123!") when
        # something else in it is a symbol or digit; a sentence's full stop goes.
        if value.endswith("!") and any(not c.isalpha() for c in trimmed):
            trimmed = value.rstrip(_TRAILING.replace("!", ""))
        end = start + len(trimmed)
        value = trimmed
        if value.lower() in NOT_A_VALUE:
            return None
    if len(value) < MIN_VALUE_CHARS:
        return None
    return Span(start, end, "password")


def find(text: str) -> list[Span]:
    spans = []
    for pattern in (ENGLISH, BARE_PWD, CHINESE):
        for match in pattern.finditer(text):
            span = _value_span(match)
            if span is not None:
                spans.append(span)
    return spans
