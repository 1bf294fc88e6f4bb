"""The demo county's training: a believable catalogue, two years of sessions with uneven
coverage, and seeding twice changes nothing."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from agencies import demo as agency_demo
from agencies.models import Agency, AuditEntry
from readiness.models import Course, TrainingRecord, TrainingSession
from readiness.training_queries import coverage, refreshers_due

pytestmark = pytest.mark.django_db


def state() -> tuple[int, int, int, int]:
    return (
        Course.objects.count(),
        TrainingSession.objects.count(),
        TrainingRecord.objects.count(),
        AuditEntry.objects.count(),
    )


def test_demo_training_is_uneven_and_seeding_twice_changes_nothing():
    call_command("seed_demo", stdout=StringIO())
    first = state()
    assert first[0] == 5 and first[1] == 10 and first[2] > 100
    call_command("seed_demo", stdout=StringIO())
    assert state() == first
    agencies = Agency.objects.filter(region__code=agency_demo.COUNTY_CODE)
    today = timezone.localdate()
    basic = Course.objects.get(code="ASIM-B")
    shares = {
        row.agency.short_code: row.cells[basic.pk].percent
        for row in coverage(agencies, today).rows
        if row.cells.get(basic.pk) is not None and row.responders
    }
    assert max(shares.values()) - min(shares.values()) >= 40, shares
    assert refreshers_due(agencies, today).exists()
