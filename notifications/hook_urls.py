"""Provider webhooks under /hooks/twilio/."""

from __future__ import annotations

from django.urls import URLPattern

app_name = "hooks"
urlpatterns: list[URLPattern] = []
