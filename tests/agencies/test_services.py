"""Roster, list and hospital services: validation first, and an audit record of every change."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from agencies import services
from agencies.models import AuditEntry, ContactPoint, Member
from tests.factories import MemberFactory


def test_adding_a_member_records_who_added_whom(world, police_admin_a):
    member = services.member_add(
        actor=police_admin_a,
        agency=world.police_a,
        full_name="  Dana Ortiz ",
        title="Sergeant",
        roles=["supervisor"],
        external_id="P-17",
    )
    assert member.full_name == "Dana Ortiz"
    entry = AuditEntry.objects.get(object_type="member", object_id=str(member.pk))
    assert entry.actor == police_admin_a
    assert entry.action == AuditEntry.Action.CREATE
    assert entry.agency == world.police_a
    assert entry.region == world.region_a
    assert entry.changes["full_name"] == [None, "Dana Ortiz"]
    assert entry.changes["roles"] == [None, ["supervisor"]]


def test_updating_a_member_records_only_what_changed(world, police_admin_a):
    member = MemberFactory(agency=world.police_a, full_name="Sam Lee", title="Officer")
    services.member_update(
        actor=police_admin_a, member=member, title="Lieutenant", full_name="Sam Lee"
    )
    entry = AuditEntry.objects.get(object_type="member")
    assert entry.changes == {"title": ["Officer", "Lieutenant"]}


def test_an_update_that_changes_nothing_leaves_no_record(world, police_admin_a):
    member = MemberFactory(agency=world.police_a, full_name="Sam Lee", title="Officer")
    services.member_update(actor=police_admin_a, member=member, title="Officer")
    assert not AuditEntry.objects.exists()


def test_deactivating_a_member_takes_them_off_call_and_says_so(world, police_admin_a):
    member = MemberFactory(agency=world.police_a, on_call=True)
    services.member_deactivate(actor=police_admin_a, member=member)
    member.refresh_from_db()
    assert (member.active, member.on_call) == (False, False)
    assert AuditEntry.objects.get().action == AuditEntry.Action.DEACTIVATE


def test_two_members_of_an_agency_cannot_share_an_external_id(world, police_admin_a):
    MemberFactory(agency=world.police_a, external_id="P-1")
    with pytest.raises(ValidationError) as caught:
        services.member_add(
            actor=police_admin_a, agency=world.police_a, full_name="X", external_id="P-1"
        )
    assert "external_id" in caught.value.message_dict


def test_a_member_needs_a_name_and_known_roles(world, police_admin_a):
    with pytest.raises(ValidationError) as caught:
        services.member_add(actor=police_admin_a, agency=world.police_a, full_name=" ")
    assert "full_name" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.member_add(
            actor=police_admin_a, agency=world.police_a, full_name="Al", roles=["wizard"]
        )
    assert "roles" in caught.value.message_dict
    assert not Member.objects.exists()


def test_contact_points_are_normalised_and_not_duplicated(world, police_admin_a):
    member = MemberFactory(agency=world.police_a)
    point = services.contact_point_add(
        actor=police_admin_a, member=member, channel="sms", address="(937) 224-5100"
    )
    assert point.address == "+19372245100"
    with pytest.raises(ValidationError) as caught:
        services.contact_point_add(
            actor=police_admin_a, member=member, channel="sms", address="937 224 5100"
        )
    assert "address" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.contact_point_add(
            actor=police_admin_a, member=member, channel="voice", address="+1 555"
        )
    assert "address" in caught.value.message_dict
    assert ContactPoint.objects.count() == 1


def test_a_new_number_clears_the_old_numbers_failure(world, police_admin_a):
    member = MemberFactory(agency=world.police_a)
    point = services.contact_point_add(
        actor=police_admin_a, member=member, channel="sms", address="+19372245100"
    )
    services.contact_point_mark_failed(point_id=point.pk, reason="21211 invalid number")
    point.refresh_from_db()
    assert point.failing
    point = services.contact_point_update(actor=police_admin_a, point=point, address="+19372245101")
    assert not point.failing and point.last_failure_reason == ""
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.UPDATE).get()
    assert entry.changes == {"address": ["+19372245100", "+19372245101"]}


def test_hospital_status_and_capacity_carry_their_time(world, nurse_a1):
    hospital = services.hospital_update_status(
        actor=nurse_a1,
        hospital=world.hospital_a1,
        ed_status="diversion",
        capacity={"immediate": 2, "delayed": 5, "minor": 12},
    )
    assert hospital.ed_status == "diversion" and hospital.ed_status_at is not None
    assert (hospital.capacity_immediate, hospital.capacity_minor) == (2, 12)
    assert hospital.capacity_reported_at is not None
    entry = AuditEntry.objects.get(object_type="hospital")
    assert entry.changes["ed_status"] == ["open", "diversion"]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"ed_status": "on fire"}, "ed_status"),
        ({"capacity": {"immediate": -1}}, "capacity_immediate"),
        ({"capacity": {"red": 3}}, "capacity_red"),
        ({"profile": {"trauma_level": 7}}, "trauma_level"),
    ],
)
def test_bad_hospital_updates_are_refused_and_write_nothing(world, nurse_a1, kwargs, field):
    with pytest.raises(ValidationError) as caught:
        services.hospital_update_status(actor=nurse_a1, hospital=world.hospital_a1, **kwargs)
    assert field in caught.value.message_dict
    world.hospital_a1.refresh_from_db()
    assert world.hospital_a1.ed_status == "open"
    assert not AuditEntry.objects.exists()


def test_a_distribution_list_stays_inside_its_region(world, em_a):
    outsider = MemberFactory(agency=world.police_b)
    with pytest.raises(ValidationError) as caught:
        services.distribution_list_save(
            actor=em_a, region_id=world.region_a.id, name="Officials", members=[outsider]
        )
    assert "members" in caught.value.message_dict


def test_list_changes_record_added_members_and_disciplines(world, em_a):
    chief = MemberFactory(agency=world.police_a)
    dlist = services.distribution_list_save(
        actor=em_a, region_id=world.region_a.id, name="Command", members=[chief]
    )
    services.distribution_list_save(
        actor=em_a, dlist=dlist, name="Command", members=[chief], disciplines=["em"]
    )
    update = AuditEntry.objects.get(object_type="distributionlist", action="update")
    assert update.changes == {"disciplines": [[], ["em"]]}
    assert update.actor == em_a
