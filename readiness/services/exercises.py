"""Exercises on the region's schedule: plan, change, hold or cancel them, link the exercise
incidents they were played as, and rate their objectives.

Rules: only exercise incidents of the exercise's own region are linked; a cancelled exercise
is final; a held exercise has a held date; ratings are HSEEP's P/S/M/U (or none yet). Every
change is audited (agencies.services.audit_record).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from agencies.models import Agency, Member, Region
from incidents.models import Incident
from incidents.services.common import Actor
from readiness.models import CoreCapability, Exercise, ExerciseType, Objective, Rating
from readiness.services.audit import audit

EXERCISE_FIELDS = ("name", "type", "planned_on", "scenario")


def _clean(exercise: Exercise) -> None:
    exercise.name = (exercise.name or "").strip()
    errors: dict[str, str] = {}
    if not exercise.name:
        errors["name"] = "Name the exercise."
    elif len(exercise.name) > 200:
        errors["name"] = "Keep the name to 200 characters."
    if exercise.type not in ExerciseType.values:
        errors["type"] = f"Pick one of: {', '.join(ExerciseType.values)}."
    if not isinstance(exercise.planned_on, date):
        errors["planned_on"] = "Give the planned date."
    if errors:
        raise ValidationError(errors)


def _set_people(
    exercise: Exercise, agencies: Iterable[Agency] | None, evaluators: Iterable[Member] | None
) -> None:
    if agencies is not None:
        agencies = list(agencies)
        if any(a.region_id != exercise.region_id for a in agencies):
            raise ValidationError({"agencies": "Only agencies of the exercise's region take part."})
        exercise.agencies.set(agencies)
    if evaluators is not None:
        evaluators = list(evaluators)
        if any(m.agency.region_id != exercise.region_id for m in evaluators):
            raise ValidationError({"evaluators": "Evaluators come from the region's rosters."})
        exercise.evaluators.set(evaluators)


def exercise_create(
    *,
    actor: Actor,
    region: Region,
    name: str,
    type: str,
    planned_on: date,
    scenario: str = "",
    agencies: Iterable[Agency] | None = None,
    evaluators: Iterable[Member] | None = None,
) -> Exercise:
    now = timezone.now()
    exercise = Exercise(
        region=region,
        name=name,
        type=type,
        planned_on=planned_on,
        scenario=scenario or "",
        created_at=now,
        updated_at=now,
    )
    _clean(exercise)
    with transaction.atomic():
        exercise.save()
        _set_people(exercise, agencies, evaluators)
        audit(
            actor=actor,
            step="create",
            instance=exercise,
            changes={"name": exercise.name, "type": type, "planned_on": str(planned_on)},
        )
    return exercise


def exercise_update(
    *,
    actor: Actor,
    exercise: Exercise,
    agencies: Iterable[Agency] | None = None,
    evaluators: Iterable[Member] | None = None,
    **fields: Any,
) -> Exercise:
    unknown = set(fields) - set(EXERCISE_FIELDS)
    if unknown:
        raise ValidationError({name: "Not a field that changes here." for name in unknown})
    if exercise.status == Exercise.Status.CANCELLED:
        raise ValidationError({"status": "A cancelled exercise no longer changes."})
    changes = {k: str(v) for k, v in fields.items() if getattr(exercise, k) != v}
    for key, value in fields.items():
        setattr(exercise, key, value)
    _clean(exercise)
    with transaction.atomic():
        exercise.updated_at = timezone.now()
        exercise.save()
        _set_people(exercise, agencies, evaluators)
        audit(actor=actor, step="update", instance=exercise, changes=changes)
    return exercise


def exercise_hold(*, actor: Actor, exercise: Exercise, held_on: date) -> Exercise:
    """Planned → held, on `held_on` (not in the future)."""
    if exercise.status == Exercise.Status.CANCELLED:
        raise ValidationError({"status": "A cancelled exercise cannot be held."})
    if not isinstance(held_on, date) or held_on > timezone.localdate():
        raise ValidationError({"held_on": "Give the date it was held (not a future date)."})
    with transaction.atomic():
        exercise.status, exercise.held_on = Exercise.Status.HELD, held_on
        exercise.updated_at = timezone.now()
        exercise.save(update_fields=["status", "held_on", "updated_at"])
        audit(
            actor=actor,
            step="hold",
            instance=exercise,
            changes={"held_on": str(held_on)},
        )
    return exercise


def exercise_cancel(*, actor: Actor, exercise: Exercise) -> Exercise:
    if exercise.status != Exercise.Status.PLANNED:
        raise ValidationError({"status": "Only a planned exercise is cancelled."})
    with transaction.atomic():
        exercise.status = Exercise.Status.CANCELLED
        exercise.updated_at = timezone.now()
        exercise.save(update_fields=["status", "updated_at"])
        audit(actor=actor, step="cancel", instance=exercise)
    return exercise


def exercise_link_incident(*, actor: Actor, exercise: Exercise, incident: Incident) -> Exercise:
    """Record that the exercise was played as `incident` (an exercise incident of its region)."""
    if incident.application != Incident.Application.EXERCISE:
        raise ValidationError({"incident": "Only an exercise incident is linked to an exercise."})
    if incident.region_id != exercise.region_id:
        raise ValidationError({"incident": "The incident belongs to another region."})
    with transaction.atomic():
        exercise.incidents.add(incident)
        audit(
            actor=actor,
            step="link_incident",
            instance=exercise,
            changes={"incident": incident.number},
        )
    return exercise


def objective_add(*, actor: Actor, exercise: Exercise, text: str, capability: str) -> Objective:
    text = (text or "").strip()
    errors: dict[str, str] = {}
    if not text:
        errors["text"] = "Write the objective."
    elif len(text) > 400:
        errors["text"] = "Keep the objective to 400 characters."
    if capability not in CoreCapability.values:
        errors["capability"] = "Pick a core capability."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        objective = Objective.objects.create(exercise=exercise, text=text, capability=capability)
        audit(
            actor=actor,
            step="add_objective",
            instance=exercise,  # the exercise carries the region the audit is filed under
            changes={"objective": objective.pk, "text": text, "capability": capability},
        )
    return objective


def objective_rate(
    *, actor: Actor, objective: Objective, rating: str | None, observations: str = ""
) -> Objective:
    """Rate an objective P/S/M/U (or clear the rating) with the evaluators' observations."""
    if rating is not None and rating not in Rating.values:
        raise ValidationError({"rating": "Rate P, S, M or U."})
    with transaction.atomic():
        objective.rating, objective.observations = rating, (observations or "").strip()
        objective.save(update_fields=["rating", "observations"])
        audit(
            actor=actor,
            step="rate_objective",
            instance=objective.exercise,
            changes={"objective": objective.pk, "rating": rating or ""},
        )
    return objective
