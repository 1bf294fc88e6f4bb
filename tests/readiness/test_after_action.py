"""After-action reports: drafted from a played exercise incident (figures as the record's),
edited, issued; corrective actions added, moved along, closed with evidence, overdue."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from agencies.models import AuditEntry
from incidents import services
from incidents.models import Incident
from readiness import exercise_access
from readiness.models import AfterActionReport, CorrectiveAction
from readiness.record import build as record
from readiness.services import after_action
from tests.incidents.conftest import declare
from tests.readiness.exercise_fixtures import played_exercise, report_with_actions, tabletop

pytestmark = pytest.mark.django_db


@pytest.fixture
def exercise(world, plan, clock, dispatcher_a, nurse_a1):
    return played_exercise(world, clock, dispatcher_a, nurse_a1)


def test_an_aar_drafted_from_a_played_exercise_has_the_records_figures(exercise, world, em_a):
    report = after_action.aar_draft_for_exercise(actor=em_a, exercise=exercise)
    (incident,) = exercise.incidents.all()
    figures = record.key_figures(incident)
    (snapshot,) = report.kpis
    assert snapshot["number"] == incident.number and snapshot["label"] == "EXERCISE"
    assert {m["key"]: (m["seconds"], m["elapsed"]) for m in snapshot["milestones"]} == {
        m["key"]: (m["seconds"], m["elapsed"]) for m in figures["milestones"]
    }
    seconds = {m["key"]: m["seconds"] for m in snapshot["milestones"]}
    assert seconds["first_hospital_acknowledged"] == 120
    assert seconds["first_patient_transported"] == 360
    assert seconds["last_patient_arrived"] == 870
    met = {m["key"]: m["met"] for m in snapshot["milestones"]}
    assert met["first_hospital_acknowledged"] is True and met["last_patient_arrived"] is None
    assert snapshot["patients"] == 1 and snapshot["checklist_percent"] == 0
    assert report.participants == ["A EMS", "A Police", "A1 Hospital"]
    assert "Functional exercise (operations-based) held on 2026-03-14" in report.overview
    assert AuditEntry.objects.get(object_type="afteractionreport").changes["step"] == "draft"


def test_a_report_is_drafted_once_and_only_for_a_held_exercise(world, exercise):
    after_action.aar_draft_for_exercise(actor=None, exercise=exercise)
    with pytest.raises(ValidationError, match="already"):
        after_action.aar_draft_for_exercise(actor=None, exercise=exercise)
    with pytest.raises(ValidationError, match="held"):
        after_action.aar_draft_for_exercise(actor=None, exercise=tabletop(world))


def test_a_real_incident_gets_its_aar_once_closed(world, plan, dispatcher_a):
    incident = declare(world.region_a, dispatcher_a)
    with pytest.raises(ValidationError, match="closed"):
        after_action.aar_draft_for_incident(actor=None, incident=incident)
    services.incident_close(actor=dispatcher_a, incident=incident, summary="Over")
    report = after_action.aar_draft_for_incident(
        actor=None, incident=Incident.objects.get(pk=incident.pk)
    )
    assert report.kpis[0]["label"] == "" and report.incident_id == incident.pk


def test_issue_needs_strengths_and_areas_and_then_is_final(world, exercise, em_a):
    report = after_action.aar_draft_for_exercise(actor=em_a, exercise=exercise)
    with pytest.raises(ValidationError) as error:
        after_action.aar_issue(actor=em_a, report=report)
    assert set(error.value.message_dict) == {"strengths", "areas_for_improvement"}
    after_action.aar_update(actor=em_a, report=report, strengths="Quick", areas_for_improvement="X")
    after_action.aar_issue(actor=em_a, report=report, issued_on=date(2026, 4, 1))
    assert (report.status, report.issued_on) == (AfterActionReport.Status.ISSUED, date(2026, 4, 1))
    with pytest.raises(ValidationError, match="final"):
        after_action.aar_update(actor=em_a, report=report, strengths="Changed")


def test_corrective_actions_move_along_and_close_with_evidence(world, exercise, police_admin_a):
    report = report_with_actions(world, exercise)
    police, _ems = report.corrective_actions.order_by("agency__name").reverse()
    assert police.agency == world.police_a
    assert list(exercise_access.overdue(CorrectiveAction.objects.all())) == [police]
    after_action.action_update(actor=police_admin_a, action=police, status="in_progress")
    assert police.status == "in_progress"
    with pytest.raises(ValidationError, match="evidence"):
        after_action.action_update(actor=police_admin_a, action=police, status="closed")
    with pytest.raises(ValidationError) as error:
        after_action.action_close(actor=police_admin_a, action=police, evidence=" ")
    assert "evidence" in error.value.message_dict
    after_action.action_close(
        actor=police_admin_a, action=police, evidence="https://example.org/roster.pdf"
    )
    police.refresh_from_db()
    assert police.status == "closed" and police.closed_on is not None
    assert list(exercise_access.overdue(CorrectiveAction.objects.all())) == []
    steps = list(
        AuditEntry.objects.filter(object_type="correctiveaction", object_id=str(police.pk))
        .order_by("id")
        .values_list("changes__step", "agency_id")
    )
    assert steps == [
        ("add", world.police_a.pk),
        ("update", world.police_a.pk),
        ("close", world.police_a.pk),
    ]


def test_action_field_errors(world, exercise):
    report = after_action.aar_draft_for_exercise(actor=None, exercise=exercise)
    with pytest.raises(ValidationError) as error:
        after_action.action_add(
            actor=None,
            report=report,
            issue="",
            action="",
            element="luck",
            agency=world.police_b,
            start_on=date(2026, 5, 1),
            due_on=date(2026, 4, 1),
        )
    assert set(error.value.message_dict) == {"issue", "action", "element", "agency", "due_on"}
