"""Moderators' writes: hide, approve, lock, move, ban; each leaves a ModerationAction row."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from community.models import ForumBan, ForumCategory, ModerationAction, Post, Topic
from community.permissions import ForumPolicy
from core.exceptions import ApplicationError
from core.text import plain_text


def _require_moderator(actor) -> None:
    if not ForumPolicy.is_moderator(actor):
        raise PermissionDenied


def action_record(*, actor, action: str, reason: str = "", **targets) -> ModerationAction:
    row = ModerationAction(actor=actor, action=action, reason=plain_text(reason)[:300], **targets)
    row.full_clean()
    row.save()
    return row


_POST_MOVES = {
    ModerationAction.Action.APPROVE: ((Post.Status.HELD,), Post.Status.PUBLISHED),
    ModerationAction.Action.HIDE: ((Post.Status.PUBLISHED, Post.Status.HELD), Post.Status.HIDDEN),
    ModerationAction.Action.UNHIDE: ((Post.Status.HIDDEN,), Post.Status.PUBLISHED),
    ModerationAction.Action.DISMISS: ((Post.Status.PUBLISHED,), Post.Status.PUBLISHED),
}


@transaction.atomic
def post_moderate(*, actor, post: Post, action: str, reason: str = "") -> Post:
    """Approve a held post, hide or show one, or dismiss its reports; resolves its reports."""
    _require_moderator(actor)
    post = Post.objects.select_for_update().get(pk=post.pk)
    if action not in _POST_MOVES:
        raise ApplicationError(_("Unknown action."), code="bad_action")
    sources, target = _POST_MOVES[action]
    if post.status not in sources:
        raise ApplicationError(_("That cannot be done to this post now."), code="not_allowed_now")
    before = post.status
    post.status = target
    post.save(update_fields=["status", "updated_at"])
    if target == Post.Status.HIDDEN and not post.is_opening:
        Topic.objects.filter(pk=post.topic_id, accepted_post=post).update(accepted_post=None)
    post.reports.filter(resolved_at__isnull=True).update(resolved_at=timezone.now())
    action_record(
        actor=actor,
        action=action,
        reason=reason,
        post=post,
        topic=post.topic,
        target_user=post.author,
        detail={"from": before, "to": target},
    )
    return post


@transaction.atomic
def topic_lock(*, actor, topic: Topic, locked: bool, reason: str = "") -> Topic:
    _require_moderator(actor)
    topic = Topic.objects.select_for_update().get(pk=topic.pk)
    if topic.locked == locked:
        raise ApplicationError(_("That cannot be done to this topic now."), code="not_allowed_now")
    topic.locked = locked
    topic.save(update_fields=["locked", "updated_at"])
    action = ModerationAction.Action.LOCK if locked else ModerationAction.Action.UNLOCK
    action_record(actor=actor, action=action, reason=reason, topic=topic, target_user=topic.author)
    return topic


@transaction.atomic
def topic_move(*, actor, topic: Topic, category: ForumCategory, reason: str = "") -> Topic:
    _require_moderator(actor)
    topic = Topic.objects.select_for_update().get(pk=topic.pk)
    if topic.category_id == category.pk:
        raise ApplicationError(_("The topic is already in that category."), code="already_there")
    before = topic.category.slug
    topic.category = category
    topic.save(update_fields=["category", "updated_at"])
    action_record(
        actor=actor,
        action=ModerationAction.Action.MOVE,
        reason=reason,
        topic=topic,
        target_user=topic.author,
        detail={"from": before, "to": category.slug},
    )
    return topic


@transaction.atomic
def user_ban(*, actor, user, reason: str, ends_at: dt.datetime | None = None) -> ForumBan:
    """Stop `user` posting, until `ends_at` or until lifted; replaces an active ban."""
    _require_moderator(actor)
    reason = plain_text(reason or "").strip()
    if not reason:
        raise ApplicationError(_("Give a reason: the person is shown it."), code="empty")
    if ends_at is not None and ends_at <= timezone.now():
        raise ApplicationError(_("The end must be in the future."), code="bad_end")
    if user.pk == actor.pk or ForumPolicy.is_moderator(user):
        raise ApplicationError(_("Moderators cannot be banned here."), code="ban_moderator")
    now = timezone.now()
    ForumBan.objects.filter(user=user, lifted_at__isnull=True).update(lifted_at=now)
    ban = ForumBan(user=user, reason=reason[:300], ends_at=ends_at, created_by=actor)
    ban.full_clean()
    ban.save()
    action_record(
        actor=actor,
        action=ModerationAction.Action.BAN,
        reason=reason,
        target_user=user,
        detail={"ends_at": ends_at.isoformat() if ends_at else None},
    )
    return ban


@transaction.atomic
def user_unban(*, actor, user, reason: str = "") -> int:
    _require_moderator(actor)
    lifted = ForumBan.objects.filter(user=user, lifted_at__isnull=True).update(
        lifted_at=timezone.now()
    )
    if not lifted:
        raise ApplicationError(_("This person is not banned."), code="not_allowed_now")
    action_record(
        actor=actor, action=ModerationAction.Action.UNBAN, reason=reason, target_user=user
    )
    return lifted
