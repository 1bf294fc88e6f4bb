"""Distribution lists and the audit record over the API (who may do what is in
test_api_permissions.py); here the region's emergency manager (em_a) keeps the lists."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from agencies import services
from agencies.models import AuditEntry, Discipline, DistributionList, Member
from tests.conftest import World, as_user
from tests.factories import AgencyFactory, DistributionListFactory, MemberFactory, RegionFactory


@pytest.fixture
def em_api(api: APIClient, em_a: Any) -> APIClient:
    return as_user(api, em_a)


@pytest.fixture
def people(world: World) -> dict[str, Member]:
    return {
        "mayor": MemberFactory(agency=world.officials_a, full_name="Mayor Reed"),
        "clerk": MemberFactory(agency=world.officials_a, full_name="Clerk Ames"),
        "chief": MemberFactory(agency=world.police_a, full_name="Chief Hale"),
        "retired": MemberFactory(agency=world.officials_a, full_name="Former Mayor", active=False),
        "medic": MemberFactory(agency=world.ems_a, full_name="Medic Ruiz"),
    }


def recipient_names(api: APIClient, dlist_id: int) -> list[str]:
    response = api.get(f"/api/v1/distribution-lists/{dlist_id}/recipients/")
    assert response.status_code == 200, response.content
    return [row["full_name"] for row in response.json()["results"]]


def test_an_emergency_manager_builds_a_list_and_sees_who_it_reaches(
    em_api: APIClient, world: World, people: dict[str, Member]
) -> None:
    response = em_api.post(
        "/api/v1/distribution-lists/",
        {
            "region": world.region_a.pk,
            "name": "County officials",
            "description": "Mayor, council, administrator",
            "members": [people["chief"].pk],
            "agencies": [world.officials_a.pk],
            "disciplines": ["officials"],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["disciplines"] == ["officials"]
    assert body["members"] == [people["chief"].pk]
    assert body["agencies"] == [world.officials_a.pk]
    # Officials reached twice (agency and discipline) count once; the inactive one not at all.
    assert body["recipient_count"] == 3
    assert recipient_names(em_api, body["id"]) == ["Chief Hale", "Clerk Ames", "Mayor Reed"]

    entry = AuditEntry.objects.get(object_type="distributionlist")
    assert (entry.action, entry.actor.username) == ("create", "em_a")
    assert entry.changes["name"] == [None, "County officials"]


def test_recipients_show_no_contact_details(
    em_api: APIClient, world: World, people: dict[str, Member]
) -> None:
    dlist = DistributionListFactory(region=world.region_a, disciplines=["ems"])
    row = em_api.get(f"/api/v1/distribution-lists/{dlist.pk}/recipients/").json()["results"][0]
    assert row["full_name"] == "Medic Ruiz"
    assert row["agency_name"] == "A EMS"
    assert "contact_points" not in row


def test_recipients_come_in_pages(em_api: APIClient, world: World) -> None:
    MemberFactory.create_batch(55, agency=world.ems_a)
    dlist = DistributionListFactory(region=world.region_a, disciplines=["ems"])
    first = em_api.get(f"/api/v1/distribution-lists/{dlist.pk}/recipients/").json()
    assert (first["count"], len(first["results"])) == (55, 50)
    assert "page=2" in first["next"]


def test_a_patch_keeps_what_it_does_not_mention(
    em_api: APIClient, world: World, people: dict[str, Member]
) -> None:
    dlist = services.distribution_list_save(
        actor=None,
        region_id=world.region_a.pk,
        name="Duty officers",
        members=[people["chief"]],
        disciplines=["ems"],
    )
    response = em_api.patch(
        f"/api/v1/distribution-lists/{dlist.pk}/", {"description": "Call first"}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["description"], body["members"], body["disciplines"]) == (
        "Call first",
        [people["chief"].pk],
        ["ems"],
    )
    assert body["recipient_count"] == 2
    entry = AuditEntry.objects.filter(object_type="distributionlist").first()
    assert (entry.action, entry.actor.username) == ("update", "em_a")
    assert entry.changes == {"description": ["", "Call first"]}


def test_a_patch_can_empty_the_member_list(
    em_api: APIClient, world: World, people: dict[str, Member]
) -> None:
    dlist = services.distribution_list_save(
        actor=None, region_id=world.region_a.pk, name="Chiefs", members=[people["chief"]]
    )
    response = em_api.patch(
        f"/api/v1/distribution-lists/{dlist.pk}/", {"members": []}, format="json"
    )
    assert response.status_code == 200
    assert (response.json()["members"], response.json()["recipient_count"]) == ([], 0)


def test_deleting_a_list_removes_it_and_records_it(em_api: APIClient, world: World) -> None:
    dlist = DistributionListFactory(region=world.region_a, name="Old list")
    assert em_api.delete(f"/api/v1/distribution-lists/{dlist.pk}/").status_code == 204
    assert not DistributionList.objects.filter(pk=dlist.pk).exists()
    entry = AuditEntry.objects.get(object_type="distributionlist")
    assert (entry.action, entry.object_repr, entry.actor.username) == ("delete", "Old list", "em_a")


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "county OFFICIALS"}, "name"),
        ({"name": "New", "disciplines": ["wizards"]}, "disciplines"),
        ({"name": "New", "disciplines": "officials"}, "disciplines"),
        ({"name": "New", "members": "all"}, "members"),
        ({"name": "New", "members": [999_999]}, "members"),
        ({"name": "New", "agencies": [999_999]}, "agencies"),
        ({"name": "New", "region": None}, "region"),
    ],
    ids=[
        "blank-name",
        "duplicate-name-other-case",
        "unknown-discipline",
        "disciplines-not-a-list",
        "members-not-a-list",
        "unknown-member",
        "unknown-agency",
        "no-region",
    ],
)
def test_a_bad_list_is_a_400_naming_the_field(
    em_api: APIClient, world: World, payload: dict[str, Any], field: str
) -> None:
    DistributionListFactory(region=world.region_a, name="County officials")
    response = em_api.post(
        "/api/v1/distribution-lists/", {"region": world.region_a.pk, **payload}, format="json"
    )
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert DistributionList.objects.count() == 1


def test_another_regions_members_and_agencies_are_unknown_to_a_list(
    em_api: APIClient, world: World
) -> None:
    outsider = MemberFactory(agency=world.police_b)
    response = em_api.post(
        "/api/v1/distribution-lists/",
        {
            "region": world.region_a.pk,
            "name": "Mixed",
            "members": [outsider.pk],
            "agencies": [world.police_b.pk],
        },
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"members", "agencies"}


def test_a_list_only_holds_members_and_agencies_of_its_own_region(
    em_api: APIClient, world: World
) -> None:
    # em_a sees the county below region A, but a region A list cannot name its people.
    county = RegionFactory(name="A North County", parent=world.region_a)
    fire = AgencyFactory(region=county, name="North Fire", discipline=Discipline.FIRE)
    firefighter = MemberFactory(agency=fire)
    response = em_api.post(
        "/api/v1/distribution-lists/",
        {
            "region": world.region_a.pk,
            "name": "Fire chiefs",
            "members": [firefighter.pk],
            "agencies": [fire.pk],
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "members": ["Every member must belong to an agency of the list's region."],
        "agencies": ["Every agency must be in the list's region."],
    }


def test_a_list_stays_in_its_region(em_api: APIClient, world: World) -> None:
    county = RegionFactory(name="A North County", parent=world.region_a)
    dlist = DistributionListFactory(region=world.region_a)
    response = em_api.patch(
        f"/api/v1/distribution-lists/{dlist.pk}/", {"region": county.pk}, format="json"
    )
    assert response.status_code == 400
    assert "stays in its region" in response.json()["region"][0]


def test_lists_filter_by_region_and_search_by_name(api: APIClient, world: World, em_a: Any) -> None:
    county = RegionFactory(name="A North County", parent=world.region_a)
    DistributionListFactory(region=world.region_a, name="County officials")
    DistributionListFactory(region=world.region_a, name="ER charge nurses")
    DistributionListFactory(region=county, name="North officials")
    as_user(api, em_a)

    def names(**filters: Any) -> list[str]:
        response = api.get("/api/v1/distribution-lists/", filters)
        assert response.status_code == 200, response.content
        return [row["name"] for row in response.json()["results"]]

    assert names() == ["County officials", "ER charge nurses", "North officials"]
    assert names(region=county.pk) == ["North officials"]
    assert names(search="officials", region=world.region_a.pk) == ["County officials"]


# --- the audit record -------------------------------------------------------------------------


def test_the_audit_record_filters_by_object_type_agency_and_action(
    api: APIClient, world: World, em_a: Any
) -> None:
    police = services.member_add(actor=None, agency=world.police_a, full_name="Chief Hale")
    medic = services.member_add(actor=None, agency=world.ems_a, full_name="Medic Ruiz")
    services.member_deactivate(actor=None, member=medic)
    services.hospital_update_status(actor=None, hospital=world.hospital_a1, ed_status="closed")
    as_user(api, em_a)

    def rows(**filters: Any) -> list[tuple[str, str]]:
        response = api.get("/api/v1/audit/", filters)
        assert response.status_code == 200, response.content
        return [(row["action"], row["object_repr"]) for row in response.json()["results"]]

    assert rows() == [  # newest first
        ("update", "A1 Hospital"),
        ("deactivate", "Medic Ruiz"),
        ("create", "Medic Ruiz"),
        ("create", "Chief Hale"),
    ]
    assert rows(object_type="hospital") == [("update", "A1 Hospital")]
    assert rows(agency=world.police_a.pk) == [("create", police.full_name)]
    assert rows(action="deactivate") == [("deactivate", "Medic Ruiz")]
    assert api.get("/api/v1/audit/", {"action": "explode"}).status_code == 400


def test_the_audit_record_cannot_be_written_or_erased(
    api: APIClient, world: World, em_a: Any
) -> None:
    services.member_add(actor=None, agency=world.police_a, full_name="Chief Hale")
    entry = AuditEntry.objects.get()
    as_user(api, em_a)
    assert api.post("/api/v1/audit/", {"action": "create"}, format="json").status_code == 405
    assert api.delete(f"/api/v1/audit/{entry.pk}/").status_code == 404  # no such route
    assert AuditEntry.objects.count() == 1


def test_a_county_emergency_manager_reads_the_states_lists_but_cannot_change_them(
    api: APIClient, world: World, em_a: Any
) -> None:
    state = RegionFactory(name="State", kind="state")
    world.region_a.parent = state
    world.region_a.save()
    dlist = DistributionListFactory(region=state, name="State EM duty officers")
    as_user(api, em_a)
    url = f"/api/v1/distribution-lists/{dlist.pk}/"

    assert api.get(url).json()["name"] == "State EM duty officers"
    assert api.get(f"{url}recipients/").status_code == 200
    refused = api.patch(url, {"name": "Renamed"}, format="json")
    assert refused.status_code == 403
    assert "emergency managers" in refused.json()["detail"]
    assert api.delete(url).status_code == 403
    dlist.refresh_from_db()
    assert dlist.name == "State EM duty officers"


def test_an_agency_admin_sees_a_lists_size_but_only_their_own_agencys_people(
    api: APIClient, world: World, police_admin_a: Any, em_a: Any, people: dict[str, Member]
) -> None:
    """A county list that names the police chief and reaches the officials, and a state list
    of state officials above it: the police admin reads both lists' names and sizes, but of
    their people only the police department's own; the county EM sees everyone on the
    county's list."""
    state = RegionFactory(name="State", kind="state")
    world.region_a.parent = state
    world.region_a.save()
    governor = MemberFactory(
        agency=AgencyFactory(region=state, discipline=Discipline.OFFICIALS),
        full_name="Governor Gale",
    )
    state_list = DistributionListFactory(region=state, name="State officials")
    state_list.members.add(governor)
    county = DistributionListFactory(
        region=world.region_a, name="Leaders", disciplines=["officials"]
    )
    county.members.add(people["chief"])

    as_user(api, police_admin_a)
    body = api.get(f"/api/v1/distribution-lists/{county.pk}/").json()
    assert (body["name"], body["recipient_count"]) == ("Leaders", 3)
    assert body["members"] == [people["chief"].pk]
    assert recipient_names(api, county.pk) == ["Chief Hale"]
    state_body = api.get(f"/api/v1/distribution-lists/{state_list.pk}/").json()
    assert (state_body["name"], state_body["recipient_count"], state_body["members"]) == (
        "State officials",
        1,
        [],
    )
    assert recipient_names(api, state_list.pk) == []
    listed = {
        row["id"]: row["members"]
        for row in api.get("/api/v1/distribution-lists/").json()["results"]
    }
    assert listed[state_list.pk] == [] and listed[county.pk] == [people["chief"].pk]

    as_user(api, em_a)
    assert recipient_names(api, county.pk) == ["Chief Hale", "Clerk Ames", "Mayor Reed"]
    assert api.get(f"/api/v1/distribution-lists/{county.pk}/").json()["members"] == [
        people["chief"].pk
    ]
