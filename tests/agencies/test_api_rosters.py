"""Rosters over the API: members (deactivated, never deleted) and their contact points.

Who may do what is in test_api_permissions.py; here an agency admin (police_admin_a) works on
their own roster and a dispatcher reads it.
"""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from agencies import services
from agencies.models import AuditEntry, ContactPoint, Member
from tests.conftest import World, as_user
from tests.factories import ContactPointFactory, MemberFactory


@pytest.fixture
def admin_api(api: APIClient, police_admin_a: Any) -> APIClient:
    return as_user(api, police_admin_a)


@pytest.fixture
def officer(world: World) -> Member:
    return MemberFactory(
        agency=world.police_a, full_name="Sam Ortiz", title="Officer", external_id="P-100"
    )


def last_audit(api: APIClient, **filters: Any) -> dict[str, Any]:
    response = api.get("/api/v1/audit/", filters)
    assert response.status_code == 200
    return response.json()["results"][0]


def full_names(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["full_name"] for row in response.json()["results"]]


# --- members ----------------------------------------------------------------------------------


def test_an_agency_admin_adds_a_member_and_the_record_says_who_added_whom(
    admin_api: APIClient, world: World
) -> None:
    response = admin_api.post(
        "/api/v1/members/",
        {
            "agency": world.police_a.pk,
            "full_name": "  Kim Lee ",
            "title": "Sergeant",
            "external_id": "P-7",
            "roles": ["supervisor", "command"],
            "on_call": True,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["full_name"] == "Kim Lee"
    assert body["roles"] == ["command", "supervisor"]
    assert (body["agency_name"], body["active"], body["on_call"]) == ("A Police", True, True)
    assert body["contact_points"] == []

    entry = last_audit(admin_api, object_type="member")
    assert (entry["action"], entry["actor_username"]) == ("create", "police_admin_a")
    assert entry["object_id"] == str(body["id"])
    assert entry["changes"]["full_name"] == [None, "Kim Lee"]


def test_editing_a_member_records_exactly_what_changed(
    admin_api: APIClient, officer: Member
) -> None:
    response = admin_api.patch(
        f"/api/v1/members/{officer.pk}/", {"title": "Sergeant", "on_call": True}, format="json"
    )
    assert response.status_code == 200
    assert (response.json()["title"], response.json()["on_call"]) == ("Sergeant", True)

    entry = last_audit(admin_api, object_type="member", action="update")
    assert entry["actor_username"] == "police_admin_a"
    assert entry["object_repr"] == "Sam Ortiz"
    assert entry["changes"] == {"title": ["Officer", "Sergeant"], "on_call": [False, True]}


def test_a_put_needs_the_agency_and_name_and_sets_what_it_sends(
    admin_api: APIClient, world: World, officer: Member
) -> None:
    url = f"/api/v1/members/{officer.pk}/"
    missing = admin_api.put(url, {"title": "Sergeant"}, format="json")
    assert missing.status_code == 400
    assert set(missing.json()) == {"agency", "full_name"}

    body = {"agency": world.police_a.pk, "full_name": "Sam Ortiz-Diaz", "roles": ["pio"]}
    assert admin_api.put(url, body, format="json").status_code == 200
    officer.refresh_from_db()
    assert (officer.full_name, officer.roles) == ("Sam Ortiz-Diaz", ["pio"])


def test_deleting_a_member_deactivates_them_and_keeps_their_history(
    admin_api: APIClient, officer: Member
) -> None:
    officer.on_call = True
    officer.save()
    ContactPointFactory(member=officer, address="+19375550100")

    response = admin_api.delete(f"/api/v1/members/{officer.pk}/")

    assert response.status_code == 200
    assert (response.json()["active"], response.json()["on_call"]) == (False, False)
    assert response.json()["contact_points"][0]["address"] == "+19375550100"
    officer.refresh_from_db()
    assert (officer.active, officer.on_call) == (False, False)
    assert full_names(admin_api.get("/api/v1/members/", {"active": "false"})) == ["Sam Ortiz"]
    assert full_names(admin_api.get("/api/v1/members/", {"active": "true"})) == []
    entry = last_audit(admin_api, object_type="member")
    assert entry["action"] == "deactivate"
    assert entry["changes"] == {"active": [True, False], "on_call": [True, False]}


def test_a_deactivated_member_can_be_brought_back(admin_api: APIClient, officer: Member) -> None:
    services.member_deactivate(actor=None, member=officer)
    response = admin_api.patch(f"/api/v1/members/{officer.pk}/", {"active": True}, format="json")
    assert response.status_code == 200
    officer.refresh_from_db()
    assert officer.active is True


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"full_name": ""}, "full_name"),
        ({"full_name": "   "}, "full_name"),
        ({"full_name": "x" * 161}, "full_name"),
        ({"full_name": "Kim", "roles": ["wizard"]}, "roles"),
        ({"full_name": "Kim", "roles": "supervisor"}, "roles"),
        ({"full_name": "Kim", "on_call": "maybe"}, "on_call"),
        ({"full_name": "Kim", "active": None}, "active"),
        ({"full_name": "Kim", "agency": None}, "agency"),
        ({"full_name": "Kim", "agency": "police"}, "agency"),
        ({"full_name": "Kim", "agency": 999_999}, "agency"),
        ({"full_name": "Kim", "external_id": "P-100"}, "external_id"),
        ({"full_name": "Kim", "external_id": " P-100 "}, "external_id"),
    ],
    ids=[
        "blank-name",
        "whitespace-name",
        "name-too-long",
        "unknown-role",
        "roles-not-a-list",
        "on-call-not-boolean",
        "active-null",
        "agency-null",
        "agency-not-an-id",
        "agency-unknown",
        "duplicate-badge-number",
        "duplicate-badge-number-with-spaces",
    ],
)
def test_adding_a_member_with_bad_input_is_a_400_naming_the_field(
    admin_api: APIClient, world: World, officer: Member, payload: dict[str, Any], field: str
) -> None:
    body = {"agency": world.police_a.pk, **payload}
    response = admin_api.post("/api/v1/members/", body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert Member.objects.count() == 1


def test_a_duplicate_badge_number_error_names_the_agency(
    admin_api: APIClient, world: World, officer: Member
) -> None:
    response = admin_api.patch(
        f"/api/v1/members/{MemberFactory(agency=world.police_a).pk}/",
        {"external_id": "P-100"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["external_id"] == ["Another member of A Police has ID P-100."]


def test_a_member_cannot_be_moved_to_another_agency(
    admin_api: APIClient, world: World, officer: Member
) -> None:
    response = admin_api.patch(
        f"/api/v1/members/{officer.pk}/", {"agency": world.ems_a.pk}, format="json"
    )
    assert response.status_code == 400
    assert "stays in their agency" in response.json()["agency"][0]
    officer.refresh_from_db()
    assert officer.agency == world.police_a


def test_a_dispatcher_reads_members_with_their_contact_points_and_failing_numbers(
    api: APIClient, world: World, dispatcher_a: Any, officer: Member
) -> None:
    good = ContactPointFactory(member=officer, address="+19375550100", priority=1)
    bad = ContactPointFactory(member=officer, address="+19375550101", priority=2)
    services.contact_point_mark_failed(point_id=bad.pk, reason="21211 invalid 'To' number")
    as_user(api, dispatcher_a)

    member = api.get(f"/api/v1/members/{officer.pk}/").json()

    points = {p["address"]: p for p in member["contact_points"]}
    assert points[good.address]["failing"] is False
    assert points[bad.address]["failing"] is True
    assert points[bad.address]["last_failure_reason"] == "21211 invalid 'To' number"
    assert points[bad.address]["last_failure_at"] is not None


def test_embedded_contact_points_cannot_be_changed_through_the_member(
    admin_api: APIClient, officer: Member
) -> None:
    ContactPointFactory(member=officer, address="+19375550100")
    response = admin_api.patch(
        f"/api/v1/members/{officer.pk}/",
        {"contact_points": [{"channel": "sms", "address": "+19375550199"}]},
        format="json",
    )
    assert response.status_code == 200
    assert list(officer.contact_points.values_list("address", flat=True)) == ["+19375550100"]


def test_members_filter_by_agency_active_on_call_and_role(
    api: APIClient, world: World, dispatcher_a: Any
) -> None:
    MemberFactory(agency=world.police_a, full_name="Ann", roles=["supervisor"], on_call=True)
    MemberFactory(agency=world.police_a, full_name="Ben", roles=["staff"], active=False)
    MemberFactory(agency=world.ems_a, full_name="Cat", roles=["supervisor", "pio"])
    as_user(api, dispatcher_a)

    assert full_names(api.get("/api/v1/members/", {"agency": world.police_a.pk})) == [
        "Ann",
        "Ben",
    ]
    assert full_names(api.get("/api/v1/members/", {"active": "false"})) == ["Ben"]
    assert full_names(api.get("/api/v1/members/", {"on_call": "true"})) == ["Ann"]
    assert full_names(api.get("/api/v1/members/", {"role": "supervisor"})) == ["Ann", "Cat"]
    assert full_names(api.get("/api/v1/members/", {"role": "pio", "agency": world.ems_a.pk})) == [
        "Cat"
    ]
    assert api.get("/api/v1/members/", {"role": "wizard"}).status_code == 400


def test_members_search_by_name_title_or_badge_number(
    api: APIClient, world: World, dispatcher_a: Any
) -> None:
    MemberFactory(agency=world.police_a, full_name="Ann Bell", title="Sergeant", external_id="P-1")
    MemberFactory(agency=world.ems_a, full_name="Ben Cole", title="Paramedic", external_id="E-77")
    as_user(api, dispatcher_a)
    assert full_names(api.get("/api/v1/members/", {"search": "bell"})) == ["Ann Bell"]
    assert full_names(api.get("/api/v1/members/", {"search": "paramedic"})) == ["Ben Cole"]
    assert full_names(api.get("/api/v1/members/", {"search": "E-77"})) == ["Ben Cole"]


def test_listing_members_does_not_query_once_per_member(
    api: APIClient,
    world: World,
    dispatcher_a: Any,
    django_assert_max_num_queries: Any,
) -> None:
    for member in MemberFactory.create_batch(20, agency=world.police_a):
        ContactPointFactory(member=member)
    as_user(api, dispatcher_a)
    with django_assert_max_num_queries(6):
        assert api.get("/api/v1/members/").json()["count"] == 20


# --- contact points ---------------------------------------------------------------------------


def test_an_admin_adds_a_phone_number_and_it_is_stored_in_e164(
    admin_api: APIClient, officer: Member
) -> None:
    response = admin_api.post(
        "/api/v1/contact-points/",
        {"member": officer.pk, "channel": "sms", "address": "(937) 555-0123", "priority": 2},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["address"] == "+19375550123"
    assert response.json()["failing"] is False
    entry = last_audit(admin_api, object_type="contactpoint")
    assert (entry["action"], entry["actor_username"]) == ("create", "police_admin_a")
    assert entry["changes"]["address"] == [None, "+19375550123"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"channel": "sms", "address": "+1 555"}, "address"),
        ({"channel": "voice", "address": "call me"}, "address"),
        ({"channel": "sms", "address": ""}, "address"),
        ({"channel": "email", "address": "not-an-email"}, "address"),
        ({"channel": "email", "address": "SAM@example.org"}, "address"),  # same as existing
        ({"channel": "sms", "address": "+19375550100"}, "address"),  # same as existing
        ({"channel": "pager", "address": "+19375550123"}, "channel"),
        ({"address": "+19375550123"}, "channel"),
        ({"channel": "sms", "address": "+19375550123", "priority": -1}, "priority"),
        ({"channel": "sms", "address": "+19375550123", "priority": "first"}, "priority"),
        ({"channel": "sms", "address": "+19375550123", "member": None}, "member"),
    ],
    ids=[
        "short-phone",
        "words-for-a-phone",
        "empty-address",
        "bad-email",
        "duplicate-email-other-case",
        "duplicate-phone",
        "unknown-channel",
        "missing-channel",
        "negative-priority",
        "priority-not-a-number",
        "no-member",
    ],
)
def test_adding_a_contact_point_with_bad_input_is_a_400_naming_the_field(
    admin_api: APIClient, officer: Member, payload: dict[str, Any], field: str
) -> None:
    ContactPointFactory(member=officer, channel="sms", address="+19375550100")
    ContactPointFactory(member=officer, channel="email", address="sam@example.org")
    response = admin_api.post(
        "/api/v1/contact-points/", {"member": officer.pk, **payload}, format="json"
    )
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert officer.contact_points.count() == 2


def test_changing_a_failing_number_clears_its_failure(
    admin_api: APIClient, officer: Member
) -> None:
    point = ContactPointFactory(member=officer, address="+19375550100")
    services.contact_point_mark_failed(point_id=point.pk, reason="21211 invalid number")

    response = admin_api.patch(
        f"/api/v1/contact-points/{point.pk}/", {"address": "937-555-0111"}, format="json"
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["address"], body["failing"], body["last_failure_at"]) == (
        "+19375550111",
        False,
        None,
    )
    entry = last_audit(admin_api, object_type="contactpoint", action="update")
    assert entry["changes"] == {"address": ["+19375550100", "+19375550111"]}


def test_changing_a_number_to_an_invalid_one_is_a_400_and_keeps_the_old_one(
    admin_api: APIClient, officer: Member
) -> None:
    point = ContactPointFactory(member=officer, address="+19375550100")
    response = admin_api.patch(
        f"/api/v1/contact-points/{point.pk}/", {"address": "+1 555"}, format="json"
    )
    assert response.status_code == 400
    assert "address" in response.json()
    point.refresh_from_db()
    assert point.address == "+19375550100"


def test_a_contact_point_cannot_move_to_another_member(
    admin_api: APIClient, world: World, officer: Member
) -> None:
    point = ContactPointFactory(member=officer)
    other = MemberFactory(agency=world.police_a)
    response = admin_api.patch(
        f"/api/v1/contact-points/{point.pk}/", {"member": other.pk}, format="json"
    )
    assert response.status_code == 400
    assert "member" in response.json()


def test_removing_a_contact_point_deletes_it_and_records_what_it_was(
    admin_api: APIClient, officer: Member
) -> None:
    point = ContactPointFactory(member=officer, address="+19375550100")
    assert admin_api.delete(f"/api/v1/contact-points/{point.pk}/").status_code == 204
    assert not ContactPoint.objects.filter(pk=point.pk).exists()
    entry = AuditEntry.objects.get(object_type="contactpoint", action="delete")
    assert entry.changes["address"] == ["+19375550100", None]
    assert entry.actor.username == "police_admin_a"


def test_contact_points_filter_by_member_channel_and_failing(
    api: APIClient, world: World, dispatcher_a: Any, officer: Member
) -> None:
    sms = ContactPointFactory(member=officer, channel="sms", address="+19375550100")
    email = ContactPointFactory(member=officer, channel="email", address="sam@example.org")
    other = ContactPointFactory(member=MemberFactory(agency=world.ems_a), address="+19375550101")
    services.contact_point_mark_failed(point_id=other.pk, reason="undeliverable")
    as_user(api, dispatcher_a)

    def ids(**filters: Any) -> set[int]:
        response = api.get("/api/v1/contact-points/", filters)
        assert response.status_code == 200
        return {row["id"] for row in response.json()["results"]}

    assert ids(member=officer.pk) == {sms.pk, email.pk}
    assert ids(channel="email") == {email.pk}
    assert ids(failing="true") == {other.pk}
    assert ids(failing="false", channel="sms") == {sms.pk}
