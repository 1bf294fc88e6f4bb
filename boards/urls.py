"""Pages under /incidents/: the live boards (boards/views.py)."""

from __future__ import annotations

from django.urls import URLPattern, path

from boards import views

app_name = "boards"
urlpatterns: list[URLPattern] = [
    path("", views.dispatch_board, name="dispatch"),
    path("<int:pk>/", views.incident_board, name="incident"),
    path("<int:pk>/ems/", views.ems_board, name="ems-incident"),
    path("er/", views.er_board, name="er"),
    path("er/<int:hospital_id>/", views.er_board, name="er-hospital"),
    path("ems/", views.ems_index, name="ems"),
    path("em/", views.em_board, name="em"),
    path("officials/", views.officials_board, name="officials"),
]
