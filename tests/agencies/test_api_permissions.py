"""The permission matrix of the agencies API, as a spec: who may read and change what.

Each table row is (persona, action, expected status for: own agency, another agency in the same
region, an agency in another region). The rules behind it are at the top of
agencies/permissions.py; in short:

- the directory (regions, agencies, hospitals) is visible to everyone of the region;
- rosters (members, contact points) are read by the region's dispatchers and emergency managers
  and by the agency's own admin, and changed only by that admin;
- distribution lists are read by dispatchers, emergency managers and agency admins of the
  region, and kept by its emergency managers;
- a hospital's status is reported by its own ER staff and admins and the region's EMs;
- the audit record is read by agency admins (their agency) and EMs (their regions).

Invisible objects answer 404; visible but not changeable ones 403; creating under a parent the
user cannot see at all is a 400 "Invalid pk". Every row also checks the effect a user would
notice: the object appears in the list, the change was (or was not) made.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from rest_framework.test import APIClient

from agencies import services
from agencies.models import (
    Agency,
    ContactPoint,
    DistributionList,
    Hospital,
    Member,
    Region,
    Role,
)
from tests.conftest import World, as_user
from tests.factories import (
    ContactPointFactory,
    DistributionListFactory,
    MemberFactory,
    user_with_roles,
)

TARGETS = ("own", "same_region", "other_region")

OWN_AGENCY = {
    "dispatcher_a": "dispatch_a",
    "em_a": "em_a",
    "police_admin_a": "police_a",
    "responder_a": "police_a",
    "nurse_a1": "hospital_a1",
    "hospital_admin_a1": "hospital_a1",
    "official_a": "officials_a",
    "outsider_b": "police_b",
}


def target_agency(world: World, persona: str, target: str) -> Agency:
    """The agency a row's target names, seen from the persona: their own; another agency of
    their region (nobody in the table belongs to it); an agency of the other region."""
    in_region_b = persona == "outsider_b"
    if target == "own":
        own = getattr(world, OWN_AGENCY[persona])
        return own.agency if isinstance(own, Hospital) else own
    if target == "same_region":
        return world.hospital_b1.agency if in_region_b else world.ems_a
    if target == "other_region":
        return world.police_a if in_region_b else world.police_b
    raise ValueError(target)


def target_region(world: World, persona: str, target: str) -> Region:
    in_region_b = persona == "outsider_b"
    home, away = (
        (world.region_b, world.region_a) if in_region_b else (world.region_a, world.region_b)
    )
    return {"own_region": home, "other_region": away}[target]


def expand(table: list[tuple[Any, ...]], targets: tuple[str, ...] = TARGETS) -> list[Any]:
    """(persona, action, *expected per target) → one pytest case per target."""
    cases = []
    for persona, action, *expected in table:
        assert len(expected) == len(targets), (persona, action)
        for target, want in zip(targets, expected, strict=True):
            cases.append(
                pytest.param(persona, action, target, want, id=f"{persona}-{action}-{target}")
            )
    return cases


@dataclass
class Call:
    api: APIClient
    world: World
    persona: str


@pytest.fixture
def hospital_admin_a1(world: World) -> Any:
    return user_with_roles(
        world.hospital_a1.agency, Role.AGENCY_ADMIN, username="hospital_admin_a1"
    )


@pytest.fixture
def call(request: pytest.FixtureRequest, api: APIClient, world: World) -> Call:
    persona = request.node.callspec.params["persona"]
    as_user(api, request.getfixturevalue(persona))
    return Call(api=api, world=world, persona=persona)


def listed_ids(api: APIClient, url: str) -> set[int]:
    response = api.get(url)
    assert response.status_code == 200
    return {row["id"] for row in response.json()["results"]}


# --- members ----------------------------------------------------------------------------------

# fmt: off
MEMBERS = [
    # persona            action    own  same region  other region
    ("dispatcher_a",     "read",   200, 200,         404),
    ("dispatcher_a",     "create", 403, 403,         400),
    ("dispatcher_a",     "update", 403, 403,         404),
    ("dispatcher_a",     "delete", 403, 403,         404),
    ("em_a",             "read",   200, 200,         404),
    ("em_a",             "create", 403, 403,         400),
    ("em_a",             "update", 403, 403,         404),
    ("em_a",             "delete", 403, 403,         404),
    ("police_admin_a",   "read",   200, 404,         404),
    ("police_admin_a",   "create", 201, 403,         400),
    ("police_admin_a",   "update", 200, 404,         404),
    ("police_admin_a",   "delete", 200, 404,         404),
    ("responder_a",      "read",   404, 404,         404),
    ("responder_a",      "create", 403, 403,         400),
    ("responder_a",      "update", 404, 404,         404),
    ("responder_a",      "delete", 404, 404,         404),
    ("nurse_a1",         "read",   404, 404,         404),
    ("nurse_a1",         "create", 403, 403,         400),
    ("nurse_a1",         "update", 404, 404,         404),
    ("nurse_a1",         "delete", 404, 404,         404),
    ("official_a",       "read",   404, 404,         404),
    ("official_a",       "create", 403, 403,         400),
    ("official_a",       "update", 404, 404,         404),
    ("official_a",       "delete", 404, 404,         404),
    # outsider_b is dispatcher, EM and agency admin of B Police (region B)
    ("outsider_b",       "read",   200, 200,         404),
    ("outsider_b",       "create", 201, 403,         400),
    ("outsider_b",       "update", 200, 403,         404),
    ("outsider_b",       "delete", 200, 403,         404),
]
# fmt: on


@pytest.mark.parametrize(("persona", "action", "target", "expected"), expand(MEMBERS))
def test_members_permission_matrix(
    call: Call, persona: str, action: str, target: str, expected: int
) -> None:
    agency = target_agency(call.world, persona, target)
    member = MemberFactory(agency=agency, title="Officer")
    url = f"/api/v1/members/{member.pk}/"
    if action == "read":
        assert call.api.get(url).status_code == expected
        assert (member.pk in listed_ids(call.api, "/api/v1/members/")) == (expected == 200)
    elif action == "create":
        response = call.api.post(
            "/api/v1/members/", {"agency": agency.pk, "full_name": "New Hire"}, format="json"
        )
        assert response.status_code == expected, response.content
        created = Member.objects.filter(agency=agency, full_name="New Hire").exists()
        assert created == (expected == 201)
        if expected == 400:
            assert "agency" in response.json()
    elif action == "update":
        response = call.api.patch(url, {"title": "Sergeant"}, format="json")
        assert response.status_code == expected
        member.refresh_from_db()
        assert (member.title == "Sergeant") == (expected == 200)
    elif action == "delete":
        response = call.api.delete(url)
        assert response.status_code == expected
        member.refresh_from_db()
        assert member.active == (expected != 200)
    else:  # pragma: no cover
        raise AssertionError(action)


# --- contact points ---------------------------------------------------------------------------

# Creating names a member, not an agency: a member the user cannot read at all is "Invalid pk".
# fmt: off
CONTACT_POINTS = [
    # persona            action    own  same region  other region
    ("dispatcher_a",     "read",   200, 200,         404),
    ("dispatcher_a",     "create", 403, 403,         400),
    ("dispatcher_a",     "update", 403, 403,         404),
    ("dispatcher_a",     "delete", 403, 403,         404),
    ("em_a",             "read",   200, 200,         404),
    ("em_a",             "create", 403, 403,         400),
    ("em_a",             "update", 403, 403,         404),
    ("em_a",             "delete", 403, 403,         404),
    ("police_admin_a",   "read",   200, 404,         404),
    ("police_admin_a",   "create", 201, 400,         400),
    ("police_admin_a",   "update", 200, 404,         404),
    ("police_admin_a",   "delete", 204, 404,         404),
    ("responder_a",      "read",   404, 404,         404),
    ("responder_a",      "create", 400, 400,         400),
    ("responder_a",      "update", 404, 404,         404),
    ("responder_a",      "delete", 404, 404,         404),
    ("nurse_a1",         "read",   404, 404,         404),
    ("nurse_a1",         "create", 400, 400,         400),
    ("nurse_a1",         "update", 404, 404,         404),
    ("nurse_a1",         "delete", 404, 404,         404),
    ("official_a",       "read",   404, 404,         404),
    ("official_a",       "create", 400, 400,         400),
    ("official_a",       "update", 404, 404,         404),
    ("official_a",       "delete", 404, 404,         404),
    ("outsider_b",       "read",   200, 200,         404),
    ("outsider_b",       "create", 201, 403,         400),
    ("outsider_b",       "update", 200, 403,         404),
    ("outsider_b",       "delete", 204, 403,         404),
]
# fmt: on


@pytest.mark.parametrize(("persona", "action", "target", "expected"), expand(CONTACT_POINTS))
def test_contact_points_permission_matrix(
    call: Call, persona: str, action: str, target: str, expected: int
) -> None:
    member = MemberFactory(agency=target_agency(call.world, persona, target))
    point = ContactPointFactory(member=member, priority=1)
    url = f"/api/v1/contact-points/{point.pk}/"
    if action == "read":
        assert call.api.get(url).status_code == expected
        assert (point.pk in listed_ids(call.api, "/api/v1/contact-points/")) == (expected == 200)
    elif action == "create":
        response = call.api.post(
            "/api/v1/contact-points/",
            {"member": member.pk, "channel": "email", "address": "new@example.org"},
            format="json",
        )
        assert response.status_code == expected, response.content
        assert member.contact_points.filter(channel="email").exists() == (expected == 201)
        if expected == 400:
            assert "member" in response.json()
    elif action == "update":
        response = call.api.patch(url, {"priority": 2}, format="json")
        assert response.status_code == expected
        point.refresh_from_db()
        assert (point.priority == 2) == (expected == 200)
    elif action == "delete":
        response = call.api.delete(url)
        assert response.status_code == expected
        assert ContactPoint.objects.filter(pk=point.pk).exists() == (expected != 204)
    else:  # pragma: no cover
        raise AssertionError(action)


# --- distribution lists -----------------------------------------------------------------------

LIST_TARGETS = ("own_region", "other_region")

# fmt: off
DISTRIBUTION_LISTS = [
    # persona            action        own region  other region
    ("dispatcher_a",     "read",       200,        404),
    ("dispatcher_a",     "recipients", 200,        404),
    ("dispatcher_a",     "create",     403,        400),
    ("dispatcher_a",     "update",     403,        404),
    ("dispatcher_a",     "delete",     403,        404),
    ("em_a",             "read",       200,        404),
    ("em_a",             "recipients", 200,        404),
    ("em_a",             "create",     201,        400),
    ("em_a",             "update",     200,        404),
    ("em_a",             "delete",     204,        404),
    ("police_admin_a",   "read",       200,        404),
    ("police_admin_a",   "recipients", 200,        404),
    ("police_admin_a",   "create",     403,        400),
    ("police_admin_a",   "update",     403,        404),
    ("police_admin_a",   "delete",     403,        404),
    ("responder_a",      "read",       404,        404),
    ("responder_a",      "recipients", 404,        404),
    ("responder_a",      "create",     403,        400),
    ("responder_a",      "update",     404,        404),
    ("responder_a",      "delete",     404,        404),
    ("nurse_a1",         "read",       404,        404),
    ("nurse_a1",         "recipients", 404,        404),
    ("nurse_a1",         "create",     403,        400),
    ("nurse_a1",         "update",     404,        404),
    ("nurse_a1",         "delete",     404,        404),
    ("official_a",       "read",       404,        404),
    ("official_a",       "recipients", 404,        404),
    ("official_a",       "create",     403,        400),
    ("official_a",       "update",     404,        404),
    ("official_a",       "delete",     404,        404),
    ("outsider_b",       "read",       200,        404),
    ("outsider_b",       "recipients", 200,        404),
    ("outsider_b",       "create",     201,        400),
    ("outsider_b",       "update",     200,        404),
    ("outsider_b",       "delete",     204,        404),
]
# fmt: on


@pytest.mark.parametrize(
    ("persona", "action", "target", "expected"), expand(DISTRIBUTION_LISTS, LIST_TARGETS)
)
def test_distribution_lists_permission_matrix(
    call: Call, persona: str, action: str, target: str, expected: int
) -> None:
    region = target_region(call.world, persona, target)
    region_id = region.pk
    dlist = DistributionListFactory(region=region, name="Duty officers")
    url = f"/api/v1/distribution-lists/{dlist.pk}/"
    if action == "read":
        assert call.api.get(url).status_code == expected
        listed = listed_ids(call.api, "/api/v1/distribution-lists/")
        assert (dlist.pk in listed) == (expected == 200)
    elif action == "recipients":
        assert call.api.get(f"{url}recipients/").status_code == expected
    elif action == "create":
        response = call.api.post(
            "/api/v1/distribution-lists/",
            {"region": region_id, "name": "Officials", "disciplines": ["officials"]},
            format="json",
        )
        assert response.status_code == expected, response.content
        created = DistributionList.objects.filter(region_id=region_id, name="Officials").exists()
        assert created == (expected == 201)
        if expected == 400:
            assert "region" in response.json()
    elif action == "update":
        response = call.api.patch(url, {"description": "Call first"}, format="json")
        assert response.status_code == expected
        dlist.refresh_from_db()
        assert (dlist.description == "Call first") == (expected == 200)
    elif action == "delete":
        response = call.api.delete(url)
        assert response.status_code == expected
        assert DistributionList.objects.filter(pk=dlist.pk).exists() == (expected != 204)
    else:  # pragma: no cover
        raise AssertionError(action)


# --- hospitals --------------------------------------------------------------------------------

HOSPITAL_TARGETS = ("hospital_a1", "hospital_a2", "hospital_b1")

# Nurse A1 and the admin of hospital A1 work at A1; A2 is another hospital of region A; B1 is
# in region B. Reading is the directory rule; reporting status needs the hospital rule.
# fmt: off
HOSPITALS = [
    # persona              action    A1   A2   B1
    ("dispatcher_a",       "read",   200, 200, 404),
    ("dispatcher_a",       "report", 403, 403, 404),
    ("em_a",               "read",   200, 200, 404),
    ("em_a",               "report", 200, 200, 404),
    ("police_admin_a",     "read",   200, 200, 404),
    ("police_admin_a",     "report", 403, 403, 404),
    ("responder_a",        "read",   200, 200, 404),
    ("responder_a",        "report", 403, 403, 404),
    ("nurse_a1",           "read",   200, 200, 404),
    ("nurse_a1",           "report", 200, 403, 404),
    ("hospital_admin_a1",  "read",   200, 200, 404),
    ("hospital_admin_a1",  "report", 200, 403, 404),
    ("official_a",         "read",   200, 200, 404),
    ("official_a",         "report", 403, 403, 404),
    ("outsider_b",         "read",   404, 404, 200),
    ("outsider_b",         "report", 404, 404, 200),
]
# fmt: on


@pytest.mark.parametrize(
    ("persona", "action", "target", "expected"), expand(HOSPITALS, HOSPITAL_TARGETS)
)
def test_hospitals_permission_matrix(
    call: Call, persona: str, action: str, target: str, expected: int
) -> None:
    hospital: Hospital = getattr(call.world, target)
    url = f"/api/v1/hospitals/{hospital.pk}/"
    if action == "read":
        assert call.api.get(url).status_code == expected
        assert (hospital.pk in listed_ids(call.api, "/api/v1/hospitals/")) == (expected == 200)
    elif action == "report":
        response = call.api.patch(f"{url}status/", {"ed_status": "diversion"}, format="json")
        assert response.status_code == expected
        hospital.refresh_from_db()
        assert (hospital.ed_status == "diversion") == (expected == 200)
    else:  # pragma: no cover
        raise AssertionError(action)


# --- the directory: regions and agencies (read-only for everyone) ------------------------------

# fmt: off
AGENCIES = [
    # persona            action    own  same region  other region
    ("dispatcher_a",     "read",   200, 200,         404),
    ("dispatcher_a",     "update", 405, 405,         405),
    ("em_a",             "read",   200, 200,         404),
    ("em_a",             "update", 405, 405,         405),
    ("police_admin_a",   "read",   200, 200,         404),
    ("police_admin_a",   "update", 405, 405,         405),
    ("responder_a",      "read",   200, 200,         404),
    ("responder_a",      "update", 405, 405,         405),
    ("nurse_a1",         "read",   200, 200,         404),
    ("nurse_a1",         "update", 405, 405,         405),
    ("official_a",       "read",   200, 200,         404),
    ("official_a",       "update", 405, 405,         405),
    ("outsider_b",       "read",   200, 200,         404),
    ("outsider_b",       "update", 405, 405,         405),
]
# fmt: on


@pytest.mark.parametrize(("persona", "action", "target", "expected"), expand(AGENCIES))
def test_agencies_permission_matrix(
    call: Call, persona: str, action: str, target: str, expected: int
) -> None:
    agency = target_agency(call.world, persona, target)
    url = f"/api/v1/agencies/{agency.pk}/"
    if action == "read":
        assert call.api.get(url).status_code == expected
        assert (agency.pk in listed_ids(call.api, "/api/v1/agencies/")) == (expected == 200)
    elif action == "update":
        assert call.api.patch(url, {"name": "Renamed"}, format="json").status_code == expected
        agency.refresh_from_db()
        assert agency.name != "Renamed"
    else:  # pragma: no cover
        raise AssertionError(action)


# fmt: off
REGIONS = [
    # persona            action    own region  other region
    ("dispatcher_a",     "read",   200,        404),
    ("em_a",             "read",   200,        404),
    ("police_admin_a",   "read",   200,        404),
    ("responder_a",      "read",   200,        404),
    ("nurse_a1",         "read",   200,        404),
    ("official_a",       "read",   200,        404),
    ("outsider_b",       "read",   200,        404),
    ("outsider_b",       "delete", 405,        405),
]
# fmt: on


@pytest.mark.parametrize(("persona", "action", "target", "expected"), expand(REGIONS, LIST_TARGETS))
def test_regions_permission_matrix(
    call: Call, persona: str, action: str, target: str, expected: int
) -> None:
    region_id = target_region(call.world, persona, target).pk
    url = f"/api/v1/regions/{region_id}/"
    if action == "read":
        assert call.api.get(url).status_code == expected
        assert (region_id in listed_ids(call.api, "/api/v1/regions/")) == (expected == 200)
    else:
        assert call.api.delete(url).status_code == expected


# --- the audit record -------------------------------------------------------------------------

# fmt: off
AUDIT = [
    # persona            action  own      same region  other region
    ("dispatcher_a",     "list", "hidden", "hidden",   "hidden"),
    ("em_a",             "list", "shown",  "shown",    "hidden"),
    ("police_admin_a",   "list", "shown",  "hidden",   "hidden"),
    ("responder_a",      "list", "hidden", "hidden",   "hidden"),
    ("nurse_a1",         "list", "hidden", "hidden",   "hidden"),
    ("official_a",       "list", "hidden", "hidden",   "hidden"),
    ("outsider_b",       "list", "shown",  "shown",    "hidden"),
]
# fmt: on


@pytest.mark.parametrize(("persona", "action", "target", "expected"), expand(AUDIT))
def test_audit_permission_matrix(
    call: Call, persona: str, action: str, target: str, expected: str
) -> None:
    member = services.member_add(
        actor=None, agency=target_agency(call.world, persona, target), full_name="Audited Person"
    )
    response = call.api.get("/api/v1/audit/", {"object_type": "member"})
    assert response.status_code == 200
    shown = str(member.pk) in {row["object_id"] for row in response.json()["results"]}
    assert shown == (expected == "shown")
