"""Personas shared by the whole suite, so permission tests read like sentences.

Region A has a 911 centre, a police department, a county EM office, officials and two
hospitals (A1, A2); region B is somebody else's county.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from rest_framework.test import APIClient

from agencies.models import Agency, Discipline, Hospital, Region, Role
from tests.factories import AgencyFactory, HospitalFactory, RegionFactory, user_with_roles


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:
    """Personas are created per test; PBKDF2's deliberate slowness only costs time here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class World:
    region_a: Region
    region_b: Region
    dispatch_a: Agency
    police_a: Agency
    ems_a: Agency
    em_a: Agency
    officials_a: Agency
    hospital_a1: Hospital
    hospital_a2: Hospital
    police_b: Agency
    hospital_b1: Hospital


@pytest.fixture
def world(db) -> World:
    region_a = RegionFactory(name="Region A", code="region-a")
    region_b = RegionFactory(name="Region B", code="region-b")
    return World(
        region_a=region_a,
        region_b=region_b,
        dispatch_a=AgencyFactory(region=region_a, name="A 911", discipline=Discipline.DISPATCH),
        police_a=AgencyFactory(region=region_a, name="A Police", discipline=Discipline.LAW),
        ems_a=AgencyFactory(region=region_a, name="A EMS", discipline=Discipline.EMS),
        em_a=AgencyFactory(region=region_a, name="A EM", discipline=Discipline.EM),
        officials_a=AgencyFactory(
            region=region_a, name="A Officials", discipline=Discipline.OFFICIALS
        ),
        hospital_a1=HospitalFactory(
            agency__region=region_a,
            agency__name="A1 Hospital",
            agency__latitude=39.75,
            agency__longitude=-84.20,
        ),
        hospital_a2=HospitalFactory(
            agency__region=region_a,
            agency__name="A2 Hospital",
            agency__latitude=39.80,
            agency__longitude=-84.10,
        ),
        police_b=AgencyFactory(region=region_b, name="B Police", discipline=Discipline.LAW),
        # Far from region A (about 300 km), so it never ranks onto region A's incidents.
        hospital_b1=HospitalFactory(
            agency__region=region_b,
            agency__name="B1 Hospital",
            agency__latitude=41.50,
            agency__longitude=-81.69,
        ),
    )


@pytest.fixture
def dispatcher_a(world: World):
    return user_with_roles(world.dispatch_a, Role.DISPATCHER, username="dispatcher_a")


@pytest.fixture
def ems_a(world: World):
    return user_with_roles(world.ems_a, Role.EMS, username="medic_a")


@pytest.fixture
def em_a(world: World):
    return user_with_roles(world.em_a, Role.EMERGENCY_MANAGER, username="em_a")


@pytest.fixture
def official_a(world: World):
    return user_with_roles(world.officials_a, Role.OFFICIAL, username="official_a")


@pytest.fixture
def police_admin_a(world: World):
    return user_with_roles(world.police_a, Role.AGENCY_ADMIN, username="police_admin_a")


@pytest.fixture
def responder_a(world: World):
    return user_with_roles(world.police_a, Role.RESPONDER, username="responder_a")


@pytest.fixture
def nurse_a1(world: World):
    return user_with_roles(world.hospital_a1.agency, Role.HOSPITAL, username="nurse_a1")


@pytest.fixture
def nurse_a2(world: World):
    return user_with_roles(world.hospital_a2.agency, Role.HOSPITAL, username="nurse_a2")


@pytest.fixture
def outsider_b(world: World):
    """A dispatcher and agency admin of region B: sees nothing of region A."""
    return user_with_roles(
        world.police_b,
        Role.DISPATCHER,
        Role.EMERGENCY_MANAGER,
        Role.AGENCY_ADMIN,
        username="outsider_b",
    )


@pytest.fixture
def api():
    """An APIClient; `api.force_authenticate(user)` or `as_user(api, user)`."""
    return APIClient()


def as_user(client: APIClient, user) -> APIClient:
    client.force_authenticate(user=user)
    return client
