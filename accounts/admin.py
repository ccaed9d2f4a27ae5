from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.models import AuthToken, get_digest_token
from knox.settings import CONSTANTS, knox_settings

from accounts.freeze.services import active_freeze
from accounts.models import User


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

    def get_readonly_fields(self, request: HttpRequest, obj: User | None = None) -> list[str]:
        fields = list(super().get_readonly_fields(request, obj))
        # A frozen account is unfrozen by a reviewed appeal (accounts.freeze), which lifts
        # the freeze and records who did it. Ticking "active" here would open every door
        # again with the freeze still on record: the box is locked while one is active.
        if obj is not None and active_freeze(user=obj) is not None:
            fields.append("is_active")
        return fields


# knox registers an admin of its own that lists digests and says "TOKEN <key>" in English
# through the messages framework (a cookie); this one is ours instead.
admin.site.unregister(AuthToken)


@admin.register(AuthToken)
class ApiKeyAdmin(admin.ModelAdmin):
    """API keys: made here, shown once on the page that made them, never stored in clear.

    Only the digest and the key's first characters (to tell keys apart) are kept; a lost
    key cannot be shown again, only deleted and replaced.
    """

    list_display = ["token_key", "user", "created", "expiry"]
    list_select_related = ["user"]
    search_fields = ["token_key", "user__email"]
    raw_id_fields = ["user"]
    fields = ["user", "expiry"]
    readonly_fields = ["token_key", "created"]

    def get_fields(self, request: HttpRequest, obj: AuthToken | None = None) -> list[str]:
        return self.fields if obj is None else ["token_key", "user", "created", "expiry"]

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, object]:
        return {"expiry": timezone.now() + knox_settings.TOKEN_TTL}

    def has_change_permission(self, request: HttpRequest, obj: AuthToken | None = None) -> bool:
        return False  # a key is replaced, never edited

    def save_model(self, request: HttpRequest, obj: AuthToken, form, change: bool) -> None:
        digest, key = get_digest_token()
        obj.digest, obj.token_key = digest, key[: CONSTANTS.TOKEN_KEY_LENGTH]
        obj.save()
        obj.shown_once = key  # for response_add only; never saved

    def response_add(self, request: HttpRequest, obj: AuthToken, post_url_continue=None):
        """The key, on this page only: not in a message (a cookie), not in a redirect.

        Admin views are never_cache, so the page is not kept either.
        """
        context = {**self.admin_site.each_context(request), "token": obj, "key": obj.shown_once}
        context["opts"] = self.model._meta
        return TemplateResponse(request, "admin/knox/api_key_created.html", context)
