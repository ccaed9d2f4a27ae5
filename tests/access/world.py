"""The world the access matrix walks: one person per column and one thing of each kind,
made through the real services, so every URL parameter names something that exists.

"owner" owns the ticket, its attachment, the KYC submission, the chat, the 2FA reset and
the links; "other" is a customer with nothing of theirs in the world; "frozen" signed in
and was then frozen (their session is dead, their appeal waits for review); "no2fa" is an
agent without an authenticator. Everyone else on staff has TOTP, and the staff 2FA rule is
on (BEACON_STAFF_MFA_REQUIRED), as in production.
"""

from __future__ import annotations

import datetime as dt
import struct
import zlib
from dataclasses import dataclass, field
from importlib import import_module

from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from allauth.usersessions.models import UserSession
from django.apps import apps as django_apps
from django.conf import settings
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.test import Client
from django.utils import timezone
from knox.models import AuthToken

from accounts.freeze.appeals import appeal_submit
from accounts.freeze.services import account_freeze
from accounts.kyc.services import kyc_review, kyc_submit
from accounts.links import link_issue, link_token
from accounts.models import (
    AccountFreeze,
    KycLevel,
    KycSubmission,
    MfaResetRequest,
    OneTimeLink,
    Role,
    UnfreezeAppeal,
    User,
)
from accounts.services import user_role_grant
from accounts.trust import Proof
from accounts.twofactor.services import mfa_reset_request_create
from community import services as community_services
from community.models import ForumCategory, Post
from helpcenter import models as helpcenter_models
from incidents import services as incident_services
from incidents.models import IncidentLink
from livechat.models import Conversation
from notifications.models import NotificationPreference
from tests.factories import AnnouncementFactory, ArticleFactory, ContactChannelFactory
from tests.mail.builders import customer_email
from tickets import rating_links, sender_confirm, services
from tickets.mail.intake import email_ingest
from tickets.models import InboundEmail, Macro, SlaPolicy, Team, Ticket, TicketType

PASSWORD = "correct-horse-battery-staple"
ACTORS = (
    "anonymous",
    "other",
    "owner",
    "agent",
    "supervisor",
    "reviewer",
    "admin",
    "frozen",
    "no2fa",
)
STAFF_ROLES = {
    "agent": Role.AGENT,
    "supervisor": Role.SUPERVISOR,
    "reviewer": Role.SECURITY_REVIEWER,
    "no2fa": Role.AGENT,
}


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bytes(seed: int = 0) -> bytes:
    """A real 4×4 RGB PNG; `seed` makes each file's bytes different."""
    rows = b"".join(b"\x00" + bytes((seed + i) % 256 for i in range(12)) for _ in range(4))
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0))
        + _chunk(b"IDAT", zlib.compress(rows))
        + _chunk(b"IEND", b"")
    )


def png(name: str, seed: int = 0) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(seed), content_type="image/png")


def seed_reference_data() -> None:
    """What migrations seed (ticket types, review types): a transactional test's flush
    removed it; a no-op when it is there."""
    import_module("tickets.migrations.0002_ticket_types").create(django_apps, None)
    import_module("tickets.migrations.0009_security_review_types").create(django_apps, None)


def _person(email: str, **extra) -> User:
    user = User.objects.create_user(email, PASSWORD, **extra)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def _give_totp(user: User) -> None:
    TOTP.activate(user, generate_totp_secret())


def _birthday() -> dt.date:
    return timezone.localdate().replace(year=timezone.localdate().year - 30, day=1)


@dataclass
class World:
    users: dict[str, User]
    ticket: Ticket
    attachment_id: int
    kyc: KycSubmission
    appeal: UnfreezeAppeal
    reset: MfaResetRequest
    conversation: Conversation
    email: InboundEmail
    article: helpcenter_models.Article
    announcement: helpcenter_models.Announcement
    incident_link: IncidentLink
    forum_post: Post
    tokens: dict[str, str]
    sessions: dict[str, str] = field(default_factory=dict)  # actor -> session cookie value
    api_keys: dict[str, str] = field(default_factory=dict)  # actor -> knox key

    def user(self, actor: str) -> User | None:
        return self.users.get(actor)


def _people() -> dict[str, User]:
    users = {
        "other": _person("other@example.test"),
        "owner": _person("owner@example.test", first_name="Olivia"),
        "frozen": _person("frozen@example.test"),
        "frozen_later": _person("frozen.later@example.test"),  # frozen, no appeal yet
        "admin": _person("admin@beacon.test", is_staff=True, is_superuser=True),
    }
    for actor, role in STAFF_ROLES.items():
        users[actor] = _person(f"{actor}@beacon.test")
        user_role_grant(user=users[actor], role=role)
    for actor in ("owner", "agent", "supervisor", "reviewer", "admin"):
        _give_totp(users[actor])
    return {name: User.objects.get(pk=user.pk) for name, user in users.items()}


def _kyc(owner: User, reviewer: User) -> KycSubmission:
    basic = kyc_submit(
        user=owner,
        level=KycLevel.BASIC,
        documents={},
        legal_name="Olivia Owner",
        birth_date=_birthday(),
        nationality="SG",
    )
    kyc_review(reviewer=reviewer, submission_id=basic.id, approve=True)
    documents = {"id_front": png("front.png", 1), "id_back": png("back.png", 2)}
    documents["selfie"] = png("selfie.png", 3)
    return kyc_submit(user=owner, level=KycLevel.ADVANCED, documents=documents)


def _appeal(frozen: User) -> UnfreezeAppeal:
    link = link_issue(
        user=frozen, purpose=OneTimeLink.Purpose.APPEAL, lifetime=dt.timedelta(days=1)
    )
    return appeal_submit(
        token=link_token(link),
        legal_name="Frank Frozen",
        birth_date=_birthday(),
        description="I was locked out.",
        selfie=png("appeal.png", 4),
    )


def _reset(owner: User) -> tuple[MfaResetRequest, str]:
    reset = mfa_reset_request_create(
        user=owner,
        legal_name="Olivia Owner",
        birth_date=_birthday(),
        description="Lost my phone.",
        selfie=png("reset.png", 5),
    )
    link = OneTimeLink.objects.get(
        purpose=OneTimeLink.Purpose.MFA_RESET_CANCEL, subject_id=reset.id
    )
    return reset, link_token(link)


def _emailed_ticket(owner: User) -> InboundEmail:
    message = customer_email(sender=owner.email, subject="By mail", authenticated=True)
    return email_ingest(message.as_bytes(), source=InboundEmail.Source.HTTP).inbound


def _admin_rows(owner: User) -> None:
    """At least one row for every model the admin lists, for its object pages."""
    NotificationPreference.objects.create(user=owner, kind="ticket_replied", email=True, bell=True)
    AuthToken.objects.create(user=owner)
    helpcenter_models.SearchSynonym.objects.create(terms="withdraw, cash out")
    helpcenter_models.GlossaryTerm.objects.create(
        term_en="Seed phrase", term_zh_hans="助记词", definition_en="…", definition_zh_hans="…"
    )
    calendar = helpcenter_models.BusinessCalendar.objects.create(slug="matrix", name="Matrix")
    Team.objects.create(slug="matrix", name_en="Matrix", name_zh_hans="矩阵", calendar=calendar)
    SlaPolicy.objects.create(name="Matrix", first_response_minutes=60)
    Macro.objects.create(title="Hello", language="en", body="Hello {customer_name}")
    ContactChannelFactory()


def _forum_answer(*, asker: User, answerer: User) -> Post:
    """The owner's question in the forum and an agent's published answer to it."""
    category = ForumCategory.objects.get(slug="getting-started")
    topic = community_services.topic_create(
        author=asker, category=category, title="Withdrawal help", body="Where is it?", language="en"
    ).post.topic
    return community_services.post_reply(author=answerer, topic=topic, body="Here is how.").post


def _incident(lead: User, ticket: Ticket) -> IncidentLink:
    """An incident its lead declared, with the world's ticket waiting for review."""
    incident = incident_services.incident_declare(
        actor=lead,
        title_en="Matrix outage",
        title_zh_hans="矩阵故障",
        status_en="Looking into it.",
        status_zh_hans="正在处理。",
        keywords=["矩阵"],
    )
    return IncidentLink.objects.create(incident=incident, ticket=ticket, state="review")


def build_world() -> World:
    """Everything the matrix needs, through the services; the frozen actor signs in
    before the freeze (which must end that session)."""
    seed_reference_data()
    users = _people()
    owner, agent = users["owner"], users["agent"]
    ticket = services.ticket_create(
        requester=owner,
        ticket_type=TicketType.objects.get(slug="other"),
        subject="Matrix request",
        body="My deposit is missing.",
        field_values={},
        files=[png("proof.png", 6)],
    )
    unproven = services.ticket_create(
        requester=owner,
        ticket_type=TicketType.objects.get(slug="other"),
        subject="Claims to be the owner",
        body="Someone else wrote this.",
        field_values={},
        proof=Proof.UNPROVEN,
    )
    conversation = Conversation.objects.create(
        customer=owner,
        language="en",
        status=Conversation.Status.ACTIVE,
        agent=agent,
        queued_at=timezone.now(),
        assigned_at=timezone.now(),
    )
    reset, cancel_token = _reset(owner)
    not_me = link_issue(
        user=owner, purpose=OneTimeLink.Purpose.NOT_ME, lifetime=dt.timedelta(days=1)
    )
    kyc = _kyc(owner, users["reviewer"])
    email = _emailed_ticket(owner)
    article = ArticleFactory(slug="matrix-article")
    helpcenter_models.ArticleFeedback.objects.create(article=article, user=owner, helpful=True)
    announcement = AnnouncementFactory()
    incident_link = _incident(users["supervisor"], ticket)
    forum_post = _forum_answer(asker=owner, answerer=users["agent"])
    _admin_rows(owner)
    sessions = {"frozen": session_cookie(users["frozen"])}
    api_keys = {"frozen": AuthToken.objects.create(user=users["frozen"])[1]}
    for name in ("frozen", "frozen_later"):
        account_freeze(user=users[name], source=AccountFreeze.Source.SECURITY_PAGE, reason="")
    appeal = _appeal(users["frozen"])
    later = link_issue(
        user=users["frozen_later"],
        purpose=OneTimeLink.Purpose.APPEAL,
        lifetime=dt.timedelta(days=1),
    )
    tokens = {
        "not_me": link_token(not_me),
        "appeal": link_token(later),
        "reset_cancel": cancel_token,
        "rating": rating_links.make_token(ticket_id=ticket.id, requester_id=owner.id),
        "sender_confirm": sender_confirm.confirm_path(unproven).rstrip("/").rsplit("/", 1)[-1],
    }
    attachment_id = ticket.messages.get().attachments.get().id
    return World(
        users={name: User.objects.get(pk=user.pk) for name, user in users.items()},
        ticket=ticket,
        attachment_id=attachment_id,
        kyc=kyc,
        appeal=appeal,
        reset=reset,
        conversation=conversation,
        email=email,
        article=article,
        announcement=announcement,
        incident_link=incident_link,
        forum_post=forum_post,
        tokens=tokens,
        sessions=sessions,
        api_keys=api_keys,
    )


def first_row(model: type[models.Model]) -> models.Model:
    row = model._default_manager.order_by("pk").first()
    assert row is not None, f"the world has no {model._meta.label}: add one to build_world"
    return row


def admin_models() -> dict[str, type[models.Model]]:
    """'app/model' -> model, for every model the admin site lists."""
    return {f"{m._meta.app_label}/{m._meta.model_name}": m for m in admin.site._registry}


def session_cookie(user: User) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def sign_in_everyone(world: World) -> None:
    """A session and an API key for every other signed-in actor."""
    for actor in ACTORS:
        if actor not in ("anonymous", "frozen"):
            world.sessions[actor] = session_cookie(world.users[actor])
            world.api_keys[actor] = AuthToken.objects.create(user=world.users[actor])[1]
    # What allauth's middleware records on a first request (the matrix undoes its own).
    UserSession.objects.create(
        user=world.users["owner"],
        session_key=world.sessions["owner"],
        ip="127.0.0.1",
        user_agent="",  # what it records for the test client, which sends none
    )
