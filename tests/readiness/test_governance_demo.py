"""`seed_demo --exercises` also seeds the county's governance: a channel plan, meetings (one
missing a discipline), the plan's adoption, an agreement expiring soon, funding lines paying
for demo sessions and exercises; a second run changes nothing."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from agencies.demo import COUNTY_CODE
from agencies.models import Region
from readiness.governance_queries import (
    agreements_expiring,
    funded_training_hours,
    recent_meetings,
)
from readiness.models import CommitteeMeeting, FundingLine, PlanAdoption, RadioChannel

pytestmark = pytest.mark.django_db


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", "--exercises", stdout=out)
    return out.getvalue()


def test_the_governance_demo_is_seeded_once():
    assert "Governance: channel plan, committee, adoption and funding" in seed()
    region = Region.objects.get(code=COUNTY_CODE)
    rows = recent_meetings(region.pk)
    assert len(rows) == 3 and [r.all_present for r in rows] == [False, True, True]
    assert PlanAdoption.objects.filter(region=region).count() == 1
    assert [a.title for a in agreements_expiring(region.pk)] == ["County-wide mutual aid compact"]
    assert RadioChannel.objects.filter(region=region).count() == 6
    lines = FundingLine.objects.filter(region=region)
    assert any(line.sessions.exists() for line in lines)
    assert any(line.exercises.exists() for line in lines)
    assert funded_training_hours(region.pk).funded > 0
    counts = (CommitteeMeeting.objects.count(), FundingLine.objects.count())
    assert "already has its committee; nothing changed" in seed()
    assert (CommitteeMeeting.objects.count(), FundingLine.objects.count()) == counts
