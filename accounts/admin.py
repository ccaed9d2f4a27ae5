from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.models import Notification, NotificationPreference, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "uid", "first_name", "last_name", "language", "is_staff", "is_active"]
    search_fields = ["email", "uid", "first_name", "last_name"]
    readonly_fields = ["uid", "last_login", "date_joined"]
    fieldsets = [
        (None, {"fields": ["email", "uid", "password"]}),
        (_("Personal info"), {"fields": ["first_name", "last_name", "language", "time_zone"]}),
        (_("Permissions"), {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Read-only: the outbox is written by `notify` and the send task, never by hand."""

    list_display = [
        "id",
        "kind",
        "channel",
        "recipient",
        "to_email",
        "status",
        "attempts",
        "created_at",
    ]
    list_filter = ["status", "channel", "kind", "language"]
    search_fields = ["recipient__email", "to_email", "kind", "dedupe_key"]
    list_select_related = ["recipient"]
    raw_id_fields = ["recipient"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Notification | None = None) -> bool:
        return False


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "email", "bell", "updated_at"]
    list_filter = ["kind"]
    search_fields = ["user__email", "kind"]
    raw_id_fields = ["user"]
