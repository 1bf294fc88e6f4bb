"""The drill API: who starts drills and reads results and stale contact points, 400s with
field errors. Each refusal is paired with the allowed user succeeding in the same test."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from agencies.models import Role, RosterRole
from readiness.models import CommunicationsDrill
from tests.factories import UserFactory, user_with_roles
from tests.notifications.helpers import person

pytestmark = pytest.mark.django_db

DRILLS = "/api/v1/readiness/drills/"
STALE = "/api/v1/readiness/stale-contacts/"


@pytest.fixture
def roster(world):
    return {
        "er_a1": person(world.hospital_a1.agency, roles=[RosterRole.ER_CONTACT]),
        "er_a2": person(world.hospital_a2.agency, roles=[RosterRole.ER_CONTACT]),
    }


@pytest.fixture
def users(world, em_a):
    return {
        "em": em_a,
        "admin_a1": user_with_roles(world.hospital_a1.agency, Role.AGENCY_ADMIN),
        "official": user_with_roles(world.officials_a, Role.OFFICIAL),
        "dispatcher": user_with_roles(world.dispatch_a, Role.DISPATCHER),
        "em_b": user_with_roles(world.police_b, Role.EMERGENCY_MANAGER),
    }


def as_user(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def start(world, user, **body):
    return as_user(user).post(
        DRILLS, {"region": world.region_a.pk, "audience": "er_contacts", **body}, format="json"
    )


def test_only_the_regions_ems_start_a_drill(
    world, roster, users, django_capture_on_commit_callbacks
):
    for refused in ("admin_a1", "official", "dispatcher", "em_b"):
        assert start(world, users[refused]).status_code == 403, refused
    assert start(world, UserFactory()).status_code == 403
    assert APIClient().post(DRILLS, {}, format="json").status_code in (401, 403)
    assert not CommunicationsDrill.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        created = start(world, users["em"], message="Quarterly test.")
    assert created.status_code == 201, created.content
    assert created.json()["audience"] == "er_contacts"
    assert CommunicationsDrill.objects.get().notification_id == created.json()["notification"]


def test_bad_input_is_a_400_with_field_errors(world, roster, users):
    assert start(world, users["em"], audience="everyone").json().keys() == {"audience"}
    assert start(world, users["em"], message="x" * 301).json().keys() == {"message"}
    empty = start(world, users["em"], audience="duty_officers")
    assert empty.status_code == 400 and "audience" in empty.json()
    assert start(world, users["em"]).status_code == 201


def test_results_per_reader(world, roster, users, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        drill_id = start(world, users["em"]).json()["id"]
    url = f"{DRILLS}{drill_id}/results/"
    a1, a2 = world.hospital_a1.agency_id, world.hospital_a2.agency_id

    every = as_user(users["em"]).get(url)
    assert every.status_code == 200
    assert {r["agency_id"] for r in every.json()} == {a1, a2}
    row = next(r for r in every.json() if r["agency_id"] == a1)
    assert row["targeted"] == 1 and row["not_acknowledged"] == [roster["er_a1"].full_name]
    assert {r["agency_id"] for r in as_user(users["official"]).get(url).json()} == {a1, a2}
    assert [r["agency_id"] for r in as_user(users["admin_a1"]).get(url).json()] == [a1]

    assert as_user(users["dispatcher"]).get(url).status_code == 404
    assert as_user(users["em_b"]).get(url).status_code == 404
    assert as_user(users["dispatcher"]).get(DRILLS).json()["results"] == []
    assert [d["id"] for d in as_user(users["admin_a1"]).get(DRILLS).json()["results"]] == [drill_id]


def test_stale_contacts_per_reader(world, roster, users):
    every = as_user(users["em"]).get(STALE)
    assert every.status_code == 200
    assert {r["agency"] for r in every.json()} == {
        world.hospital_a1.agency.name,
        world.hospital_a2.agency.name,
    }
    own = as_user(users["admin_a1"]).get(STALE).json()
    assert [r["member"] for r in own] == [roster["er_a1"].full_name]
    assert as_user(users["dispatcher"]).get(STALE).status_code == 403
    assert as_user(users["em_b"]).get(STALE).json() == []
