"""What the bot does with one customer message: a decision, made without writing anything.

respond() carries it out; bench/bot_quality.py scores it on the help-centre corpus.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from livechat.bot import intents, knowledge


class Kind:
    SECURITY = "security"  # urgent: offer the freeze, front of the security queue
    HANDOFF = "handoff"  # the customer asked for a person (or said the answer did not help)
    THANKS = "thanks"  # "yes, that helped"
    ANSWERS = "answers"  # one to three help-centre articles
    NOT_SURE = "not_sure"  # no confident answer: say so and offer a human


@dataclass(frozen=True)
class Decision:
    kind: str
    answers: list[knowledge.Candidate] = field(default_factory=list)
    sign_in: bool = False  # an anonymous visitor asked about their account


def decide(text: str, *, lang: str, signed_in: bool, after_feedback: bool = False) -> Decision:
    """`after_feedback`: the bot's last message asked "Did this help?"."""
    if intents.is_security_emergency(text):
        return Decision(Kind.SECURITY, sign_in=not signed_in)
    if intents.wants_human(text):
        return Decision(Kind.HANDOFF)
    if after_feedback:
        helped = intents.feedback_answer(text)
        if helped is False:
            return Decision(Kind.HANDOFF)
        if helped is True:
            return Decision(Kind.THANKS)
    sign_in = not signed_in and intents.is_about_account(text)
    found = knowledge.answers(text, lang)
    if found:
        return Decision(Kind.ANSWERS, answers=found, sign_in=sign_in)
    return Decision(Kind.NOT_SURE, sign_in=sign_in)
