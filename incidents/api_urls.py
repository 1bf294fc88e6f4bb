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
# the shared checklist, ICS roles and the record (incidents/api_checklist.py): each adds its
# actions under incidents/{id}/
router.register("incidents", api_checklist.IncidentChecklistViewSet, basename="incident-checklist")
router.register("incidents", api_checklist.IncidentRolesViewSet, basename="incident-roles")
router.register("incidents", api_checklist.IncidentRecordViewSet, basename="incident-record")
router.register(
    "checklist-templates", api_checklist.ChecklistTemplateViewSet, basename="checklist-template"
)

urlpatterns: list[URLPattern | URLResolver] = [
    # An APIView: CAD intake is one verb, not a resource (incidents/cad.py).
    path("cad/incidents/", cad.CadIncidentView.as_view(), name="api-cad-incidents"),
    *router.urls,
    # An APIView: a CSV download without the router's trailing slash (incidents/api_checklist.py).
    path(
        "incidents/<int:pk>/record/timeline.csv",
        api_checklist.TimelineCSVView.as_view(),
        name="api-incident-record-timeline-csv",
    ),
]
