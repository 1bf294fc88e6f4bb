"""/readiness/: exercises, after-action reports and corrective actions (exercise_views.py)."""

from __future__ import annotations

from django.urls import path

from readiness import exercise_views as views

app_name = "exercises"
urlpatterns = [
    path("exercises/", views.exercise_index, name="index"),
    path("exercises/<int:pk>/", views.exercise_detail, name="detail"),
    path("after-action-reports/<int:pk>/", views.report_page, name="report"),
    path("after-action-reports/<int:pk>.pdf", views.report_pdf, name="report-pdf"),
    path("corrective-actions/", views.action_index, name="actions"),
    path("corrective-actions.csv", views.action_csv, name="actions-csv"),
]
