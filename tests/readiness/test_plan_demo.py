"""The demo county's plan: documents with one review overdue, uneven alignment per
discipline, and seeding twice changes nothing."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from agencies import demo as agency_demo
from agencies.models import Region
from readiness.models import AgencyAlignment, PlanDocument
from readiness.plan_queries import plan_coverage

pytestmark = pytest.mark.django_db


def test_demo_plan_is_uneven_and_seeding_twice_changes_nothing():
    call_command("seed_demo", "--exercises", stdout=StringIO())
    first = (PlanDocument.objects.count(), AgencyAlignment.objects.count())
    assert first == (4, 9)
    call_command("seed_demo", "--exercises", stdout=StringIO())
    assert (PlanDocument.objects.count(), AgencyAlignment.objects.count()) == first
    county = Region.objects.get(code=agency_demo.COUNTY_CODE)
    coverage = plan_coverage(county, timezone.localdate())
    assert coverage.template is not None
    assert sum(overdue for _, overdue in coverage.documents) == 1
    law = next(d for d in coverage.disciplines if d.discipline == "law")
    assert {s.agency.short_code for s in law.on_plan} == {"TRCSO", "RPD"}
    assert "MPD" in {s.agency.short_code for s in law.not_on_plan}
