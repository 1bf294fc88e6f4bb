"""Hospitals over the API: the directory with ED status and capacity, their times and ages, and
PATCH hospitals/{id}/status/ (who may report is in test_api_permissions.py)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from agencies.models import AuditEntry, EdStatus, Hospital
from tests.conftest import World, as_user
from tests.factories import HospitalFactory


@pytest.fixture
def nurse_api(api: APIClient, nurse_a1: Any) -> APIClient:
    return as_user(api, nurse_a1)


def status_url(hospital: Hospital) -> str:
    return f"/api/v1/hospitals/{hospital.pk}/status/"


def test_every_hospital_shows_its_status_and_capacity_with_their_age(
    api: APIClient, world: World, dispatcher_a: Any
) -> None:
    now = timezone.now()
    Hospital.objects.filter(pk=world.hospital_a1.pk).update(
        ed_status=EdStatus.DIVERSION,
        ed_status_at=now - timedelta(minutes=5),
        capacity_immediate=2,
        capacity_delayed=4,
        capacity_minor=10,
        capacity_reported_at=now - timedelta(minutes=30),
    )
    as_user(api, dispatcher_a)

    rows = {row["name"]: row for row in api.get("/api/v1/hospitals/").json()["results"]}

    a1 = rows["A1 Hospital"]
    assert (a1["ed_status"], a1["trauma_level"], a1["region"]) == (
        "diversion",
        2,
        world.region_a.pk,
    )
    assert 300 <= a1["ed_status_age_seconds"] < 330
    assert a1["capacity"]["immediate"] == 2
    assert (a1["capacity"]["delayed"], a1["capacity"]["minor"]) == (4, 10)
    assert 1800 <= a1["capacity"]["age_seconds"] < 1830
    assert a1["capacity"]["reported_at"] is not None
    never = rows["A2 Hospital"]  # never reported: no time, no age, no made-up numbers
    assert never["ed_status_at"] is None and never["ed_status_age_seconds"] is None
    assert never["capacity"] == {
        "immediate": None,
        "delayed": None,
        "minor": None,
        "reported_at": None,
        "age_seconds": None,
    }


def test_a_nurse_reports_diversion_and_capacity_and_every_board_sees_a_fresh_report(
    nurse_api: APIClient, world: World
) -> None:
    response = nurse_api.patch(
        status_url(world.hospital_a1),
        {"ed_status": "diversion", "capacity": {"immediate": 2, "delayed": 4, "minor": 10}},
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["ed_status"] == "diversion"
    assert body["ed_status_age_seconds"] == 0
    assert body["capacity"]["immediate"] == 2
    assert (body["capacity"]["delayed"], body["capacity"]["minor"]) == (4, 10)
    assert body["capacity"]["age_seconds"] == 0

    entry = AuditEntry.objects.get(object_type="hospital")
    assert entry.actor.username == "nurse_a1"
    assert entry.changes["ed_status"] == ["open", "diversion"]
    assert entry.changes["capacity_immediate"] == [None, 2]


def test_a_capacity_revision_keeps_the_colours_it_does_not_mention(
    nurse_api: APIClient, world: World
) -> None:
    url = status_url(world.hospital_a1)
    first = {"capacity": {"immediate": 2, "delayed": 4, "minor": 10}}
    nurse_api.patch(url, first, format="json")
    response = nurse_api.patch(url, {"capacity": {"immediate": 0}}, format="json")
    assert response.status_code == 200
    capacity = response.json()["capacity"]
    assert (capacity["immediate"], capacity["delayed"], capacity["minor"]) == (0, 4, 10)
    assert response.json()["ed_status"] == "open"  # status untouched by a capacity report


def test_a_status_change_alone_does_not_refresh_the_capacity_time(
    nurse_api: APIClient, world: World
) -> None:
    response = nurse_api.patch(
        status_url(world.hospital_a1), {"ed_status": "closed"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["capacity"]["reported_at"] is None


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "non_field_errors"),
        ({"ed_status": "on fire"}, "ed_status"),
        ({"ed_status": None}, "ed_status"),
        ({"capacity": {"immediate": -1}}, "capacity"),
        ({"capacity": {"immediate": "lots"}}, "capacity"),
        ({"capacity": {"immediate": 2.5}}, "capacity"),
        ({"capacity": {"red": 3}}, "capacity"),
        ({"capacity": {}}, "capacity"),
        ({"capacity": [2, 4, 10]}, "capacity"),
        ({"capacity": 5}, "capacity"),
    ],
    ids=[
        "empty",
        "unknown-status",
        "null-status",
        "negative-capacity",
        "capacity-not-a-number",
        "fractional-capacity",
        "unknown-colour",
        "empty-capacity",
        "capacity-as-list",
        "capacity-as-number",
    ],
)
def test_a_bad_status_report_is_a_400_naming_the_field_and_changes_nothing(
    nurse_api: APIClient, world: World, payload: dict[str, Any], field: str
) -> None:
    response = nurse_api.patch(status_url(world.hospital_a1), payload, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    hospital = Hospital.objects.get(pk=world.hospital_a1.pk)
    assert (hospital.ed_status, hospital.ed_status_at, hospital.capacity_reported_at) == (
        "open",
        None,
        None,
    )
    assert not AuditEntry.objects.exists()


def test_an_unknown_capacity_colour_is_named_in_the_error(
    nurse_api: APIClient, world: World
) -> None:
    response = nurse_api.patch(
        status_url(world.hospital_a1), {"capacity": {"immediate": 1, "red": 3}}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()["capacity"]) == ["red"]


def test_hospitals_cannot_be_created_or_deleted_over_the_api(
    api: APIClient, world: World, em_a: Any
) -> None:
    as_user(api, em_a)
    assert api.post("/api/v1/hospitals/", {"agency": world.police_a.pk}).status_code == 405
    assert api.delete(f"/api/v1/hospitals/{world.hospital_a1.pk}/").status_code == 405
    assert Hospital.objects.count() == 3


def test_hospitals_filter_by_region_status_and_trauma_level(
    api: APIClient, world: World, em_a: Any
) -> None:
    HospitalFactory(agency__region=world.region_a, agency__name="A3 Clinic", trauma_level=None)
    Hospital.objects.filter(pk=world.hospital_a2.pk).update(ed_status=EdStatus.DIVERSION)
    Hospital.objects.filter(pk=world.hospital_a1.pk).update(trauma_level=1)
    as_user(api, em_a)

    def names(**filters: Any) -> list[str]:
        response = api.get("/api/v1/hospitals/", filters)
        assert response.status_code == 200, response.content
        return [row["name"] for row in response.json()["results"]]

    assert names(region=world.region_a.pk) == ["A1 Hospital", "A2 Hospital", "A3 Clinic"]
    assert names(ed_status="diversion") == ["A2 Hospital"]
    assert names(trauma_level=1) == ["A1 Hospital"]
    assert names(search="clinic") == ["A3 Clinic"]
    assert api.get("/api/v1/hospitals/", {"trauma_level": 9}).status_code == 400
    assert api.get("/api/v1/hospitals/", {"region": world.region_b.pk}).status_code == 400
