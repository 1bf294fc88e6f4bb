"""The region's governance records: ICS 205 radio channels, mutual-aid agreements, committee
meetings, plan adoptions and funding lines. Create, change and delete each; every change is
audited (readiness/services/audit.py).

Rules: an agreement binds two or more agencies of its region and expires after it was signed;
meetings list Discipline values; a plan adoption names one of the region's checklist versions;
a funding line pays only for the region's own sessions and exercises.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction

from agencies.models import Discipline, Region
from incidents.services.common import Actor
from readiness.models import (
    CommitteeMeeting,
    FundingLine,
    FundingProgram,
    MutualAidAgreement,
    PlanAdoption,
    RadioChannel,
)
from readiness.services.audit import audit

FIELDS: dict[type[models.Model], tuple[str, ...]] = {
    RadioChannel: (
        "function",
        "discipline",
        "channel_name",
        "talk_group",
        "frequency_zone",
        "assignment",
        "remarks",
    ),
    MutualAidAgreement: ("title", "signed_on", "expires_on", "document_url", "notes"),
    CommitteeMeeting: (
        "date",
        "place",
        "disciplines_present",
        "attendees",
        "decisions",
        "minutes_url",
    ),
    PlanAdoption: ("checklist", "body", "resolution_number", "adopted_on", "document_url"),
    FundingLine: ("program", "grant_year", "reference", "amount"),
}
RELATIONS: dict[type[models.Model], tuple[str, ...]] = {
    MutualAidAgreement: ("agencies",),
    FundingLine: ("sessions", "exercises"),
}


def _required(record: models.Model, names: Iterable[str], errors: dict[str, str]) -> None:
    for name in names:
        value = getattr(record, name, None)
        if value in (None, "", []):
            errors.setdefault(name, "This field is required.")


def _check(record: models.Model, related: dict[str, list[Any]]) -> None:
    errors: dict[str, str] = {}
    if isinstance(record, RadioChannel):
        _required(record, ("function", "channel_name"), errors)
        if record.discipline not in Discipline.values:
            errors["discipline"] = f"Pick one of: {', '.join(Discipline.values)}."
    elif isinstance(record, MutualAidAgreement):
        _required(record, ("title", "signed_on"), errors)
        if record.expires_on and record.signed_on and record.expires_on <= record.signed_on:
            errors["expires_on"] = "An agreement expires after it was signed."
        agencies = related.get("agencies")
        if agencies is not None:
            if len({a.pk for a in agencies}) < 2:
                errors["agencies"] = "An agreement binds two or more agencies."
            elif any(a.region_id != record.region_id for a in agencies):
                errors["agencies"] = "Only agencies of the agreement's region."
    elif isinstance(record, CommitteeMeeting):
        _required(record, ("date",), errors)
        present = record.disciplines_present
        if not isinstance(present, list) or any(d not in Discipline.values for d in present):
            errors["disciplines_present"] = f"Pick from: {', '.join(Discipline.values)}."
        else:
            record.disciplines_present = sorted(set(present))
    elif isinstance(record, PlanAdoption):
        _required(record, ("body", "adopted_on"), errors)
        checklist = getattr(record, "checklist", None) if record.checklist_id else None
        if checklist is None or checklist.region_id != record.region_id:
            errors["checklist"] = "Choose a version of the region's plan."
    elif isinstance(record, FundingLine):
        if record.program not in FundingProgram.values:
            errors["program"] = f"Pick one of: {', '.join(FundingProgram.values)}."
        if not record.grant_year or not 1990 <= int(record.grant_year) <= 2100:
            errors["grant_year"] = "Give the grant year."
        if record.amount is not None and record.amount < 0:
            errors["amount"] = "The amount cannot be negative."
        for name in ("sessions", "exercises"):
            if any(r.region_id != record.region_id for r in related.get(name) or []):
                errors[name] = f"Only the region's own {name}."
    if errors:
        raise ValidationError(errors)


def _split(model: type[models.Model], values: dict[str, Any]) -> tuple[dict, dict]:
    unknown = set(values) - set(FIELDS[model]) - set(RELATIONS.get(model, ()))
    if unknown:
        raise ValidationError({name: "Unknown field." for name in sorted(unknown)})
    related = {k: list(v) for k, v in values.items() if k in RELATIONS.get(model, ())}
    plain = {k: v for k, v in values.items() if k not in related}
    return plain, related


@transaction.atomic
def create(
    *, actor: Actor, model: type[models.Model], region: Region, **values: Any
) -> models.Model:
    """Add a governance record of `model` to `region`."""
    plain, related = _split(model, values)
    record = model(region=region, **plain)
    if model in RELATIONS:
        for name in RELATIONS[model]:
            related.setdefault(name, [])
    _check(record, related)
    record.save()
    for name, items in related.items():
        getattr(record, name).set(items)
    audit(actor=actor, step="create", instance=record, changes=_changes(plain, related))
    return record


@transaction.atomic
def update(*, actor: Actor, record: models.Model, **values: Any) -> models.Model:
    """Change fields (and relations) of a governance record; the region stays."""
    plain, related = _split(type(record), values)
    for name, value in plain.items():
        setattr(record, name, value)
    check_related = dict(related)
    if isinstance(record, MutualAidAgreement) and "agencies" not in related:
        check_related["agencies"] = list(record.agencies.all())
    _check(record, check_related)
    record.save()
    for name, items in related.items():
        getattr(record, name).set(items)
    audit(actor=actor, step="update", instance=record, changes=_changes(plain, related))
    return record


@transaction.atomic
def delete(*, actor: Actor, record: models.Model) -> None:
    audit(actor=actor, step="delete", instance=record, changes={"deleted": str(record)})
    record.delete()


def _changes(plain: dict[str, Any], related: dict[str, list[Any]]) -> dict[str, Any]:
    changes: dict[str, Any] = {
        k: (v.pk if isinstance(v, models.Model) else str(v)) for k, v in plain.items()
    }
    changes.update({k: [r.pk for r in v] for k, v in related.items()})
    return changes
