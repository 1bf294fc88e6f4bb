"""/record/: the printable incident record and its PDF (readiness/record/views.py)."""

from __future__ import annotations

from django.urls import path

from readiness.record import views as record_views

app_name = "record"
urlpatterns = [
    path("incidents/<int:pk>/", record_views.incident_record, name="incident"),
    path("incidents/<int:pk>.pdf", record_views.incident_record_pdf, name="incident-pdf"),
]
