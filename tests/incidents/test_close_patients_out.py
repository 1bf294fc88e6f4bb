"""Closing with patients still out: the dispatcher is shown who is still on scene or on the
way and must confirm; patients who arrive after closing are still recorded."""

from __future__ import annotations

import pytest

from incidents import services
from incidents.models import Incident, IncidentEvent
from tests.conftest import as_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def one_out(incident, world, dispatcher_a):
    """T-1 in transport to A1 (unit M12), T-2 on scene, T-3 already arrived."""
    t1, t2, t3 = services.patient_register(
        actor=dispatcher_a,
        incident=incident,
        patients=[
            {"tag_number": "T-1", "category": "immediate", "destination": world.hospital_a1},
            {"tag_number": "T-2", "category": "minor"},
            {"tag_number": "T-3", "category": "delayed", "destination": world.hospital_a1},
        ],
    )
    services.patients_transport(
        actor=dispatcher_a, incident=incident, patients=[t1, t3], unit="M12"
    )
    services.patient_arrive(actor=dispatcher_a, patient=t3)
    return t1, t2


def close(api, incident, **body):
    return api.post(
        f"/api/v1/incidents/{incident.pk}/close/", {"summary": "Scene clear", **body}, format="json"
    )


def test_closing_with_patients_out_lists_them_and_closes_nothing(
    api, incident, one_out, dispatcher_a
):
    answer = close(as_user(api, dispatcher_a), incident)

    assert answer.status_code == 409
    body = answer.json()
    assert "2 patient(s) still on scene or in transport" in body["detail"]
    out = {(p["tag_number"], p["status"], p["destination_name"]) for p in body["patients_out"]}
    assert out == {("T-1", "in_transport", "A1 Hospital"), ("T-2", "on_scene", "")}
    incident.refresh_from_db()
    assert incident.status == Incident.Status.ACTIVE
    assert not IncidentEvent.objects.filter(incident=incident, kind="incident.closed").exists()


def test_confirmed_it_closes_and_the_patient_on_the_way_can_still_arrive(
    api, incident, one_out, dispatcher_a, nurse_a1
):
    t1, _ = one_out
    answer = close(as_user(api, dispatcher_a), incident, confirm=True)
    assert answer.status_code == 200 and answer.json()["status"] == "closed"
    event = IncidentEvent.objects.get(incident=incident, kind="incident.closed")
    assert event.data["patients_out"] == 2 and "2 patient(s)" in event.summary

    # the ER finds the closed incident by its inbound patient, and marks it arrived
    as_user(api, nurse_a1)
    found = api.get(f"/api/v1/incidents/?status=closed&inbound_to={t1.destination_id}")
    assert [i["id"] for i in found.json()["results"]] == [incident.pk]
    arrived = api.post(f"/api/v1/incidents/{incident.pk}/patients/{t1.pk}/arrive/")
    assert arrived.status_code == 200, arrived.content
    assert IncidentEvent.objects.filter(incident=incident, kind="patient.arrived").count() == 2
    # … while the closed incident takes no more capacity answers or walk-ins
    capacity = api.post(
        f"/api/v1/incidents/{incident.pk}/hospitals/{t1.destination_id}/capacity/",
        {"immediate": 1, "delayed": 1, "minor": 1},
        format="json",
    )
    assert capacity.status_code == 400


def test_with_everyone_arrived_it_closes_at_once(api, incident, dispatcher_a):
    answer = close(as_user(api, dispatcher_a), incident)
    assert answer.status_code == 200 and answer.json()["status"] == "closed"
