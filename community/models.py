"""The forum's tables. Every write goes through community.services; nothing here acts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import BaseModel

LANGUAGES = (("en", "English"), ("zh-hans", "简体中文"))


class ForumCategory(BaseModel):
    slug = models.SlugField(unique=True, max_length=60)
    name_en = models.CharField(_("name (English)"), max_length=120)
    name_zh_hans = models.CharField(_("name (Chinese)"), max_length=120)
    description_en = models.CharField(_("description (English)"), max_length=300, blank=True)
    description_zh_hans = models.CharField(_("description (Chinese)"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("forum category")

    def __str__(self) -> str:
        return self.name_en

    def name(self, lang: str) -> str:
        return self.name_zh_hans if lang == "zh-hans" else self.name_en

    def description(self, lang: str) -> str:
        return self.description_zh_hans if lang == "zh-hans" else self.description_en


class Topic(BaseModel):
    """A question. Its text is its opening Post, whose status is the topic's visibility."""

    category = models.ForeignKey(ForumCategory, on_delete=models.PROTECT, related_name="topics")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="forum_topics"
    )
    title = models.CharField(_("title"), max_length=150)
    language = models.CharField(max_length=8, choices=LANGUAGES, default="en")
    locked = models.BooleanField(default=False)
    accepted_post = models.OneToOneField(
        "Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="accepted_in"
    )
    last_activity_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-last_activity_at", "-id"]

    def __str__(self) -> str:
        return self.title


class Post(BaseModel):
    """The opening post of a topic or a reply to it.

    `body` is the Markdown as stored: what the guard masked is already gone. `body_html`
    is rendered once, sanitised and with look-alike links neutralised.
    """

    class Status(models.TextChoices):
        PUBLISHED = "published", _("Published")
        HELD = "held", _("Held for review")
        HIDDEN = "hidden", _("Hidden")

    class HoldReason(models.TextChoices):
        LOOKALIKE = "lookalike", _("Links to a look-alike of an official channel")
        NEW_ACCOUNT_LINK = "new_account_link", _("Links from a new account")

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="forum_posts"
    )
    is_opening = models.BooleanField(default=False)
    body = models.TextField(_("text"))
    body_html = models.TextField()
    # Tokens for full-text search (community.search.tokens), PostgreSQL 'simple' config.
    search_tokens = models.TextField(blank=True, default="")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PUBLISHED)
    hold_reasons = models.JSONField(default=list, blank=True)
    flagged_links = models.JSONField(default=list, blank=True)  # what looked like ours
    masked = models.JSONField(default=list, blank=True)  # guard kinds: "seed_phrase", …
    # Set on posts by staff: the ID /verify/ confirms (livechat's AgentPresence.staff_id).
    staff_id = models.CharField(max_length=16, blank=True, default="")
    score = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["topic"], condition=Q(is_opening=True), name="community_one_opening_post"
            ),
        ]
        indexes = [models.Index(fields=["topic", "status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.topic_id}: {self.body[:40]}"

    @property
    def is_staff_answer(self) -> bool:
        return bool(self.staff_id)


class PostVote(BaseModel):
    """ "This helped": one per person per post, up only (see community.services.vote)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "user"], name="community_one_vote_per_user")
        ]


class PostReport(BaseModel):
    class Reason(models.TextChoices):
        SCAM = "scam", _("Scam or impersonation")
        SENSITIVE = "sensitive", _("Asks for or shows secrets")
        SPAM = "spam", _("Spam or advertising")
        ABUSE = "abuse", _("Abusive")
        OTHER = "other", _("Something else")

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    reason = models.CharField(max_length=12, choices=Reason.choices)
    note = models.CharField(max_length=500, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "reporter"], name="community_one_report")
        ]


class ForumBan(BaseModel):
    """A person may not post while a ban is active (not lifted, not past its end)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="forum_bans"
    )
    reason = models.CharField(_("reason"), max_length=300)
    ends_at = models.DateTimeField(null=True, blank=True)
    lifted_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["user", "lifted_at"])]


class ModerationAction(BaseModel):
    """The audit trail: who did what to which post, topic or person, and why."""

    class Action(models.TextChoices):
        APPROVE = "approve", _("Approved")
        HIDE = "hide", _("Hidden")
        UNHIDE = "unhide", _("Shown again")
        DISMISS = "dismiss", _("Reports dismissed")
        LOCK = "lock", _("Locked")
        UNLOCK = "unlock", _("Unlocked")
        MOVE = "move", _("Moved")
        BAN = "ban", _("Banned")
        UNBAN = "unban", _("Ban lifted")
        ARTICLE_DRAFT = "article_draft", _("Turned into an article draft")

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=16, choices=Action.choices)
    topic = models.ForeignKey(Topic, null=True, blank=True, on_delete=models.SET_NULL)
    post = models.ForeignKey(Post, null=True, blank=True, on_delete=models.SET_NULL)
    target_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="forum_moderation_received",
    )
    reason = models.CharField(max_length=300, blank=True)
    detail = models.JSONField(default=dict, blank=True)  # e.g. {"from": "fees", "to": "kyc"}

    class Meta:
        ordering = ["-created_at", "-id"]
        # The permission that makes someone a moderator without the supervisor role.
        permissions = [("moderate_forum", "Can moderate the community forum")]
