"""Incident fixtures: an MCI declared in region A next to hospital A1, and helpers."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from agencies.models import Region
from incidents import services
from incidents.models import Incident, IncidentHospital, Patient
from incidents.services.tokens import cad_token_create
from tests.conftest import World

A1_LAT, A1_LON = 39.75, -84.20


def declare(region: Region, actor: Any = None, **fields: Any) -> Incident:
    values: dict[str, Any] = {
        "title": "Shooting at Central Mall",
        "kind": Incident.Kind.ACTIVE_SHOOTER,
        "location_text": "Central Mall, 100 Main St",
        "latitude": A1_LAT,
        "longitude": A1_LON,
        "estimated": {"immediate": 2, "delayed": 4, "minor": 10},
    }
    values.update(fields)
    return services.incident_declare(actor=actor, region=region, **values)


@pytest.fixture
def incident(world: World, dispatcher_a: Any) -> Incident:
    """An active MCI in region A with hospital A1 (only) on it."""
    world.region_a.hospitals_to_notify = 1
    world.region_a.save()
    incident = declare(world.region_a, dispatcher_a)
    assert [h.hospital_id for h in incident.hospitals.all()] == [world.hospital_a1.pk]
    return incident


@pytest.fixture
def row_a1(incident: Incident, world: World) -> IncidentHospital:
    return incident.hospitals.get(hospital=world.hospital_a1)


@pytest.fixture
def patient_to_a1(incident: Incident, world: World, dispatcher_a: Any) -> Patient:
    (patient,) = services.patient_register(
        actor=dispatcher_a,
        incident=incident,
        patients=[{"tag_number": "T-1", "category": "immediate", "destination": world.hospital_a1}],
    )
    return patient


@pytest.fixture
def cad_key(world: World) -> str:
    _, key = cad_token_create(region=world.region_a, name="County CAD")
    return key


@pytest.fixture
def cad(cad_key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {cad_key}")
    return client
