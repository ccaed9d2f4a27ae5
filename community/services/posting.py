"""Customers' and staff's writes: questions, replies, votes, accepted answers, reports."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from community import links, notices
from community.models import (
    ForumBan,
    ForumCategory,
    Post,
    PostReport,
    PostVote,
    Topic,
)
from community.permissions import ForumPolicy
from community.rendering import post_html
from community.search import token_string
from core.exceptions import ApplicationError
from core.text import plain_text
from livechat.services.presence import presence_for
from tickets.sensitive.guard import kinds_in_order, scan

TITLE_MAX = 150
BODY_MAX = 20_000


@dataclass(frozen=True)
class PostOutcome:
    post: Post
    masked: list[str]  # guard kinds hidden before storing
    held: bool


def new_account_days() -> int:
    return int(getattr(settings, "COMMUNITY_NEW_ACCOUNT_DAYS", 7))


def is_new_account(user) -> bool:
    return user.date_joined > timezone.now() - dt.timedelta(days=new_account_days())


def active_ban(user) -> ForumBan | None:
    now = timezone.now()
    return (
        ForumBan.objects.filter(user=user, lifted_at__isnull=True)
        .exclude(ends_at__lte=now)
        .order_by("-created_at")
        .first()
    )


def _check_may_post(author) -> None:
    if not author.is_authenticated or not author.is_active:
        raise PermissionDenied
    ban = active_ban(author)
    if ban is None:
        return
    if ban.ends_at:
        message = _("You may not post in the community until %(end)s. Reason: %(reason)s") % {
            "end": timezone.localtime(ban.ends_at).strftime("%Y-%m-%d %H:%M %Z"),
            "reason": ban.reason,
        }
    else:
        message = _("You may not post in the community. Reason: %(reason)s") % {
            "reason": ban.reason
        }
    raise ApplicationError(message, code="banned")


def _clean_text(value: str, *, limit: int, empty: str, long: str) -> str:
    text = plain_text(value or "").strip()
    if not text:
        raise ApplicationError(empty, code="empty")
    if len(text) > limit:
        raise ApplicationError(long % {"limit": limit}, code="too_long")
    return text


def _post_build(*, author, topic: Topic, body: str, is_opening: bool, title: str = "") -> Post:
    """Guard, render, check links and decide the status; not saved yet."""
    guarded = scan(body)
    staff = ForumPolicy.is_staff(author)
    html = post_html(guarded.body)
    found = links.link_scan(
        text=f"{title}\n{guarded.body}", safe_html=html, check_staff_ids=not staff
    )
    reasons = []
    if found.flagged:
        reasons.append(Post.HoldReason.LOOKALIKE)
        html = post_html(guarded.body, flagged=found.flagged)
    if found.has_links and is_new_account(author) and not staff:
        reasons.append(Post.HoldReason.NEW_ACCOUNT_LINK)
    return Post(
        topic=topic,
        author=author,
        is_opening=is_opening,
        body=guarded.body,
        body_html=html,
        search_tokens=token_string(f"{topic.title} {guarded.body}"),
        status=Post.Status.HELD if reasons else Post.Status.PUBLISHED,
        hold_reasons=[str(reason) for reason in reasons],
        flagged_links=list(found.flagged),
        masked=guarded.found,
        staff_id=presence_for(author).staff_id if staff else "",
    )


@transaction.atomic
def topic_create(
    *, author, category: ForumCategory, title: str, body: str, language: str
) -> PostOutcome:
    """A question: the topic and its opening post, guarded and checked like any post."""
    _check_may_post(author)
    title = _clean_text(
        title,
        limit=TITLE_MAX,
        empty=_("Write a title."),
        long=_("Keep the title to %(limit)s characters."),
    )
    body = _clean_text(
        body,
        limit=BODY_MAX,
        empty=_("Write your question."),
        long=_("Keep the text to %(limit)s characters."),
    )
    title_scan = scan(title)
    topic = Topic(
        category=category,
        author=author,
        title=title_scan.body,
        language=language if language in ("en", "zh-hans") else "en",
    )
    topic.full_clean()
    topic.save()
    post = _post_build(author=author, topic=topic, body=body, is_opening=True, title=title)
    post.full_clean()
    post.save()
    masked = kinds_in_order([*title_scan.found, *post.masked])
    if post.status == Post.Status.HELD:
        notices.review_needed(post=post, why="held")
    return PostOutcome(post=post, masked=masked, held=post.status == Post.Status.HELD)


@transaction.atomic
def post_reply(*, author, topic: Topic, body: str) -> PostOutcome:
    _check_may_post(author)
    topic = Topic.objects.select_for_update().get(pk=topic.pk)
    if topic.locked:
        raise ApplicationError(_("This topic is locked: it takes no new replies."), code="locked")
    body = _clean_text(
        body,
        limit=BODY_MAX,
        empty=_("Write your reply."),
        long=_("Keep the text to %(limit)s characters."),
    )
    post = _post_build(author=author, topic=topic, body=body, is_opening=False)
    post.full_clean()
    post.save()
    if post.status == Post.Status.PUBLISHED:
        Topic.objects.filter(pk=topic.pk).update(last_activity_at=timezone.now())
    else:
        notices.review_needed(post=post, why="held")
    return PostOutcome(post=post, masked=post.masked, held=post.status == Post.Status.HELD)


@transaction.atomic
def post_vote_toggle(*, user, post: Post) -> bool:
    """Say a post helped, or take that back; True when the vote now stands.

    Up only: a down vote would let a crowd bury a staff warning about a scam; a bad post
    is reported instead.
    """
    _check_may_post(user)
    if post.status != Post.Status.PUBLISHED:
        raise ApplicationError(_("This post cannot be voted on."), code="not_published")
    if post.author_id == user.id:
        raise ApplicationError(_("You cannot vote for your own post."), code="own_post")
    deleted, _rows = PostVote.objects.filter(post=post, user=user).delete()
    if deleted:
        Post.objects.filter(pk=post.pk, score__gt=0).update(score=F("score") - 1)
        return False
    try:
        with transaction.atomic():
            PostVote.objects.create(post=post, user=user)
    except IntegrityError:
        return True  # the same person's other request (a double click) voted first
    Post.objects.filter(pk=post.pk).update(score=F("score") + 1)
    return True


@transaction.atomic
def topic_accept(*, actor, topic: Topic, post: Post | None) -> Topic:
    """Mark `post` as the answer (None: no answer); the topic's author or staff only."""
    if not ForumPolicy.can_accept(actor, topic):
        raise PermissionDenied
    if post is not None and (
        post.topic_id != topic.pk or post.is_opening or post.status != Post.Status.PUBLISHED
    ):
        raise ApplicationError(_("Only a published reply can be the answer."), code="bad_post")
    topic.accepted_post = post
    topic.save(update_fields=["accepted_post", "updated_at"])
    return topic


@transaction.atomic
def post_report(*, reporter, post: Post, reason: str, note: str = "") -> PostReport:
    if not reporter.is_authenticated:
        raise PermissionDenied
    if reason not in PostReport.Reason.values:
        raise ApplicationError(_("Choose a reason."), code="bad_reason")
    report = PostReport(post=post, reporter=reporter, reason=reason, note=plain_text(note)[:500])
    report.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError:
        raise ApplicationError(
            _("You have already reported this post."), code="already_reported"
        ) from None
    if not post.reports.filter(resolved_at__isnull=True).exclude(pk=report.pk).exists():
        notices.review_needed(post=post, why=f"report:{report.pk}")
    return report


@transaction.atomic
def category_create(
    *,
    slug: str,
    name_en: str,
    name_zh_hans: str,
    description_en: str = "",
    description_zh_hans: str = "",
    position: int = 0,
) -> ForumCategory:
    """For operators and demo data (no page creates categories)."""
    category = ForumCategory(
        slug=slug,
        name_en=name_en,
        name_zh_hans=name_zh_hans,
        description_en=description_en,
        description_zh_hans=description_zh_hans,
        position=position,
    )
    category.full_clean()
    category.save()
    return category
