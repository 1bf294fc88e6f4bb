"""Exchange partners (keys are created with `manage.py create_exchange_partner`) and what
they sent (read-only)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from interop.models import ExchangePartner, InboundMessage


@admin.register(ExchangePartner)
class ExchangePartnerAdmin(admin.ModelAdmin):
    """Scopes, CAP senders and events can be changed here; keys only deactivated."""

    list_display = ["name", "region", "key_prefix", "active", "created_at", "last_used_at"]
    list_filter = ["active", "region"]
    fields = [
        "name", "region", "key_prefix", "scopes", "cap_senders", "cap_events",
        "cap_incident_kind", "active", "created_at", "last_used_at",
    ]  # fmt: skip
    readonly_fields = ["name", "region", "key_prefix", "created_at", "last_used_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(InboundMessage)
class InboundMessageAdmin(admin.ModelAdmin):
    list_display = ["received_at", "standard", "partner", "sender", "identifier", "outcome"]
    list_filter = ["standard", "outcome", "region"]
    search_fields = ["identifier", "sender", "reason"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
