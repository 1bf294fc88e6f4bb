"""Ringdown details: EMS adds age group, sex, injuries and vitals on the way; the receiving
ER reads them; officials, the timeline's text and notifications never carry them."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from incidents import events, services
from incidents.models import Incident, Patient
from notifications.models import Notification
from tests.conftest import World, as_user

RINGDOWN = {
    "age_group": "adult",
    "sex": "female",
    "injury_note": "GSW left thigh, tourniquet on",
    "heart_rate": 124,
    "systolic_bp": 92,
    "diastolic_bp": 58,
    "respiratory_rate": 24,
    "spo2": 93,
    "gcs": 14,
    "avpu": "V",
}


def details_url(incident: Incident, patient: Patient) -> str:
    return f"/api/v1/incidents/{incident.pk}/patients/{patient.pk}/details/"


@pytest.fixture
def on_the_way(incident: Incident, patient_to_a1: Patient, ems_a) -> Patient:
    (patient,) = services.patients_transport(
        actor=ems_a, incident=incident, patients=[patient_to_a1], unit="Medic 12"
    )
    return patient


def test_paramedic_adds_ringdown_details_and_the_receiving_nurse_reads_them(
    api, incident, on_the_way, ems_a, nurse_a1, official_a, world: World
):
    response = as_user(api, ems_a).post(details_url(incident, on_the_way), RINGDOWN, format="json")
    assert response.status_code == 200, response.content
    as_user(api, nurse_a1)
    rows = api.get(f"/api/v1/incidents/{incident.pk}/patients/").json()["results"]
    (row,) = [r for r in rows if r["id"] == on_the_way.pk]
    assert {k: row[k] for k in RINGDOWN} == RINGDOWN
    assert row["details_updated_at"]
    # The event says what changed, never the values; no notification carries them.
    event = incident.events.filter(kind=events.PATIENT_DETAILS).get()
    assert sorted(event.data["changed"]) == sorted(RINGDOWN) and not event.public
    assert "GSW" not in event.summary and "124" not in event.summary
    assert not events.payload_errors(event.kind, event.data)
    assert not any("GSW" in str(n.texts) for n in Notification.objects.all())
    # Officials see counts, never patient rows (while the nurse above did read them).
    as_user(api, official_a)
    assert api.get(f"/api/v1/incidents/{incident.pk}/patients/").status_code == 403
    public = api.get(f"/api/v1/incidents/{incident.pk}/events/").json()
    assert "GSW" not in str(public)


def test_a_few_taps_later_one_vital_is_corrected_and_the_rest_stays(incident, on_the_way, ems_a):
    services.patient_update_details(actor=ems_a, patient=on_the_way, details=RINGDOWN)
    services.patient_update_details(actor=ems_a, patient=on_the_way, details={"heart_rate": 110})
    on_the_way.refresh_from_db()
    assert (on_the_way.heart_rate, on_the_way.gcs, on_the_way.sex) == (110, 14, "female")
    last = incident.events.order_by("-seq").first()
    assert last.data["changed"] == ["heart_rate"]
    assert last.summary == "Patient T-1 details updated: Heart rate"


@pytest.mark.parametrize(
    ("details", "field", "words"),
    [
        ({"heart_rate": 400}, "heart_rate", "Heart rate is at most 250."),
        ({"spo2": 30}, "spo2", "SpO2 is at least 50."),
        ({"gcs": 16}, "gcs", "GCS is at most 15."),
        ({"avpu": "X"}, "avpu", None),
        ({"systolic_bp": 60, "diastolic_bp": 80}, "diastolic_bp", "lower than the systolic"),
        ({}, "non_field_errors", "Send at least one detail."),
    ],
)
def test_out_of_range_vitals_are_refused_with_the_field_named_and_nothing_written(
    api, incident, on_the_way, ems_a, details, field, words
):
    response = as_user(api, ems_a).post(details_url(incident, on_the_way), details, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    if words:
        assert words in str(response.json()[field])
    on_the_way.refresh_from_db()
    assert on_the_way.heart_rate is None and on_the_way.details_updated_at is None
    assert not incident.events.filter(kind=events.PATIENT_DETAILS).exists()


def test_the_service_checks_ranges_and_the_pressure_pair_itself(incident, on_the_way, ems_a):
    with pytest.raises(ValidationError) as refused:
        services.patient_update_details(
            actor=ems_a, patient=on_the_way, details={"respiratory_rate": 2, "mood": "calm"}
        )
    assert set(refused.value.message_dict) == {"respiratory_rate", "mood"}
    services.patient_update_details(actor=ems_a, patient=on_the_way, details={"systolic_bp": 90})
    with pytest.raises(ValidationError, match="lower than the systolic"):
        services.patient_update_details(
            actor=ems_a, patient=on_the_way, details={"diastolic_bp": 95}
        )


def test_only_dispatch_and_ems_write_ringdown_details(api, incident, on_the_way, nurse_a1, ems_a):
    refused = as_user(api, nurse_a1).post(
        details_url(incident, on_the_way), {"heart_rate": 90}, format="json"
    )
    assert refused.status_code == 403
    allowed = as_user(api, ems_a).post(
        details_url(incident, on_the_way), {"heart_rate": 90}, format="json"
    )
    assert allowed.status_code == 200 and allowed.json()["heart_rate"] == 90
