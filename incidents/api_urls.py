"""/api/v1/ routes of the incidents app.

SimpleRouters with path converters (no API root view): other apps share the prefix.
"""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import SimpleRouter

from incidents import api, api_checklist, cad

router = SimpleRouter(use_regex_path=False)
router.register("incidents", api.IncidentViewSet, basename="incident")
router.register(
    "incidents/<int:pk>/hospitals", api.IncidentHospitalViewSet, basename="incident-hospital"
)
router.register("incidents/<int:pk>/patients", api.PatientViewSet, basename="incident-patient")
router.register("standdowns", api.StandDownViewSet, basename="standdown")

urlpatterns: list[URLPattern | URLResolver] = [
    # An APIView: CAD intake is one verb, not a resource (incidents/cad.py).
    path("cad/incidents/", cad.CadIncidentView.as_view(), name="api-cad-incidents"),
    *router.urls,
    # the shared checklist, ICS roles and the record (incidents/api_checklist.py)
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
