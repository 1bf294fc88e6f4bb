"""/api/v1/ routes of the readiness app: an incident's checklist, its ICS roles, the record's
figures and CSV, and the region's checklist versions (readiness/api_checklist.py)."""

from __future__ import annotations

from django.urls import path

from readiness import api_checklist

urlpatterns = [
    path(
        "incidents/<int:pk>/checklist/",
        api_checklist.IncidentChecklistView.as_view(),
        name="api-incident-checklist",
    ),
    path(
        "incidents/<int:pk>/checklist/items/<int:item_id>/check/",
        api_checklist.ChecklistItemActionView.as_view(done=True),
        name="api-incident-checklist-check",
    ),
    path(
        "incidents/<int:pk>/checklist/items/<int:item_id>/uncheck/",
        api_checklist.ChecklistItemActionView.as_view(done=False),
        name="api-incident-checklist-uncheck",
    ),
    path(
        "incidents/<int:pk>/roles/",
        api_checklist.IncidentRolesView.as_view(),
        name="api-incident-roles",
    ),
    path(
        "incidents/<int:pk>/roles/<int:assignment_id>/relieve/",
        api_checklist.RoleRelieveView.as_view(),
        name="api-incident-role-relieve",
    ),
    path(
        "incidents/<int:pk>/record/figures/",
        api_checklist.KeyFiguresView.as_view(),
        name="api-incident-record-figures",
    ),
    path(
        "incidents/<int:pk>/record/timeline.csv",
        api_checklist.TimelineCSVView.as_view(),
        name="api-incident-record-timeline-csv",
    ),
    path(
        "checklist-templates/",
        api_checklist.TemplateListView.as_view(),
        name="api-checklist-templates",
    ),
    path(
        "checklist-templates/import/",
        api_checklist.TemplateImportView.as_view(),
        name="api-checklist-template-import",
    ),
    path(
        "checklist-templates/<int:pk>/",
        api_checklist.TemplateDetailView.as_view(),
        name="api-checklist-template",
    ),
    path(
        "checklist-templates/<int:pk>/adopt/",
        api_checklist.TemplateAdoptView.as_view(),
        name="api-checklist-template-adopt",
    ),
    path(
        "checklist-templates/<int:pk>/export/",
        api_checklist.TemplateExportView.as_view(),
        name="api-checklist-template-export",
    ),
]
