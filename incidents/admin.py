"""Admin: read-mostly views of incidents; the timeline is read-only (services change state)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from incidents.models import (
    CadToken,
    Incident,
    IncidentEvent,
    IncidentHospital,
    Patient,
    SituationUpdate,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class IncidentHospitalInline(ReadOnlyInline):
    model = IncidentHospital
    fields = ["hospital", "source", "rank", "acknowledged_at", "capacity_answered_at"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """State changes go through incidents/services so the timeline records them."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Incident)
class IncidentAdmin(ReadOnlyAdmin):
    list_display = ["number", "title", "region", "kind", "status", "application", "declared_at"]
    list_filter = ["status", "application", "kind", "region"]
    search_fields = ["number", "title", "cad_number", "location_text"]
    date_hierarchy = "declared_at"
    inlines = [IncidentHospitalInline]


@admin.register(IncidentEvent)
class IncidentEventAdmin(ReadOnlyAdmin):
    list_display = ["incident", "seq", "kind", "at", "actor_label", "summary", "public"]
    list_filter = ["kind", "public"]
    search_fields = ["summary", "incident__number"]
    list_select_related = ["incident"]


@admin.register(Patient)
class PatientAdmin(ReadOnlyAdmin):
    list_display = ["tag_number", "incident", "category", "status", "destination", "walk_in"]
    list_filter = ["category", "status", "walk_in"]
    search_fields = ["tag_number", "incident__number"]
    list_select_related = ["incident", "destination__agency"]


@admin.register(SituationUpdate)
class SituationUpdateAdmin(ReadOnlyAdmin):
    list_display = ["incident", "author", "posted_at", "sent_at"]


@admin.register(CadToken)
class CadTokenAdmin(admin.ModelAdmin):
    """Create tokens with `manage.py create_cad_token`; here they can be deactivated."""

    list_display = ["name", "region", "key_prefix", "active", "created_at", "last_used_at"]
    list_filter = ["active", "region"]
    fields = ["name", "region", "key_prefix", "active", "created_at", "last_used_at"]
    readonly_fields = ["name", "region", "key_prefix", "created_at", "last_used_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
