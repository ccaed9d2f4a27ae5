"""Every email in zh-hans says everything in Chinese, under a subject that encodes cleanly.

Beacon's: one outbox row per registered notification kind, with the context the kind's
event writes (ids of the world's things), rendered through email_render as the send
task does. allauth's: every template allauth ships (and Beacon overrides) rendered
through the adapter, inside Beacon's layout. The checks are the pages' (zh_text.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from email import message_from_bytes, policy
from pathlib import Path

import allauth
import pytest
from allauth.account.adapter import get_adapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.core.mail import EmailMessage
from django.test import RequestFactory
from django.utils import timezone, translation

import notifications
from accounts.models import (
    OneTimeLink,
    SecurityEvent,
    User,
)
from notifications.emails import email_render
from notifications.models import Notification
from tests.i18n.conftest import ZH, ZhWorld, typed
from tests.i18n.zh_text import Typed, catalogue_misses, visible_text, zh_problems
from tickets.models import Ticket, TicketMessage

Context = tuple[User, dict]
USER_AGENT = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)"  # shown as sent


def _link(purpose: str, user: User) -> OneTimeLink:
    return OneTimeLink.objects.filter(purpose=purpose, user=user).order_by("-id").first()


def _ticket(ticket: Ticket, **extra) -> dict:
    return {"ticket_id": ticket.id, "number": ticket.number, **extra}


def _contexts(zh: ZhWorld) -> dict[str, Callable[[], Context]]:
    """Who gets each kind and the context its event stores (see each kind's notify call)."""
    users, world = zh.users, zh.world
    owner, agent, supervisor = users["owner"], users["agent"], users["supervisor"]
    event = SecurityEvent.objects.filter(user=owner).order_by("id").first
    reply = TicketMessage.objects.filter(ticket=zh.ticket, by_staff=True, visibility="public")
    unproven = Ticket.objects.filter(sender_proven=False).first
    staff = lambda: (agent, _ticket(zh.ticket, detail="好的，谢谢。"))  # noqa: E731
    return {
        "freeze.frozen": lambda: (
            users["frozen"],
            Notification.objects.filter(kind="freeze.frozen").first().context,
        ),
        "freeze.appeal_link": lambda: (
            users["frozen_later"],
            {"link_id": _link(OneTimeLink.Purpose.APPEAL, users["frozen_later"]).id},
        ),
        "freeze.appeal_approved": lambda: (users["frozen"], {"appeal_id": world.appeal.id}),
        "freeze.appeal_rejected": lambda: (users["frozen"], {"appeal_id": world.appeal.id}),
        "kyc.approved": lambda: (owner, {"submission_id": world.kyc.id, "level": world.kyc.level}),
        "kyc.rejected": lambda: (owner, {"submission_id": world.kyc.id, "level": world.kyc.level}),
        "security.new_device": lambda: (
            owner,
            {
                "event_id": event().id,
                "link_id": _link(OneTimeLink.Purpose.NOT_ME, owner).id,
                "new_device": True,
                "new_network": True,
            },
        ),
        "security.code_set": lambda: (owner, {"event_id": event().id}),
        "security.phone_changed": lambda: (
            owner,
            {
                "event_id": event().id,
                "old_phone": "+86 138 0000 0000",
                "new_phone": "+86 139 0000 0000",
            },
        ),
        "twofactor.reset_requested": lambda: (
            owner,
            {
                "reset_id": world.reset.id,
                "link_id": _link(OneTimeLink.Purpose.MFA_RESET_CANCEL, owner).id,
            },
        ),
        "twofactor.reset_rejected": lambda: (owner, {"reset_id": world.reset.id}),
        "twofactor.reset_done": lambda: (owner, {"reset_id": world.reset.id}),
        "ticket.received": lambda: (
            owner,
            _ticket(zh.ticket, reply_by=(timezone.now() + dt.timedelta(hours=4)).isoformat()),
        ),
        "ticket.claimed": lambda: (owner, _ticket(unproven())),
        "ticket.agent_replied": lambda: (owner, _ticket(zh.ticket, message_id=reply.first().id)),
        "ticket.pending_reminder": lambda: (owner, _ticket(zh.ticket)),
        "ticket.solved": lambda: (owner, _ticket(zh.ticket, automatic=True)),
        "ticket.assigned": staff,
        "ticket.customer_replied": staff,
        "ticket.complaint_received": lambda: (supervisor, _ticket(zh.complaint)),
        "sla.at_risk": lambda: (agent, _ticket(zh.ticket, sla_target="first_response")),
        "sla.breached": lambda: (supervisor, _ticket(zh.ticket, sla_target="resolution")),
        "livechat.transcript": lambda: (
            owner,
            {"conversation_id": zh.conversation.id, "up_to": zh.conversation.last_seq},
        ),
    }


def _row(kind: str, recipient: User, context: dict) -> Notification:
    return Notification.objects.create(
        recipient=recipient,
        kind=kind,
        channel=Notification.Channel.EMAIL,
        language=ZH,
        context=context,
        next_attempt_at=timezone.now(),
    )


def _problems(message: EmailMessage, as_typed: Typed) -> set[str]:
    pieces = [message.subject, *message.body.splitlines()]
    for content, mimetype in getattr(message, "alternatives", []):
        if mimetype == "text/html":
            pieces.extend(visible_text(content))
    return zh_problems(pieces, as_typed)


def _subject_problem(message: EmailMessage) -> str | None:
    """A subject as mail clients read it: the first header line is not empty (a folded
    "Subject: " with nothing after it), and it decodes to the subject we wrote."""
    raw = message.message().as_bytes(linesep="\r\n")
    header = raw.split(b"\r\n\r\n", 1)[0]
    line = next(line for line in header.split(b"\r\n") if line.startswith(b"Subject:"))
    parsed = message_from_bytes(raw, policy=policy.default)["Subject"]
    if not line[len(b"Subject:") :].strip():
        return f"subject folded after an empty first line: {message.subject!r}"
    if " ".join(parsed.split()) != message.subject:
        return f"subject reads {parsed!r}, not {message.subject!r}"
    return None


def _allauth_prefixes() -> list[str]:
    """Every email allauth can send: its templates, and Beacon's overrides of them."""
    roots = [Path(allauth.__file__).parent / "templates", settings.BASE_DIR / "templates"]
    found = {
        str(path.relative_to(root)).removesuffix("_subject.txt")
        for root in roots
        for folder in ("account/email", "mfa/email")
        for path in (root / folder).glob("*_subject.txt")
    }
    return sorted(found)


def _allauth_context(owner: User, request) -> dict:
    site = get_current_site(request)  # (no sites app: the request's host, as in production)
    return {
        "user": owner,
        "email": owner.email,
        "current_site": site,
        "activate_url": f"{settings.SITE_URL}/accounts/confirm-email/key/",
        "key": "key",
        "password_reset_url": f"{settings.SITE_URL}/accounts/password/reset/key/1-key/",
        "signup_url": f"{settings.SITE_URL}/accounts/signup/",
        "code": "4Q7KX2",
        "username": owner.email,
        "user_display": owner.email,
        "from_email": "old@example.test",
        "to_email": owner.email,
        "deleted_email": "old@example.test",
        "timestamp": timezone.now(),
        "ip": "203.0.113.7",
        "user_agent": USER_AGENT,
    }


def _report(problems: dict[str, set[str]]) -> str:
    lines = [f"{len(problems)} email(s) with problems:"]
    for name, found in sorted(problems.items()):
        lines.append(f"{name}:\n    " + "\n    ".join(sorted(found)))
    return "\n".join(lines)


def test_every_notification_email_is_chinese_in_zh_hans(zh_world):
    # given: a row for every registered kind
    contexts = _contexts(zh_world)
    kinds = {
        kind.name for kind in notifications.kinds_all() if notifications.EMAIL in kind.channels
    }
    assert kinds <= set(contexts), f"give these kinds a context here: {kinds - set(contexts)}"
    rows = {kind: _row(kind, *contexts[kind]()) for kind in sorted(kinds)}
    as_typed, problems = typed(), {}
    # when
    with catalogue_misses() as misses:
        for kind, row in rows.items():
            before = set(misses)
            message = email_render(row)
            found = _problems(message, as_typed)
            found |= {f"no zh-hans translation of msgid {m!r}" for m in misses - before}
            if (subject := _subject_problem(message)) is not None:
                found.add(subject)
            if found:
                problems[kind] = found
    # then
    assert len(rows) >= 23
    assert not problems, _report(problems)


def test_every_allauth_email_is_chinese_in_zh_hans(zh_world, rf: RequestFactory):
    # given
    owner = zh_world.users["owner"]
    request = rf.get("/", HTTP_HOST="127.0.0.1:8000")
    request.user = owner
    prefixes, as_typed, problems = _allauth_prefixes(), typed(USER_AGENT), {}
    # when
    with catalogue_misses() as misses, allauth_context.request_context(request):
        for prefix in prefixes:
            before = set(misses)
            with translation.override(ZH):
                message = get_adapter(request).render_mail(
                    prefix, owner.email, _allauth_context(owner, request)
                )
            found = _problems(message, as_typed)
            found |= {f"no zh-hans translation of msgid {m!r}" for m in misses - before}
            if (subject := _subject_problem(message)) is not None:
                found.add(subject)
            if found:
                problems[prefix] = found
    # then
    assert len(prefixes) >= 18
    assert not problems, _report(problems)


@pytest.mark.parametrize(
    "subject", ["[Beacon] 我们已收到您的工单 261206-000001", "[Beacon] " + "安全" * 40]
)
def test_a_long_chinese_subject_starts_on_the_subject_line(zh_world, subject):
    # given: an email row whose subject is long enough to fold
    row = _row("ticket.pending_reminder", zh_world.users["owner"], _ticket(zh_world.ticket))
    message = email_render(row)
    # when
    message.subject = subject
    # then
    assert _subject_problem(message) is None
