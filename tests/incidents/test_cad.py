"""CAD intake: token auth, validation, idempotency on cad_number (also when calls race)."""

from __future__ import annotations

import threading
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from rest_framework.test import APIClient

from incidents import services
from incidents.models import CadToken, Incident, IncidentHospital
from incidents.services.tokens import cad_token_create
from tests.factories import HospitalFactory

URL = "/api/v1/cad/incidents/"
PAYLOAD = {
    "cad_number": "CAD-24-001234",
    "title": "Shots fired, Central Mall",
    "kind": "active_shooter",
    "location_text": "Central Mall, 100 Main St",
    "latitude": 39.75,
    "longitude": -84.20,
    "estimated": {"immediate": 3, "delayed": 5, "minor": 12},
}


def test_cad_declares_an_incident_with_ranked_hospitals(cad, world):
    response = cad.post(URL, PAYLOAD, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["cad_number"] == "CAD-24-001234" and body["declared_via"] == "CAD: County CAD"
    incident = Incident.objects.get(pk=body["id"])
    assert incident.region == world.region_a and incident.declared_by is None
    # Region A has two hospitals in range (B1 is 300 km away): both go on, fewer than N=3.
    on_incident = set(incident.hospitals.values_list("hospital_id", flat=True))
    assert on_incident == {world.hospital_a1.id, world.hospital_a2.id}
    assert incident.events.get(seq=1).actor_label == "CAD: County CAD"


def test_the_same_cad_call_twice_returns_the_same_incident_with_200(cad):
    first = cad.post(URL, PAYLOAD, format="json")
    second = cad.post(URL, {**PAYLOAD, "title": "Resent"}, format="json")
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert second.json()["title"] == PAYLOAD["title"]
    assert Incident.objects.count() == 1


def test_the_same_cad_number_in_another_region_is_another_incident(cad, world):
    _, key_b = cad_token_create(region=world.region_b, name="B CAD")
    client_b = APIClient()
    client_b.credentials(HTTP_AUTHORIZATION=f"Token {key_b}")
    assert cad.post(URL, PAYLOAD, format="json").status_code == 201
    response = client_b.post(URL, PAYLOAD, format="json")
    assert response.status_code == 201
    assert response.json()["region"] == world.region_b.pk


@pytest.mark.django_db(transaction=True)
def test_concurrent_identical_cad_calls_create_one_incident(world, cad_key):
    results: list[int] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def call() -> None:
        try:
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {cad_key}")
            barrier.wait()
            response = client.post(URL, PAYLOAD, format="json")
            results.append(response.status_code)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=call) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(results) == [200, 200, 200, 201]
    assert Incident.objects.filter(cad_number=PAYLOAD["cad_number"]).count() == 1


def test_cad_hospitals_take_precedence_over_ranking(cad, world):
    payload = {
        **PAYLOAD,
        "hospitals": [world.hospital_a2.agency.short_code, world.hospital_a1.agency_id],
    }
    response = cad.post(URL, payload, format="json")
    assert response.status_code == 201, response.content
    rows = IncidentHospital.objects.filter(incident_id=response.json()["id"]).order_by("rank")
    assert [(r.hospital_id, r.source, r.rank) for r in rows] == [
        (world.hospital_a2.pk, "cad", 1),
        (world.hospital_a1.pk, "cad", 2),
    ]


def test_cad_unknown_hospitals_are_a_field_error(cad, world):
    payload = {**PAYLOAD, "hospitals": ["NOPE", world.police_a.pk]}
    response = cad.post(URL, payload, format="json")
    assert response.status_code == 400
    assert "Unknown hospital(s): NOPE" in response.json()["hospitals"][0]
    assert not Incident.objects.exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({k: v for k, v in PAYLOAD.items() if k != "cad_number"}, "cad_number"),
        ({**PAYLOAD, "title": ""}, "title"),
        ({**PAYLOAD, "kind": "riot"}, "kind"),
        ({**PAYLOAD, "latitude": "north"}, "latitude"),
        ({**PAYLOAD, "latitude": 123}, "latitude"),
        ({**PAYLOAD, "estimated": {"purple": 2}}, "estimated"),
        ({**PAYLOAD, "estimated": {"immediate": -1}}, "estimated"),
        ({**PAYLOAD, "application": "drill"}, "application"),
        ({**PAYLOAD, "hospitals": [True]}, "hospitals"),
        ({**PAYLOAD, "hospitals": "A1"}, "hospitals"),
        ({**PAYLOAD, "longitude": None}, "latitude"),
    ],
)
def test_cad_validation_errors_are_400s_with_the_field(cad, payload, field):
    response = cad.post(URL, payload, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not Incident.objects.exists()


def test_cad_bad_json_is_a_400(cad):
    response = cad.post(URL, "{not json", content_type="application/json")
    assert response.status_code == 400


@pytest.mark.parametrize(
    "header", [None, "Bearer wrong-key", "Bearer", "Basic dXNlcjpwYXNz", "Bearer a b"]
)
def test_cad_without_a_valid_token_is_refused(world, header):
    client = APIClient()
    if header:
        client.credentials(HTTP_AUTHORIZATION=header)
    response = client.post(URL, PAYLOAD, format="json")
    assert response.status_code in (401, 403)
    assert not Incident.objects.exists()


def test_an_inactive_cad_token_is_refused(cad, cad_key):
    CadToken.objects.update(active=False)
    assert cad.post(URL, PAYLOAD, format="json").status_code == 401


def test_a_logged_in_user_cannot_use_the_cad_endpoint(api, dispatcher_a):
    api.force_authenticate(dispatcher_a)
    assert api.post(URL, PAYLOAD, format="json").status_code in (401, 403)


def test_create_cad_token_prints_a_working_key_once(world):
    out = StringIO()
    call_command("create_cad_token", world.region_a.code, "County CAD", stdout=out)
    key = out.getvalue().splitlines()[1]
    token = CadToken.objects.get()
    assert token.key_prefix == key[:8] and key not in token.key_hash
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert client.post(URL, PAYLOAD, format="json").status_code == 201


def test_a_cad_key_never_puts_another_regions_hospital_on_an_incident(cad, world):
    """Region B's hospital (300 km away) by numeric agency id: a field error, nothing
    declared; region A's own hospital by the same kind of id goes on."""
    foreign = {**PAYLOAD, "hospitals": [world.hospital_b1.agency_id]}
    response = cad.post(URL, foreign, format="json")
    assert response.status_code == 400, response.content
    assert f"Unknown hospital(s): {world.hospital_b1.agency_id}" in response.json()["hospitals"][0]
    assert not Incident.objects.exists()
    assert not IncidentHospital.objects.filter(hospital=world.hospital_b1).exists()

    own = {**PAYLOAD, "hospitals": [world.hospital_a1.agency_id]}
    response = cad.post(URL, own, format="json")
    assert response.status_code == 201, response.content
    rows = IncidentHospital.objects.filter(incident_id=response.json()["id"])
    assert [r.hospital_id for r in rows] == [world.hospital_a1.pk]


def test_a_cad_key_reaches_a_neighbouring_hospital_within_the_radius(cad, world):
    near_b = HospitalFactory(
        agency__region=world.region_b, agency__latitude=39.76, agency__longitude=-84.21
    )
    response = cad.post(URL, {**PAYLOAD, "hospitals": [near_b.agency_id]}, format="json")
    assert response.status_code == 201, response.content
    rows = IncidentHospital.objects.filter(incident_id=response.json()["id"])
    assert [r.hospital_id for r in rows] == [near_b.pk]


def test_the_service_refuses_a_hospital_out_of_reach_whoever_calls_it(incident, world):
    """The one rule sits in incident_hospital_add too, so no other caller can bypass it."""
    with pytest.raises(ValidationError) as refused:
        services.incident_hospital_add(actor=None, incident=incident, hospital=world.hospital_b1)
    assert "within its radius" in str(refused.value)
    services.incident_hospital_add(actor=None, incident=incident, hospital=world.hospital_a2)
    assert set(incident.hospitals.values_list("hospital_id", flat=True)) == {
        world.hospital_a1.pk,
        world.hospital_a2.pk,
    }
