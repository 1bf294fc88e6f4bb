"""The declaration says who the casualties are; ranking weighs adult/paediatric trauma care."""

from __future__ import annotations

import pytest

from incidents.models import Incident
from tests.conftest import World, as_user

SCENE = {"latitude": 39.75, "longitude": -84.20}  # next to A1


@pytest.fixture
def a1_is_a_childrens_hospital(world: World) -> World:
    """A1 (nearest the scene) is a children's hospital; A2 an adult Level I centre further off."""
    world.hospital_a1.trauma_level = None
    world.hospital_a1.pediatric = True
    world.hospital_a1.pediatric_trauma_level = 1
    world.hospital_a1.treats_adults = False
    world.hospital_a1.save()
    world.hospital_a2.trauma_level = 1
    world.hospital_a2.save()
    world.region_a.hospitals_to_notify = 1
    world.region_a.save()
    return world


def declared(response) -> Incident:
    assert response.status_code == 201, response.content
    return Incident.objects.get(pk=response.json()["id"])


def test_adult_venue_alerts_the_adult_trauma_centre_not_the_nearer_childrens_hospital(
    api, dispatcher_a, a1_is_a_childrens_hospital
):
    world = a1_is_a_childrens_hospital
    body = {
        "title": "Shooting at Central Mall",
        "kind": "active_shooter",
        "estimated": {"immediate": 3},
        "casualty_population": "adults",
        **SCENE,
    }
    incident = declared(as_user(api, dispatcher_a).post("/api/v1/incidents/", body, format="json"))
    assert incident.casualty_population == "adults"
    (row,) = incident.hospitals.all()
    assert row.hospital == world.hospital_a2
    assert row.reasons[0] == "Level I trauma"
    detail = api.get(f"/api/v1/incidents/{incident.pk}/").json()
    assert detail["casualty_population"] == "adults"


def test_cad_school_children_alerts_the_childrens_hospital_and_says_why(
    cad, a1_is_a_childrens_hospital
):
    world = a1_is_a_childrens_hospital
    body = {
        "cad_number": "CAD-77",
        "title": "Shooting at Riverton Elementary",
        "kind": "active_shooter",
        "estimated": {"immediate": 2, "delayed": 3},
        "casualty_population": "children",
        **SCENE,
    }
    incident = declared(cad.post("/api/v1/cad/incidents/", body, format="json"))
    (row,) = incident.hospitals.all()
    assert row.hospital == world.hospital_a1
    assert row.reasons[:2] == ["children's hospital", "paediatric Level I trauma"]
    assert incident.events.get(seq=1).data["casualty_population"] == "children"


def test_a_declaration_without_a_population_ranks_as_before_and_a_bad_one_is_refused(
    api, dispatcher_a, a1_is_a_childrens_hospital
):
    world = a1_is_a_childrens_hospital
    client = as_user(api, dispatcher_a)
    body = {"title": "Bus crash", "estimated": {"immediate": 1}, **SCENE}
    incident = declared(client.post("/api/v1/incidents/", body, format="json"))
    assert incident.casualty_population == "unknown"
    # Not known: adults may be among them, so the children's hospital is not first.
    assert [r.hospital for r in incident.hospitals.all()] == [world.hospital_a2]
    refused = client.post(
        "/api/v1/incidents/", {**body, "casualty_population": "teens"}, format="json"
    )
    assert refused.status_code == 400
    assert "casualty_population" in refused.json()
