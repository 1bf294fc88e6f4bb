"""Shared helpers for the exercise and after-action tests: a held tabletop, a played
functional exercise (an exercise incident with known times), an AAR with actions."""

from __future__ import annotations

from datetime import date
from typing import Any

from incidents import services
from incidents.models import Incident
from readiness.models import AfterActionReport, Exercise
from readiness.services import after_action, exercises
from tests.incidents.conftest import declare


def tabletop(world: Any, actor: Any = None, **fields: Any) -> Exercise:
    values: dict[str, Any] = {
        "name": "Mall tabletop",
        "type": "tabletop",
        "planned_on": date(2026, 2, 10),
        "scenario": "Shooter at Central Mall",
        "agencies": [world.police_a, world.ems_a],
    }
    values.update(fields)
    return exercises.exercise_create(actor=actor, region=world.region_a, **values)


def play(world: Any, clock: Any, dispatcher: Any, nurse: Any) -> Incident:
    """An exercise incident: declared 0:00, A1 acknowledges 2:00, one red patient leaves at
    6:00 and arrives at A1 at 14:30, closed at 20:00."""
    world.region_a.hospitals_to_notify = 1
    world.region_a.save()
    incident = declare(world.region_a, dispatcher, application="exercise", title="FE mall")
    clock.at(2)
    services.hospital_acknowledge(
        actor=nurse, incident_hospital=incident.hospitals.get(hospital=world.hospital_a1)
    )
    clock.at(5)
    (patient,) = services.patient_register(
        actor=dispatcher,
        incident=incident,
        patients=[{"tag_number": "X-1", "category": "immediate", "destination": world.hospital_a1}],
    )
    clock.at(6)
    services.patients_transport(actor=dispatcher, incident=incident, patients=[patient], unit="M1")
    clock.at(14, 30)
    services.patient_arrive(actor=nurse, patient=patient)
    clock.at(20)
    services.incident_close(actor=dispatcher, incident=incident, summary="Exercise ended")
    return Incident.objects.get(pk=incident.pk)


def played_exercise(world: Any, clock: Any, dispatcher: Any, nurse: Any) -> Exercise:
    incident = play(world, clock, dispatcher, nurse)
    exercise = tabletop(world, name="Mall functional exercise", type="functional")
    exercises.exercise_link_incident(actor=None, exercise=exercise, incident=incident)
    exercises.exercise_hold(actor=None, exercise=exercise, held_on=date(2026, 3, 14))
    return exercise


def report_with_actions(world: Any, exercise: Exercise) -> AfterActionReport:
    report = after_action.aar_draft_for_exercise(actor=None, exercise=exercise)
    after_action.aar_update(
        actor=None,
        report=report,
        strengths="Fast hospital acknowledgement",
        areas_for_improvement="Transport started late",
    )
    for agency, due in ((world.police_a, date(2026, 1, 1)), (world.ems_a, date(2099, 1, 1))):
        after_action.action_add(
            actor=None,
            report=report,
            issue=f"{agency.name} issue",
            action=f"{agency.name} action",
            element="training",
            agency=agency,
            start_on=date(2025, 12, 1),
            due_on=due,
        )
    return report
