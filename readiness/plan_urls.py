"""/readiness/plan/: the regional plan and who is on it (plan_views.py)."""

from __future__ import annotations

from django.urls import path

from readiness import plan_views as views

app_name = "plan"
urlpatterns = [
    path("plan/", views.plan_overview, name="index"),
    path("plan/documents/new/", views.document_new, name="document-new"),
    path("plan/alignment/", views.alignment_new, name="alignment"),
]
