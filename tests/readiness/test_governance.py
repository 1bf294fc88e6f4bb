"""Governance services and queries: validation, audit, expiry flags, disciplines missing from
meetings, the share of training hours a grant paid for."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from agencies.models import AuditEntry
from readiness.governance_queries import (
    agreement_state,
    agreements_expiring,
    funded_training_hours,
    recent_meetings,
)
from readiness.models import (
    CommitteeMeeting,
    FundingLine,
    MutualAidAgreement,
    PlanAdoption,
    RadioChannel,
)
from readiness.services import governance, training
from tests.readiness.conftest import adopt
from tests.readiness.exercise_fixtures import tabletop

pytestmark = pytest.mark.django_db
TODAY = date(2026, 6, 15)


def agreement(world, **fields):
    values = {
        "title": "Police-EMS mutual aid",
        "signed_on": date(2024, 1, 1),
        "expires_on": date(2026, 8, 1),
        "agencies": [world.police_a, world.ems_a],
    }
    values.update(fields)
    return governance.create(actor=None, model=MutualAidAgreement, region=world.region_a, **values)


def test_agreement_needs_two_agencies_of_the_region_and_expires_after_signing(world, em_a):
    made = agreement(world)
    assert set(made.agencies.all()) == {world.police_a, world.ems_a}
    entry = AuditEntry.objects.get(object_id=str(made.pk), action=AuditEntry.Action.CREATE)
    assert entry.changes["step"] == "create"
    with pytest.raises(ValidationError) as one:
        agreement(world, agencies=[world.police_a])
    assert "agencies" in one.value.message_dict
    with pytest.raises(ValidationError) as foreign:
        agreement(world, agencies=[world.police_a, world.police_b])
    assert "agencies" in foreign.value.message_dict
    with pytest.raises(ValidationError) as backwards:
        agreement(world, expires_on=date(2023, 1, 1))
    assert "expires_on" in backwards.value.message_dict
    governance.update(actor=em_a, record=made, title="Renamed")
    made.refresh_from_db()
    assert made.title == "Renamed"
    governance.delete(actor=em_a, record=made)
    assert not MutualAidAgreement.objects.exists()
    assert AuditEntry.objects.filter(action=AuditEntry.Action.DELETE).count() == 1


def test_expiry_flags(world):
    soon = agreement(world, expires_on=date(2026, 8, 1))
    gone = agreement(world, title="Old", expires_on=date(2026, 1, 1))
    later = agreement(world, title="Later", expires_on=date(2028, 1, 1))
    forever = agreement(world, title="Open", expires_on=None)
    assert agreement_state(soon, TODAY) == "expiring"
    assert agreement_state(gone, TODAY) == "expired"
    assert agreement_state(later, TODAY) == "current"
    assert agreement_state(forever, TODAY) == "current"
    assert list(agreements_expiring(world.region_a.pk, TODAY)) == [gone, soon]


def test_meetings_say_which_disciplines_were_missing(world, django_assert_max_num_queries):
    full = governance.create(
        actor=None,
        model=CommitteeMeeting,
        region=world.region_a,
        date=date(2026, 5, 1),
        disciplines_present=["law", "ems", "dispatch", "em", "officials", "hospital", "law"],
        decisions="Adopt plan v1",
    )
    partial = governance.create(
        actor=None,
        model=CommitteeMeeting,
        region=world.region_a,
        date=date(2026, 2, 1),
        disciplines_present=["law", "em"],
    )
    governance.create(
        actor=None, model=CommitteeMeeting, region=world.region_a, date=date(2025, 1, 1)
    )
    assert full.disciplines_present == sorted(set(full.disciplines_present))
    with django_assert_max_num_queries(2):
        rows = recent_meetings(world.region_a.pk, TODAY)
    assert [r.meeting for r in rows] == [full, partial]
    assert rows[0].all_present
    assert rows[1].missing == ["ems", "dispatch", "hospital", "officials"]
    with pytest.raises(ValidationError) as bad:
        governance.create(
            actor=None,
            model=CommitteeMeeting,
            region=world.region_a,
            date=TODAY,
            disciplines_present=["wizards"],
        )
    assert "disciplines_present" in bad.value.message_dict


def test_channels_and_adoptions_validate(world):
    channel = governance.create(
        actor=None,
        model=RadioChannel,
        region=world.region_a,
        function="Unified command",
        discipline="law",
        channel_name="CMD 1",
        talk_group="MARCS 1001",
    )
    assert channel.talk_group == "MARCS 1001"
    with pytest.raises(ValidationError) as bad:
        governance.create(
            actor=None,
            model=RadioChannel,
            region=world.region_a,
            function="",
            discipline="wizards",
            channel_name="X",
        )
    assert {"function", "discipline"} <= set(bad.value.message_dict)
    plan = adopt(world.region_a)
    adoption = governance.create(
        actor=None,
        model=PlanAdoption,
        region=world.region_a,
        checklist=plan,
        body="Board of Commissioners",
        resolution_number="2026-14",
        adopted_on=date(2026, 4, 2),
    )
    assert adoption.checklist == plan
    with pytest.raises(ValidationError) as foreign:
        governance.create(
            actor=None,
            model=PlanAdoption,
            region=world.region_b,
            checklist=plan,
            body="Council",
            adopted_on=TODAY,
        )
    assert "checklist" in foreign.value.message_dict


def test_funding_pays_only_for_the_regions_own_work_and_counts_hours(
    world, trained, django_assert_max_num_queries
):
    exercise = tabletop(world)
    line = governance.create(
        actor=None,
        model=FundingLine,
        region=world.region_a,
        program="hsgp_shsp",
        grant_year=2025,
        reference="EMW-2025-SS-001",
        amount=Decimal("12000"),
        sessions=[trained.session],
        exercises=[exercise],
    )
    assert list(line.exercises.all()) == [exercise]
    with pytest.raises(ValidationError) as foreign:
        governance.create(
            actor=None,
            model=FundingLine,
            region=world.region_b,
            program="local",
            grant_year=2025,
            sessions=[trained.session],
        )
    assert "sessions" in foreign.value.message_dict
    for member in (trained.alice, trained.bob):
        training.attendance_record(actor=None, session=trained.session, member=member)
    unpaid = training.session_create(
        actor=None,
        region=world.region_a,
        course=trained.ttt,
        date=date(2026, 4, 1),
        agencies=[world.ems_a],
    )
    training.attendance_record(actor=None, session=unpaid, member=trained.carol)
    with django_assert_max_num_queries(1):
        hours = funded_training_hours(world.region_a.pk)
    assert (hours.funded, hours.unfunded) == (Decimal(16), Decimal(16))
    assert hours.share == 0.5
