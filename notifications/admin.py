from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from notifications.models import Notification, NotificationPreference


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
