"""Authoring for ops. Saves go through the services, so rendering and indexing always happen."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from helpcenter import services
from helpcenter.models import (
    Announcement,
    Article,
    ArticleCategory,
    ArticleFeedback,
    BusinessCalendar,
    BusinessHours,
    ContactChannel,
    GlossaryTerm,
    Holiday,
    SearchSynonym,
)
from helpcenter.search import taught


@admin.register(ArticleCategory)
class ArticleCategoryAdmin(admin.ModelAdmin):
    list_display = ["slug", "name_en", "name_zh_hans", "parent", "position"]
    list_filter = ["parent"]
    search_fields = ["slug", "name_en", "name_zh_hans"]


# What an editor writes, in the form's order (the rest is shown read-only after it).
ARTICLE_EDITABLE = [
    "slug",
    "lang",
    "title",
    "summary",
    "category",
    "tags",
    "status",
    "updated_on",
    "body_markdown",
    "questions",
]


class ArticleAdminForm(forms.ModelForm):
    """The taught questions as an editor writes them: one per line."""

    questions = forms.CharField(
        label=_("Taught questions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Questions customers asked that this article answers, one per line, in this "
            "version's language. Search and the chat bot take them as evidence that a "
            "new question with other words is about this article."
        ),
    )

    class Meta:
        model = Article
        fields = ARTICLE_EDITABLE

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["questions"] = "\n".join(self.instance.questions or [])

    def clean_questions(self) -> list[str]:
        try:
            return taught.clean_questions(self.cleaned_data["questions"])
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = ArticleAdminForm
    list_display = [
        "title",
        "slug",
        "lang",
        "category",
        "status",
        "updated_on",
        "view_count",
        "helpful_count",
        "not_helpful_count",
    ]
    list_filter = ["status", "lang", "category"]
    search_fields = ["slug", "title"]
    list_select_related = ["category"]
    readonly_fields = [
        "preview",
        "view_count",
        "helpful_count",
        "not_helpful_count",
        "published_at",
    ]
    fields = [
        *ARTICLE_EDITABLE,
        "preview",
        "published_at",
        "view_count",
        "helpful_count",
        "not_helpful_count",
    ]

    @admin.display(description=_("Preview (sanitised, as readers see it)"))
    def preview(self, obj: Article) -> str:
        return (
            format_html('<div class="article-preview">{}</div>', obj.body_html or "—")
            if obj.pk
            else "—"
        )

    def save_model(self, request, obj, form, change):
        services.article_save(article=obj)


@admin.register(ArticleFeedback)
class ArticleFeedbackAdmin(admin.ModelAdmin):
    list_display = ["article", "helpful", "comment", "created_at"]
    list_filter = ["helpful"]
    list_select_related = ["article"]
    readonly_fields = ["article", "user", "session_key", "helpful", "comment"]

    def has_add_permission(self, request):
        return False


@admin.register(SearchSynonym)
class SearchSynonymAdmin(admin.ModelAdmin):
    list_display = ["terms", "note", "updated_at"]
    search_fields = ["terms"]

    def save_model(self, request, obj, form, change):
        services.synonym_save(synonym=obj)


@admin.register(Announcement)
class AnnouncementAdmin(admin.ModelAdmin):
    list_display = ["title_en", "kind", "pinned", "starts_at", "ends_at"]
    list_filter = ["kind", "pinned"]
    search_fields = ["title_en", "title_zh_hans"]

    def save_model(self, request, obj, form, change):
        services.announcement_save(announcement=obj)


@admin.register(GlossaryTerm)
class GlossaryTermAdmin(admin.ModelAdmin):
    list_display = ["term_en", "term_zh_hans"]
    search_fields = ["term_en", "term_zh_hans"]


class BusinessHoursInline(admin.TabularInline):
    model = BusinessHours
    extra = 0


class HolidayInline(admin.TabularInline):
    model = Holiday
    extra = 0


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "time_zone", "always_open"]
    inlines = [BusinessHoursInline, HolidayInline]


@admin.register(ContactChannel)
class ContactChannelAdmin(admin.ModelAdmin):
    list_display = [
        "kind",
        "value",
        "label_en",
        "region",
        "calendar",
        "show_on_contact_page",
        "is_active",
        "position",
    ]
    list_filter = ["kind", "is_active", "show_on_contact_page"]
    search_fields = ["value", "label_en", "label_zh_hans"]
