"""Admin: rules and templates are editable; notifications, deliveries and escalations are the
record of what was sent and stay read-only (workers and webhooks change them)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from notifications.models import (
    Delivery,
    HospitalEscalation,
    MessageTemplate,
    Notification,
    NotificationRule,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(NotificationRule)
class NotificationRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "region", "trigger", "active", "life_safety", "updated_at"]
    list_filter = ["region", "trigger", "active"]
    search_fields = ["name"]
    filter_horizontal = ["distribution_lists"]


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "region", "updated_at"]
    list_filter = ["region"]
    search_fields = ["name", "body"]


class DeliveryInline(admin.TabularInline):
    model = Delivery
    extra = 0
    can_delete = False
    show_change_link = True
    max_num = 0
    fields = ["member", "channel", "address", "status", "attempts", "acknowledged_at"]
    readonly_fields = fields


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["id", "kind", "incident", "region", "state", "recipient_count", "created_at"]
    list_filter = ["state", "kind", "life_safety", "exercise"]
    search_fields = ["incident__number", "subject"]
    raw_id_fields = ["incident", "event", "rule", "situation_update"]
    date_hierarchy = "created_at"


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "notification",
        "member",
        "channel",
        "address",
        "status",
        "attempts",
        "sent_at",
        "acknowledged_at",
    ]
    list_filter = ["status", "channel", "escalation"]
    search_fields = ["address", "provider_id", "member__full_name"]
    raw_id_fields = ["notification", "member", "contact_point", "user"]
    list_select_related = ["member"]


@admin.register(HospitalEscalation)
class HospitalEscalationAdmin(ReadOnlyAdmin):
    list_display = ["incident", "hospital", "level", "recipients", "at"]
    list_filter = ["level"]
    raw_id_fields = ["incident", "hospital", "notification"]
