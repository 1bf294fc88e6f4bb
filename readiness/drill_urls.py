"""Communications drill pages under /readiness/."""

from __future__ import annotations

from django.urls import path

from readiness import drill_views

app_name = "drills"

urlpatterns = [
    path("drills/", drill_views.drill_index, name="index"),
    path("drills/new/", drill_views.drill_new, name="new"),
    path("drills/<int:drill_id>/", drill_views.drill_detail, name="detail"),
]
