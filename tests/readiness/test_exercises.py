"""Exercises: plan, hold, cancel, link exercise incidents, rate objectives; all audited."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from agencies.models import AuditEntry
from readiness.models import Exercise
from readiness.services import exercises
from tests.incidents.conftest import declare
from tests.readiness.exercise_fixtures import tabletop

pytestmark = pytest.mark.django_db


def test_an_exercise_is_planned_held_and_audited(world, em_a):
    exercise = tabletop(world, em_a)
    assert exercise.discussion_based and exercise.category == "Discussion-based"
    assert set(exercise.agencies.all()) == {world.police_a, world.ems_a}
    exercises.exercise_update(actor=em_a, exercise=exercise, name="Mall TTX")
    exercises.exercise_hold(actor=em_a, exercise=exercise, held_on=date(2026, 2, 10))
    exercise.refresh_from_db()
    assert (exercise.name, exercise.status, exercise.held_on) == (
        "Mall TTX",
        Exercise.Status.HELD,
        date(2026, 2, 10),
    )
    entries = AuditEntry.objects.filter(object_type="exercise", object_id=str(exercise.pk))
    assert [
        (e.action, e.changes["step"], e.region_id, e.actor) for e in entries.order_by("id")
    ] == [
        ("create", "create", world.region_a.pk, em_a),
        ("update", "update", world.region_a.pk, em_a),
        ("update", "hold", world.region_a.pk, em_a),
    ]


def test_the_type_decides_discussion_or_operations_based(world):
    assert not tabletop(world, type="full_scale").discussion_based
    assert tabletop(world, type="game").discussion_based


def test_field_errors_say_what_is_wrong(world):
    with pytest.raises(ValidationError) as error:
        tabletop(world, name=" ", type="party", planned_on=None)
    assert set(error.value.message_dict) == {"name", "type", "planned_on"}
    with pytest.raises(ValidationError) as error:
        tabletop(world, agencies=[world.police_b])
    assert "agencies" in error.value.message_dict


def test_cancelled_is_final_and_a_future_date_is_not_held(world):
    exercise = tabletop(world)
    with pytest.raises(ValidationError, match="future"):
        exercises.exercise_hold(actor=None, exercise=exercise, held_on=date(2999, 1, 1))
    exercises.exercise_cancel(actor=None, exercise=exercise)
    with pytest.raises(ValidationError):
        exercises.exercise_hold(actor=None, exercise=exercise, held_on=date(2026, 1, 1))
    with pytest.raises(ValidationError):
        exercises.exercise_update(actor=None, exercise=exercise, name="Again")


def test_only_exercise_incidents_of_the_region_are_linked(world, dispatcher_a, outsider_b):
    exercise = tabletop(world, type="functional")
    real = declare(world.region_a, dispatcher_a)
    with pytest.raises(ValidationError, match="exercise incident"):
        exercises.exercise_link_incident(actor=None, exercise=exercise, incident=real)
    test_run = declare(world.region_a, dispatcher_a, application="test")
    with pytest.raises(ValidationError, match="exercise incident"):
        exercises.exercise_link_incident(actor=None, exercise=exercise, incident=test_run)
    other = declare(world.region_b, outsider_b, application="exercise")
    with pytest.raises(ValidationError, match="another region"):
        exercises.exercise_link_incident(actor=None, exercise=exercise, incident=other)
    played = declare(world.region_a, dispatcher_a, application="exercise")
    exercises.exercise_link_incident(actor=dispatcher_a, exercise=exercise, incident=played)
    assert list(exercise.incidents.all()) == [played]


def test_objectives_are_rated_p_s_m_u(world, em_a):
    exercise = tabletop(world)
    objective = exercises.objective_add(
        actor=em_a, exercise=exercise, text="Declare within 2 min", capability="planning"
    )
    with pytest.raises(ValidationError):
        exercises.objective_add(actor=em_a, exercise=exercise, text="", capability="x")
    with pytest.raises(ValidationError):
        exercises.objective_rate(actor=em_a, objective=objective, rating="Z")
    exercises.objective_rate(actor=em_a, objective=objective, rating="S", observations="Late")
    objective.refresh_from_db()
    assert (objective.rating, objective.observations) == ("S", "Late")
    entry = AuditEntry.objects.get(changes__step="rate_objective")
    assert entry.region_id == world.region_a.pk and entry.changes["rating"] == "S"
