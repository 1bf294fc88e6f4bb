"""Admin: the checklist versions, incidents' checklists and ICS roles, read-only (changes go
through readiness/services so the timeline records them)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse, JsonResponse

from incidents.admin import ReadOnlyAdmin, ReadOnlyInline
from readiness.checklists import with_content
from readiness.models import (
    ChecklistItem,
    ChecklistPhase,
    ChecklistTemplate,
    IncidentChecklist,
    IncidentChecklistItem,
    RoleAssignment,
)
from readiness.template_json import template_document


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
