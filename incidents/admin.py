"""Admin: read-mostly views of incidents; the timeline is read-only (services change state)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse, JsonResponse

from incidents.checklists import with_content
from incidents.models import (
    CadToken,
    ChecklistItem,
    ChecklistPhase,
    ChecklistTemplate,
    Incident,
    IncidentChecklist,
    IncidentChecklistItem,
    IncidentEvent,
    IncidentHospital,
    Patient,
    RoleAssignment,
    SituationUpdate,
)
from incidents.template_json import template_document


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


# --- the shared checklist and ICS roles (changes go through incidents/services) ---------------


class ChecklistPhaseInline(ReadOnlyInline):
    model = ChecklistPhase
    fields = ["position", "title"]


class ChecklistItemInline(ReadOnlyInline):
    model = ChecklistItem
    fields = ["position", "text", "disciplines", "owner_role"]
    show_change_link = False


@admin.register(ChecklistTemplate)
class ChecklistTemplateAdmin(ReadOnlyAdmin):
    """Versions are drafted, edited, adopted, imported and exported through the API
    (/api/v1/checklist-templates/); here they can be read and exported."""

    list_display = ["name", "region", "version", "status", "adopted_at", "adopted_by"]
    list_filter = ["status", "region"]
    search_fields = ["name"]
    list_select_related = ["region", "adopted_by"]
    inlines = [ChecklistPhaseInline]
    actions = ["export_json"]

    @admin.action(description="Export the selected version as JSON")
    def export_json(self, request: HttpRequest, queryset: Any) -> HttpResponse | None:
        if queryset.count() != 1:
            self.message_user(request, "Choose one version to export.", level="warning")
            return None
        template = with_content(queryset).get()
        response = JsonResponse(template_document(template), json_dumps_params={"indent": 2})
        response["Content-Disposition"] = (
            f'attachment; filename="checklist-{template.region.code}-v{template.version}.json"'
        )
        return response


@admin.register(ChecklistPhase)
class ChecklistPhaseAdmin(ReadOnlyAdmin):
    list_display = ["title", "template", "position"]
    list_select_related = ["template__region"]
    inlines = [ChecklistItemInline]


class IncidentChecklistItemInline(ReadOnlyInline):
    model = IncidentChecklistItem
    fields = ["phase_position", "position", "text", "done", "checked_at", "checked_by_label"]
    show_change_link = False


@admin.register(IncidentChecklist)
class IncidentChecklistAdmin(ReadOnlyAdmin):
    list_display = ["incident", "template", "started_at"]
    list_select_related = ["incident", "template"]
    inlines = [IncidentChecklistItemInline]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(ReadOnlyAdmin):
    list_display = ["incident", "role", "name", "agency_name", "assigned_at", "relieved_at"]
    list_filter = ["role"]
    search_fields = ["name", "agency_name", "incident__number"]
    list_select_related = ["incident"]
