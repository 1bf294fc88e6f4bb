"""/api/v1/ routes of the incidents app (explicit paths: the agencies API shares the prefix)."""

from __future__ import annotations

from django.urls import path

from incidents import api, cad

urlpatterns = [
    path("cad/incidents/", cad.CadIncidentView.as_view(), name="api-cad-incidents"),
    path("incidents/", api.IncidentListView.as_view(), name="api-incidents"),
    path("standdowns/", api.StandDownsView.as_view(), name="api-standdowns"),
    path(
        "standdowns/<int:sid>/acknowledge/",
        api.StandDownAcknowledgeView.as_view(),
        name="api-standdown-acknowledge",
    ),
    path("incidents/<int:pk>/", api.IncidentDetailView.as_view(), name="api-incident"),
    path(
        "incidents/<int:pk>/deescalate/",
        api.IncidentTransitionView.as_view(transition="deescalate"),
        name="api-incident-deescalate",
    ),
    path(
        "incidents/<int:pk>/close/",
        api.IncidentTransitionView.as_view(transition="close"),
        name="api-incident-close",
    ),
    path(
        "incidents/<int:pk>/reopen/",
        api.IncidentTransitionView.as_view(transition="reopen"),
        name="api-incident-reopen",
    ),
    path(
        "incidents/<int:pk>/events/", api.IncidentEventsView.as_view(), name="api-incident-events"
    ),
    path("incidents/<int:pk>/board/", api.IncidentBoardView.as_view(), name="api-incident-board"),
    path(
        "incidents/<int:pk>/guidance/",
        api.IncidentGuidanceView.as_view(),
        name="api-incident-guidance",
    ),
    path(
        "incidents/<int:pk>/hospitals/",
        api.IncidentHospitalsView.as_view(),
        name="api-incident-hospitals",
    ),
    path(
        "incidents/<int:pk>/hospitals/<int:hid>/",
        api.IncidentHospitalView.as_view(),
        name="api-incident-hospital",
    ),
    path(
        "incidents/<int:pk>/hospitals/<int:hid>/acknowledge/",
        api.HospitalActionView.as_view(action_name="acknowledge"),
        name="api-incident-hospital-acknowledge",
    ),
    path(
        "incidents/<int:pk>/hospitals/<int:hid>/capacity/",
        api.HospitalActionView.as_view(action_name="capacity"),
        name="api-incident-hospital-capacity",
    ),
    path(
        "incidents/<int:pk>/patients/",
        api.PatientsView.as_view(),
        name="api-incident-patients",
    ),
    path(
        "incidents/<int:pk>/patients/transport/",
        api.TransportView.as_view(),
        name="api-incident-patients-transport",
    ),
    path(
        "incidents/<int:pk>/patients/walk-in/",
        api.WalkinView.as_view(),
        name="api-incident-patients-walkin",
    ),
    path(
        "incidents/<int:pk>/patients/<int:pid>/",
        api.PatientDetailView.as_view(),
        name="api-incident-patient",
    ),
    path(
        "incidents/<int:pk>/patients/<int:pid>/retriage/",
        api.PatientActionView.as_view(action_name="retriage"),
        name="api-incident-patient-retriage",
    ),
    path(
        "incidents/<int:pk>/patients/<int:pid>/destination/",
        api.PatientActionView.as_view(action_name="destination"),
        name="api-incident-patient-destination",
    ),
    path(
        "incidents/<int:pk>/patients/<int:pid>/details/",
        api.PatientActionView.as_view(action_name="details"),
        name="api-incident-patient-details",
    ),
    path(
        "incidents/<int:pk>/patients/<int:pid>/arrive/",
        api.PatientActionView.as_view(action_name="arrive"),
        name="api-incident-patient-arrive",
    ),
    path("incidents/<int:pk>/updates/", api.UpdatesView.as_view(), name="api-incident-updates"),
]
