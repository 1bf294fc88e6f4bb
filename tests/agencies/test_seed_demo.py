"""`manage.py seed_demo`: a realistic demo county, seeded quickly and idempotently."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agencies import demo
from agencies.models import (
    Agency,
    AuditEntry,
    Channel,
    ContactPoint,
    Discipline,
    DistributionList,
    Hospital,
    Member,
    Membership,
    Region,
    RosterRole,
)
from agencies.queries import distribution_list_members, members_with_role
from agencies.services import contact_point_remove, member_update
from agencies.validation import normalize_address

pytestmark = pytest.mark.django_db
User = get_user_model()


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def database_state() -> dict[str, object]:
    """Row counts of everything the seed touches, and the last-modified times it could bump."""
    return {
        "regions": Region.objects.count(),
        "agencies": Agency.objects.count(),
        "hospitals": list(Hospital.objects.values_list("ed_status_at", "capacity_reported_at")),
        "members": Member.objects.count(),
        "member_updates": sorted(Member.objects.values_list("updated_at", flat=True)),
        "contact_points": ContactPoint.objects.count(),
        "users": User.objects.count(),
        "memberships": Membership.objects.count(),
        "lists": DistributionList.objects.count(),
        "list_members": DistributionList.members.through.objects.count(),
        "list_agencies": DistributionList.agencies.through.objects.count(),
        "list_updates": sorted(DistributionList.objects.values_list("updated_at", flat=True)),
        "audit": AuditEntry.objects.count(),
    }


@pytest.fixture
def seeded() -> str:
    return seed()


def county() -> Region:
    return Region.objects.get(code=demo.COUNTY_CODE)


# --- idempotent, quick, and the logins on every run ------------------------------------------


def test_running_seed_demo_twice_changes_nothing(seeded: str) -> None:
    before = database_state()
    assert before["members"] > 200 and before["audit"] > 0

    second = seed()

    assert database_state() == before
    assert "already seeded, nothing changed" in second


def test_the_second_run_sends_no_write_to_the_database(seeded: str) -> None:
    with CaptureQueriesContext(connection) as queries:
        seed()
    verbs = {q["sql"].lstrip().split()[0].upper() for q in queries.captured_queries}
    assert verbs & {"INSERT", "UPDATE", "DELETE"} == set()
    assert len(queries) < 30


def test_the_first_run_seeds_hundreds_of_rows_in_few_queries() -> None:
    """bulk inserts keep `make run` quick: the query count does not grow with the roster."""
    with CaptureQueriesContext(connection) as queries:
        seed()
    assert ContactPoint.objects.count() > 500
    assert len(queries) < 200


def test_every_run_prints_the_counts_and_the_logins_table_and_little_else(seeded: str) -> None:
    for output in (seeded, seed()):
        lines = output.strip().splitlines()
        assert lines[0].startswith("Demo region Twin Rivers County")
        assert "25 agencies (6 hospitals)" in lines[0]
        assert lines[1].split() == ["username", "role", "agency", "password"]
        rows = [line.split() for line in lines[3:]]
        assert [row[0] for row in rows] == [
            *(login.username for login in demo.LOGINS),
            demo.OPERATOR_USERNAME,
        ]
        assert all(row[-1] == demo.DEMO_PASSWORD == "asim-demo-2026" for row in rows)
        assert len(lines) == 3 + len(demo.LOGINS) + 1


def test_seed_restores_a_deleted_contact_point_and_keeps_an_operators_edit(seeded: str) -> None:
    nurse = Member.objects.get(user__username="nurse")
    member_update(actor=None, member=nurse, title="ED Nurse Manager")
    sms = nurse.contact_points.get(channel=Channel.SMS)
    contact_point_remove(actor=None, point=sms)

    seed()

    nurse.refresh_from_db()
    assert nurse.title == "ED Nurse Manager"
    assert nurse.contact_points.filter(channel=Channel.SMS, address=sms.address).exists()
    restored = AuditEntry.objects.first()
    assert restored.action == AuditEntry.Action.IMPORT
    assert restored.changes == {"source": "seed_demo", "created": 0, "contact_points_added": 1}


def test_the_data_is_the_same_on_every_run(seeded: str) -> None:
    plan = demo.build_plan()
    assert plan == demo.build_plan()
    stored = {
        m.external_id: (
            m.full_name,
            m.title,
            m.roles,
            m.on_call,
            [
                (p.channel, p.address)
                for p in sorted(m.contact_points.all(), key=lambda p: p.priority)
            ],
        )
        for m in Member.objects.prefetch_related("contact_points")
    }
    assert stored == {
        e.external_id: (e.full_name, e.title, e.roles, e.on_call, e.contacts) for e in plan
    }


# --- the region -------------------------------------------------------------------------------


def test_the_county_sits_in_a_state_and_has_every_discipline_near_riverton(seeded: str) -> None:
    county_region = county()
    assert county_region.kind == Region.Kind.COUNTY
    assert county_region.parent.kind == Region.Kind.STATE
    agencies = Agency.objects.filter(region__in=[county_region, county_region.parent])
    assert 23 <= agencies.count() <= 27
    assert set(agencies.values_list("discipline", flat=True)) == set(Discipline.values)
    for agency in agencies.filter(region=county_region):
        assert agency.address and agency.phone.startswith("+1937")
        assert abs(agency.latitude - 39.76) < 0.15 and abs(agency.longitude + 84.19) < 0.15
    state_em = agencies.get(region=county_region.parent, discipline=Discipline.EM)
    assert state_em.members.exists()


def test_hospitals_span_the_trauma_levels_with_recent_status_and_er_contacts(seeded: str) -> None:
    hospitals = Hospital.objects.filter(agency__region=county()).select_related("agency")
    assert Counter(h.trauma_level for h in hospitals) == Counter({1: 1, 2: 2, 3: 1, None: 2})
    # The children's hospital: paediatric Level I, takes no adults; the adult Level I centre
    # is also a paediatric Level II.
    children = hospitals.get(agency__short_code="TRCH")
    assert (children.pediatric_trauma_level, children.treats_adults) == (1, False)
    assert {h.name: h.pediatric_trauma_level for h in hospitals if h.pediatric} == {
        "Twin Rivers Children's Hospital": 1,
        "Riverton Regional Medical Center": 2,
    }
    assert [h.name for h in hospitals if not h.treats_adults] == [children.name]
    assert [h.trauma_level for h in hospitals if h.burn] == [1]
    assert {h.ed_status for h in hospitals} >= {"open", "diversion"}
    recent = timezone.now() - timedelta(hours=3)
    for hospital in hospitals:
        assert hospital.ed_status_at > recent and hospital.capacity_reported_at > recent
        assert hospital.capacity_immediate is not None
        er_contacts = members_with_role(hospital.agency.members.all(), RosterRole.ER_CONTACT)
        assert 3 <= er_contacts.count() <= 4, hospital.name
        assert er_contacts.filter(on_call=True).exists()


def test_key_duties_are_staffed_where_a_dispatcher_would_look(seeded: str) -> None:
    members = Member.objects.filter(agency__region=county())

    def holding(role: str, discipline: str) -> int:
        return members_with_role(members.filter(agency__discipline=discipline), role).count()

    assert holding(RosterRole.SUPERVISOR, Discipline.DISPATCH) >= 2
    assert holding(RosterRole.SUPERVISOR, Discipline.EMS) >= 2
    assert holding(RosterRole.OFFICIAL, Discipline.OFFICIALS) >= 4
    on_call_duty_officers = members_with_role(
        members.filter(agency__discipline=Discipline.EM, on_call=True), RosterRole.DUTY_OFFICER
    )
    assert on_call_duty_officers.exists()


def test_every_member_is_reachable_at_valid_addresses_with_known_roles(seeded: str) -> None:
    members = Member.objects.prefetch_related("contact_points")
    assert 200 <= members.count() <= 400
    for member in members:
        points = list(member.contact_points.all())
        assert 1 <= len(points) <= 3, member
        assert set(member.roles) <= set(RosterRole.values) and member.roles
        for point in points:
            assert normalize_address(point.channel, point.address) == point.address
        phones = {p.address for p in points if p.channel in (Channel.SMS, Channel.VOICE)}
        assert len(phones) <= 1, f"{member} has SMS and voice on different numbers"


# --- logins -----------------------------------------------------------------------------------


def test_each_demo_login_signs_in_and_is_on_its_agencys_roster(seeded: str) -> None:
    for login in demo.LOGINS:
        user = authenticate(username=login.username, password=demo.DEMO_PASSWORD)
        assert user is not None, login.username
        membership = Membership.objects.get(user=user)
        assert membership.roles == [login.role]
        assert membership.agency.short_code == login.agency
        member = Member.objects.get(user=user)
        assert member.agency == membership.agency and member.full_name == login.full_name
        assert not user.is_staff
    roles = {login.role for login in demo.LOGINS}
    assert roles == {
        "dispatcher", "ems", "responder", "hospital", "emergency_manager", "official",
        "agency_admin",
    }  # fmt: skip
    operator = authenticate(username="operator", password=demo.DEMO_PASSWORD)
    assert operator is not None and operator.is_superuser and operator.is_staff


def test_two_hospital_logins_at_different_hospitals_one_at_the_level_one(seeded: str) -> None:
    nurses = Membership.objects.filter(roles__icontains='"hospital"').select_related(
        "agency__hospital"
    )
    levels = sorted(m.agency.hospital.trauma_level for m in nurses)
    assert len({m.agency_id for m in nurses}) == 2
    assert levels[0] == 1


# --- distribution lists -----------------------------------------------------------------------


def test_distribution_lists_reach_the_people_their_names_promise(seeded: str) -> None:
    lists = {d.name: d for d in DistributionList.objects.all()}
    assert set(lists) == {
        "County officials", "State officials", "State EM duty officers", "All ER charge nurses",
        "Dispatch and EMS supervisors", "All agencies (county)",
    }  # fmt: skip

    def reached(name: str) -> list[Member]:
        return list(distribution_list_members(lists[name]).select_related("agency"))

    assert {m.agency.discipline for m in reached("County officials")} == {Discipline.OFFICIALS}
    charge_nurses = reached("All ER charge nurses")
    assert len(charge_nurses) >= 12
    assert all(
        RosterRole.ER_CONTACT in m.roles and "Charge Nurse" in m.title for m in charge_nurses
    )
    supervisors = reached("Dispatch and EMS supervisors")
    assert {m.agency.discipline for m in supervisors} == {Discipline.DISPATCH, Discipline.EMS}
    assert all(RosterRole.SUPERVISOR in m.roles for m in supervisors)
    duty = reached("State EM duty officers")
    assert duty and all(m.agency.region.kind == Region.Kind.STATE for m in duty)
    assert all(RosterRole.DUTY_OFFICER in m.roles for m in duty)
    assert {m.agency.discipline for m in reached("State officials")} == {Discipline.OFFICIALS}
    everyone = Member.objects.filter(agency__region=county(), active=True).count()
    assert len(reached("All agencies (county)")) == everyone
