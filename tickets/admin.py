"""Ops configure types and teams here; ticket work happens in the console, not the admin."""

from __future__ import annotations

from django.contrib import admin

from tickets.models import Macro, SlaPolicy, Team, Ticket, TicketEvent, TicketType


@admin.register(TicketType)
class TicketTypeAdmin(admin.ModelAdmin):
    list_display = ["name_en", "name_zh_hans", "slug", "kind", "team", "is_active", "position"]
    list_filter = ["kind", "is_active"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name_en", "name_zh_hans", "slug", "calendar"]
    filter_horizontal = ["members"]


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    """A ticket takes the most specific policy: type and priority, type, priority, any."""

    list_display = [
        "name",
        "ticket_type",
        "priority",
        "first_response_minutes",
        "next_response_minutes",
        "resolution_minutes",
        "warn_at_percent",
        "move_to_team_on_breach",
        "is_active",
    ]
    list_filter = ["is_active", "priority", "ticket_type"]


class TicketEventInline(admin.TabularInline):
    model = TicketEvent
    extra = 0
    can_delete = False
    readonly_fields = ["kind", "actor", "from_value", "to_value", "created_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    """Read-only: changes must go through the services so they are checked and recorded."""

    list_display = [
        "number",
        "subject",
        "status",
        "priority",
        "type",
        "requester",
        "assignee",
        "created_at",
    ]
    list_filter = ["status", "priority", "type", "channel"]
    search_fields = ["number", "subject", "txid", "order_id", "requester__email"]
    list_select_related = ["type", "requester", "assignee"]
    inlines = [TicketEventInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(Macro)
class MacroAdmin(admin.ModelAdmin):
    list_display = ["title", "language", "is_active", "updated_at"]
    list_filter = ["language", "is_active"]
    search_fields = ["title", "body"]
