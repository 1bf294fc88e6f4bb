"""/api/v1/: every app's API routes."""

from __future__ import annotations

from django.urls import include, path

urlpatterns = [
    path("", include("agencies.api_urls")),
    path("", include("incidents.api.urls")),
    path("", include("notifications.api_urls")),
    path("", include("interop.api_urls")),
    path("", include("readiness.api_urls")),
]
