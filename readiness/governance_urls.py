"""Governance and interoperability pages under /readiness/."""

from __future__ import annotations

from django.urls import path

from readiness import governance_views as views

app_name = "governance"

urlpatterns = [
    path("governance/", views.governance_overview, name="index"),
    path("governance/meetings/new/", views.meeting_new, name="meeting-new"),
    path("governance/mutual-aid/new/", views.agreement_new, name="agreement-new"),
    path("governance/funding/new/", views.funding_new, name="funding-new"),
    path("interoperability/", views.interoperability, name="interoperability"),
]
