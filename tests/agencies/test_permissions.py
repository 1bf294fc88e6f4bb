"""The permission rules (agencies/permissions.py) and the scoped querysets built on them."""

from __future__ import annotations

import pytest

from agencies import queries
from agencies.models import Role
from agencies.permissions import (
    can_keep_lists,
    can_manage_roster,
    can_read_roster,
    can_update_hospital,
    scope_for,
)
from tests.factories import (
    AgencyFactory,
    DistributionListFactory,
    MemberFactory,
    RegionFactory,
    user_with_roles,
)

# (persona, roster of, may read, may manage)
ROSTER_RULES = [
    ("police_admin_a", "police_a", True, True),
    ("police_admin_a", "ems_a", False, False),
    ("police_admin_a", "police_b", False, False),
    ("dispatcher_a", "police_a", True, False),
    ("dispatcher_a", "police_b", False, False),
    ("em_a", "ems_a", True, False),
    ("em_a", "police_b", False, False),
    ("nurse_a1", "police_a", False, False),
    ("official_a", "police_a", False, False),
    ("responder_a", "police_a", False, False),
    ("outsider_b", "police_a", False, False),
    ("outsider_b", "police_b", True, True),
]


@pytest.mark.parametrize(("persona", "agency", "may_read", "may_manage"), ROSTER_RULES)
def test_roster_rules(request, world, persona, agency, may_read, may_manage):
    user = request.getfixturevalue(persona)
    target = getattr(world, agency)
    member = MemberFactory(agency=target)
    assert can_read_roster(user, target) is may_read
    assert can_manage_roster(user, target) is may_manage
    assert queries.members_visible(user).filter(pk=member.pk).exists() is may_read
    assert queries.members_manageable(user).filter(pk=member.pk).exists() is may_manage


@pytest.mark.parametrize(
    ("persona", "sees_region_a"),
    [("dispatcher_a", True), ("nurse_a1", True), ("official_a", True), ("outsider_b", False)],
)
def test_nobody_sees_another_regions_directory(request, world, persona, sees_region_a):
    user = request.getfixturevalue(persona)
    assert queries.agencies_visible(user).filter(pk=world.police_a.pk).exists() is sees_region_a
    assert queries.hospitals_visible(user).filter(pk=world.hospital_a1.pk).exists() is (
        sees_region_a
    )


@pytest.mark.parametrize(
    ("persona", "hospital", "allowed"),
    [
        ("nurse_a1", "hospital_a1", True),
        ("nurse_a1", "hospital_a2", False),
        ("em_a", "hospital_a2", True),
        ("dispatcher_a", "hospital_a1", False),
        ("outsider_b", "hospital_a1", False),
    ],
)
def test_hospital_status_rules(request, world, persona, hospital, allowed):
    user = request.getfixturevalue(persona)
    assert can_update_hospital(user, getattr(world, hospital)) is allowed


def test_only_emergency_managers_keep_the_regions_lists(world, em_a, dispatcher_a, outsider_b):
    dlist = DistributionListFactory(region=world.region_a)
    assert can_keep_lists(em_a, world.region_a.id)
    assert not can_keep_lists(dispatcher_a, world.region_a.id)
    assert queries.distribution_lists_visible(dispatcher_a).filter(pk=dlist.pk).exists()
    assert not queries.distribution_lists_manageable(dispatcher_a).exists()
    assert not queries.distribution_lists_visible(outsider_b).exists()


def test_a_state_office_sees_its_counties_but_not_the_neighbouring_state(db):
    state = RegionFactory(kind="state")
    county = RegionFactory(parent=state)
    other_state = RegionFactory(kind="state")
    state_em = user_with_roles(AgencyFactory(region=state), Role.EMERGENCY_MANAGER)
    county_police = AgencyFactory(region=county)
    assert scope_for(state_em).region_ids == {state.id, county.id}
    assert can_read_roster(state_em, county_police)
    assert not queries.regions_visible(state_em).filter(pk=other_state.pk).exists()


def test_an_inactive_login_or_agency_sees_nothing(world, dispatcher_a, police_admin_a):
    world.police_a.active = False
    world.police_a.save()
    assert not can_manage_roster(police_admin_a, world.police_a)
    dispatcher_a.is_active = False
    assert not queries.agencies_visible(dispatcher_a).exists()


def test_a_county_em_addresses_the_states_lists_but_cannot_edit_them(db):
    state = RegionFactory(kind="state")
    county = RegionFactory(parent=state)
    state_officials = DistributionListFactory(region=state, name="State officials")
    county_em = user_with_roles(AgencyFactory(region=county), Role.EMERGENCY_MANAGER)
    assert queries.distribution_lists_visible(county_em).filter(pk=state_officials.pk).exists()
    assert not queries.distribution_lists_manageable(county_em).exists()
    assert not queries.regions_visible(county_em).filter(pk=state.pk).exists()
