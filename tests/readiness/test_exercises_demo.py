"""`seed_demo --exercises`: a rated tabletop, a played functional exercise and its issued
AAR with a closed and an open corrective action; a second run changes nothing."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from incidents.models import Incident
from readiness import exercise_access
from readiness.models import AfterActionReport, CorrectiveAction, Exercise, Objective

pytestmark = pytest.mark.django_db


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", "--exercises", stdout=out)
    return out.getvalue()


def state() -> dict[str, object]:
    return {
        "exercises": sorted(Exercise.objects.values_list("name", "status", "updated_at")),
        "objectives": sorted(Objective.objects.values_list("text", "rating")),
        "incidents": Incident.objects.count(),
        "reports": list(AfterActionReport.objects.values_list("status", "kpis")),
        "actions": sorted(CorrectiveAction.objects.values_list("action", "status")),
    }


def test_the_exercise_demo_is_seeded_once():
    first = seed()
    assert "Exercises: 3 exercises, 1 after-action report" in first
    ttx = Exercise.objects.get(type="tabletop")
    assert ttx.status == "held" and set(ttx.objectives.values_list("rating", flat=True)) == {
        "P",
        "S",
        "M",
    }
    fe = Exercise.objects.get(type="functional")
    (incident,) = fe.incidents.all()
    assert incident.is_exercise and incident.status == Incident.Status.CLOSED
    report = AfterActionReport.objects.get(exercise=fe)
    assert report.status == "issued"
    seconds = {m["key"]: m["seconds"] for m in report.kpis[0]["milestones"]}
    assert seconds["last_patient_arrived"] is not None
    assert sorted(CorrectiveAction.objects.values_list("status", flat=True)) == ["closed", "open"]
    assert exercise_access.overdue(CorrectiveAction.objects.all()).count() == 1
    before = state()
    assert "nothing changed" in seed()
    assert state() == before
