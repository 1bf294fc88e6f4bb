"""Filters, exercise figures and safe numbering under concurrent declarations."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from incidents import services
from incidents.models import Incident
from tests.incidents.conftest import declare


def test_declaring_through_the_api_defaults_to_the_users_only_region(api, world, dispatcher_a):
    api.force_authenticate(dispatcher_a)
    response = api.post(
        "/api/v1/incidents/",
        {"title": "Hostile event at stadium", "kind": "hostile_event", "application": "exercise"},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["region"] == world.region_a.pk and body["is_exercise"] is True
    assert body["declared_by"] == "dispatcher_a (A 911)"


def test_incident_list_filters_by_status_and_keeps_exercises_out_of_real(api, world, dispatcher_a):
    real = declare(world.region_a, dispatcher_a)
    declare(world.region_a, dispatcher_a, application="exercise")
    services.incident_close(actor=dispatcher_a, incident=real, summary="Done")
    api.force_authenticate(dispatcher_a)
    url = "/api/v1/incidents/"
    assert [i["id"] for i in api.get(url, {"real": "1"}).json()["results"]] == [real.pk]
    assert [i["status"] for i in api.get(url, {"status": "closed"}).json()["results"]] == ["closed"]


def test_patients_list_filters_by_status(api, incident, patient_to_a1, dispatcher_a):
    services.patient_register(
        actor=dispatcher_a, incident=incident, patients=[{"tag_number": "T-2", "category": "minor"}]
    )
    services.patients_transport(
        actor=dispatcher_a, incident=incident, patients=[patient_to_a1], unit="Medic 3"
    )
    api.force_authenticate(dispatcher_a)
    url = f"/api/v1/incidents/{incident.pk}/patients/"
    in_transport = api.get(url, {"status": "in_transport"}).json()["results"]
    assert [(p["tag_number"], p["transport_unit"]) for p in in_transport] == [("T-1", "Medic 3")]
    assert api.get(url).json()["count"] == 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_declarations_in_one_region_get_distinct_consecutive_numbers(world):
    barrier = threading.Barrier(5)
    errors: list[BaseException] = []

    def run(n: int) -> None:
        try:
            barrier.wait()
            declare(world.region_a, None, title=f"Call {n}")
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    sequences = sorted(Incident.objects.values_list("sequence", flat=True))
    assert sequences == [1, 2, 3, 4, 5]
