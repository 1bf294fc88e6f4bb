"""/api/v1/ routes of the incidents app.

SimpleRouters with path converters (no API root view): other apps share the prefix.
"""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import SimpleRouter

from incidents.api import cad, hospitals, incidents, patients

router = SimpleRouter(use_regex_path=False)
router.register("incidents", incidents.IncidentViewSet, basename="incident")
router.register(
    "incidents/<int:pk>/hospitals", hospitals.IncidentHospitalViewSet, basename="incident-hospital"
)
router.register("incidents/<int:pk>/patients", patients.PatientViewSet, basename="incident-patient")
router.register("standdowns", hospitals.StandDownViewSet, basename="standdown")

urlpatterns: list[URLPattern | URLResolver] = [
    # An APIView: CAD intake is one verb, not a resource (incidents/api/cad.py).
    path("cad/incidents/", cad.CadIncidentView.as_view(), name="api-cad-incidents"),
    *router.urls,
]
