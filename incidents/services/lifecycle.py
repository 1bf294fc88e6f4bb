"""Declaring an incident, editing it, and its transitions: active → de-escalated → closed.

An incident may be closed straight from active (a false alarm, a finished exercise); a closed
incident may be reopened within REOPEN_GRACE, after which its record is final.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta
from typing import Any, Protocol

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from agencies.models import Hospital, Region
from asim.plain_text import title_with_place
from incidents import events, ranking
from incidents.models import (
    HospitalStandDown,
    Incident,
    IncidentEvent,
    IncidentHospital,
    Patient,
    TriageCategory,
)
from incidents.queries import ranking_candidates
from incidents.services.common import Actor, clean_count, lock_incident, require_not_closed
from incidents.services.hospitals import hospital_stand_down, incident_hospital_add


class DeclaredSubscriber(Protocol):
    def __call__(self, *, actor: Actor, incident: Incident, via: str) -> None: ...


_declared_subscribers: list[DeclaredSubscriber] = []


def subscribe_declared(callback: DeclaredSubscriber) -> Callable[[], None]:
    """Call `callback(actor=, incident=, via=)` at the end of every incident_declare, inside
    its transaction, once the declaration and its hospitals are on the timeline: what another
    app adds to a new incident (readiness: the region's checklist) follows them there, and an
    exception rolls the declaration back. Returns a function that unsubscribes it."""
    _declared_subscribers.append(callback)
    return lambda: _declared_subscribers.remove(callback)


REOPEN_GRACE = timedelta(hours=24)
MAX_ESTIMATE = 10000
EDITABLE_FIELDS = (
    "title",
    "kind",
    "location_text",
    "latitude",
    "longitude",
    *(f"estimated_{category}" for category in TriageCategory.values),
)


class PatientsStillOut(Exception):
    """Closing was asked without `confirm` while patients are still on scene or in transport;
    `patients` lists them so the dispatcher sees who is still out before confirming."""

    def __init__(self, patients: Sequence[Patient]) -> None:
        super().__init__(
            f"{len(patients)} patient(s) still on scene or in transport; confirm to close anyway."
        )
        self.patients = list(patients)


class DuplicateCadNumber(Exception):
    """The region already has an incident with this CAD number (CAD intake is idempotent)."""

    def __init__(self, incident: Incident) -> None:
        super().__init__(f"CAD number {incident.cad_number} is incident {incident.number}")
        self.incident = incident


def _validate_details(values: Mapping[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    if "title" in values and not str(values["title"] or "").strip():
        errors["title"] = "Give the incident a short title."
    elif len(str(values.get("title") or "")) > 160:
        errors["title"] = "Keep the title to 160 characters."
    if "kind" in values and values["kind"] not in Incident.Kind.values:
        errors["kind"] = f"Choose one of {', '.join(Incident.Kind.values)}."
    if len(str(values.get("location_text") or "")) > 240:
        errors["location_text"] = "Keep the location to 240 characters."
    for name, limit in (("latitude", 90), ("longitude", 180)):
        value = values.get(name)
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int | float) or abs(value) > limit
        ):
            errors[name] = f"Enter a number from -{limit} to {limit}."
    for category in TriageCategory.values:
        name = f"estimated_{category}"
        if name in values:
            try:
                clean_count(values[name], field=name, maximum=MAX_ESTIMATE)
            except ValidationError as error:
                errors.update({k: v[0] for k, v in error.message_dict.items()})
    return errors


def _allocate_number(region: Region, cad_number: str) -> tuple[int, int]:
    """(year, sequence) for a new incident of `region`. Locks the region row so two
    declarations in one region queue up instead of taking the same number."""
    Region.objects.select_for_update().filter(pk=region.pk).first()
    if cad_number:
        existing = Incident.objects.filter(region=region, cad_number=cad_number).first()
        if existing is not None:
            raise DuplicateCadNumber(existing)
    year = timezone.localdate().year
    last = Incident.objects.filter(region=region, year=year).aggregate(n=Max("sequence"))["n"]
    return year, (last or 0) + 1


def incident_declare(
    *,
    actor: Actor,
    region: Region,
    title: str,
    kind: str = Incident.Kind.OTHER_MCI,
    location_text: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
    application: str = Incident.Application.ACTUAL,
    estimated: Mapping[str, int] | None = None,
    casualty_population: str = Incident.Population.UNKNOWN,
    cad_number: str = "",
    hospitals: Sequence[Hospital] | None = None,
    via: str = "",
) -> Incident:
    """Declare an MCI: number it, put it on the timeline and put hospitals on it — the CAD's
    own list when given (`hospitals`, which takes precedence), otherwise the region's top
    `hospitals_to_notify` by ranking. Raises ValidationError, or DuplicateCadNumber when the
    region already has this `cad_number`."""
    estimated = dict(estimated or {})
    values: dict[str, Any] = {
        "title": title,
        "kind": kind,
        "location_text": location_text,
        "latitude": latitude,
        "longitude": longitude,
        **{f"estimated_{c}": v for c, v in estimated.items()},
    }
    errors = _validate_details(values)
    unknown = set(estimated) - set(TriageCategory.values)
    if unknown:
        errors["estimated"] = f"Unknown triage categories: {', '.join(sorted(unknown))}."
    if casualty_population not in Incident.Population.values:
        errors["casualty_population"] = f"Choose one of {', '.join(Incident.Population.values)}."
    if application not in Incident.Application.values:
        errors["application"] = f"Choose one of {', '.join(Incident.Application.values)}."
    if (latitude is None) != (longitude is None):
        errors["latitude"] = "Give both latitude and longitude, or neither."
    cad_number = (cad_number or "").strip()
    if len(cad_number) > 60:
        errors["cad_number"] = "Keep the CAD number to 60 characters."
    if errors:
        raise ValidationError(errors)

    with transaction.atomic():
        year, sequence = _allocate_number(region, cad_number)
        now = timezone.now()
        incident = Incident.objects.create(
            region=region,
            number=f"{year}-{sequence:04d}",
            year=year,
            sequence=sequence,
            kind=kind,
            title=title.strip(),
            location_text=location_text.strip(),
            latitude=latitude,
            longitude=longitude,
            application=application,
            cad_number=cad_number,
            declared_by=actor if actor is not None and actor.is_authenticated else None,
            declared_via=via[:80],
            declared_at=now,
            casualty_population=casualty_population,
            **{f"estimated_{c}": v for c, v in estimated.items()},
        )
        banner = "EXERCISE: " if incident.is_exercise else ""
        events.append_event(
            incident=incident,
            kind=events.INCIDENT_DECLARED,
            actor=actor,
            actor_label=via,
            summary=f"{banner}{incident.get_kind_display()} declared: "
            f"{title_with_place(incident.title, incident.location_text)}",
            data={
                "number": incident.number,
                "kind": incident.kind,
                "title": incident.title,
                "application": incident.application,
                "location_text": incident.location_text,
                "latitude": incident.latitude,
                "longitude": incident.longitude,
                "estimated": incident.estimated(),
                "casualty_population": incident.casualty_population,
                "cad_number": incident.cad_number,
                "via": via,
            },
            public=True,
        )
        if hospitals:
            _add_listed_hospitals(actor=actor, incident=incident, hospitals=hospitals, via=via)
        else:
            _add_ranked_hospitals(actor=actor, incident=incident, via=via)
        for callback in list(_declared_subscribers):
            callback(actor=actor, incident=incident, via=via)
    return incident


def _add_listed_hospitals(
    *, actor: Actor, incident: Incident, hospitals: Sequence[Hospital], via: str
) -> None:
    seen: set[int] = set()
    for hospital in hospitals:
        if hospital.pk in seen:
            continue
        seen.add(hospital.pk)
        incident_hospital_add(
            actor=actor,
            incident=incident,
            hospital=hospital,
            source=IncidentHospital.Source.CAD,
            rank=len(seen),
            reasons=["recommended by CAD"],
            actor_label=via,
        )


def _add_ranked_hospitals(*, actor: Actor, incident: Incident, via: str) -> None:
    region = incident.region
    hospitals = {h.pk: h for h in ranking_candidates(incident)}
    ranked = ranking.rank_hospitals(
        ranking.candidates_from_hospitals(hospitals.values()),
        latitude=incident.latitude,
        longitude=incident.longitude,
        estimated=incident.estimated(),
        now=timezone.now(),
        home_region_id=region.pk,
        population=incident.casualty_population,
    )
    for entry in ranked[: region.hospitals_to_notify]:
        incident_hospital_add(
            actor=actor,
            incident=incident,
            hospital=hospitals[entry.candidate.hospital_id],
            source=IncidentHospital.Source.RANKED,
            rank=entry.rank,
            reasons=entry.reasons,
            distance_km=entry.distance_km,
            actor_label=via,
        )


def incident_update(*, actor: Actor, incident: Incident, changes: Mapping[str, Any]) -> Incident:
    """Edit an open incident's details (title, kind, location, estimates). Its number, region,
    application and CAD number are fixed at declaration."""
    fixed = set(changes) - set(EDITABLE_FIELDS)
    errors = {name: "This cannot be changed after declaration." for name in fixed}
    errors.update(_validate_details(changes))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = lock_incident(incident)
        require_not_closed(locked, "be updated")
        before = {name: getattr(locked, name) for name in changes}
        for name, value in changes.items():
            setattr(locked, name, value.strip() if isinstance(value, str) else value)
        if (locked.latitude is None) != (locked.longitude is None):
            raise ValidationError({"latitude": "Give both latitude and longitude, or neither."})
        changed = {
            name: [before[name], getattr(locked, name)]
            for name in changes
            if before[name] != getattr(locked, name)
        }
        if not changed:
            return locked
        locked.save(update_fields=[*changed, "updated_at"])
        events.append_event(
            incident=locked,
            kind=events.INCIDENT_UPDATED,
            actor=actor,
            summary=f"Details updated: {', '.join(n.replace('_', ' ') for n in changed)}",
            data={"changes": changed},
            public=True,
        )
    return locked


def incident_deescalate(*, actor: Actor, incident: Incident) -> Incident:
    """Active → de-escalated: the threat is contained and treatment is under control."""
    with transaction.atomic():
        locked = lock_incident(incident)
        if locked.status != Incident.Status.ACTIVE:
            raise ValidationError(
                f"An incident that is {locked.get_status_display().lower()} cannot be de-escalated."
            )
        locked.status = Incident.Status.DEESCALATED
        locked.deescalated_at = timezone.now()
        locked.save(update_fields=["status", "deescalated_at", "updated_at"])
        events.append_event(
            incident=locked,
            kind=events.INCIDENT_DEESCALATED,
            actor=actor,
            summary="De-escalated: threat contained, treatment under control",
            data={"status": locked.status, "previous": Incident.Status.ACTIVE},
            public=True,
        )
        # Hospitals with nobody of this incident headed to them are no longer needed; the
        # others stand down when the incident closes.
        awaited = set(
            locked.patients.filter(status__in=OUT_STATUSES).values_list("destination_id", flat=True)
        )
        for row in _not_stood_down(locked):
            if row.hospital_id in awaited:
                continue
            hospital_stand_down(
                actor=actor,
                incident=locked,
                hospital=row.hospital,
                reason=HospitalStandDown.Reason.DEESCALATED,
            )
    return locked


OUT_STATUSES = (Patient.Status.ON_SCENE, Patient.Status.IN_TRANSPORT)


def patients_out(incident: Incident) -> list[Patient]:
    """The incident's patients still on scene or in transport, by status and tag."""
    return list(
        Patient.objects.filter(incident=incident, status__in=OUT_STATUSES)
        .select_related("destination__agency")
        .order_by("status", "tag_number")
    )


def _not_stood_down(incident: Incident) -> list[IncidentHospital]:
    """The hospitals on the incident not yet stood down since it was (re)opened and since
    they were (last) put on it."""
    reopened = (
        IncidentEvent.objects.filter(incident=incident, kind=events.INCIDENT_REOPENED)
        .order_by("-seq")
        .values_list("seq", flat=True)
        .first()
    ) or 0
    latest: dict[int, Any] = {}
    for hospital_id, at in HospitalStandDown.objects.filter(
        incident=incident, seq__gt=reopened
    ).values_list("hospital_id", "at"):
        latest[hospital_id] = max(at, latest.get(hospital_id, at))
    rows = (
        IncidentHospital.objects.filter(incident=incident)
        .select_related("hospital__agency")
        .order_by("rank", "id")
    )
    return [
        row
        for row in rows
        if row.hospital_id not in latest or latest[row.hospital_id] < row.notified_at
    ]


def incident_close(
    *, actor: Actor, incident: Incident, summary: str, confirm: bool = False
) -> Incident:
    """Active or de-escalated → closed, with a short closing summary (required). Raises
    PatientsStillOut, unless `confirm`, while patients are on scene or in transport (they may
    still arrive after closing). Every hospital not yet stood down is stood down."""
    summary = (summary or "").strip()
    if not summary:
        raise ValidationError({"summary": "Write a short closing summary."})
    if len(summary) > 2000:
        raise ValidationError({"summary": "Keep the closing summary to 2000 characters."})
    with transaction.atomic():
        locked = lock_incident(incident)
        if locked.status == Incident.Status.CLOSED:
            raise ValidationError("An incident that is closed cannot be closed again.")
        out = patients_out(locked)
        if out and not confirm:
            raise PatientsStillOut(out)
        previous = locked.status
        locked.status = Incident.Status.CLOSED
        locked.closed_at = timezone.now()
        locked.closing_summary = summary
        locked.save(update_fields=["status", "closed_at", "closing_summary", "updated_at"])
        events.append_event(
            incident=locked,
            kind=events.INCIDENT_CLOSED,
            actor=actor,
            summary="Incident closed"
            + (f" with {len(out)} patient(s) still on scene or in transport" if out else ""),
            data={
                "status": locked.status,
                "previous": previous,
                "summary": summary,
                "patients_out": len(out),
            },
            public=True,
        )
        for row in _not_stood_down(locked):
            hospital_stand_down(
                actor=actor,
                incident=locked,
                hospital=row.hospital,
                reason=HospitalStandDown.Reason.CLOSED,
            )
    return locked


def incident_reopen(*, actor: Actor, incident: Incident) -> Incident:
    """Closed → active, within REOPEN_GRACE of closing; refused after."""
    with transaction.atomic():
        locked = lock_incident(incident)
        if locked.status != Incident.Status.CLOSED:
            raise ValidationError(
                f"An incident that is {locked.get_status_display().lower()} cannot be reopened."
            )
        if locked.closed_at and timezone.now() - locked.closed_at > REOPEN_GRACE:
            hours = int(REOPEN_GRACE.total_seconds() // 3600)
            raise ValidationError(
                f"An incident can be reopened within {hours} h of closing; "
                f"{locked.number} was closed longer ago. Declare a new incident."
            )
        locked.status = Incident.Status.ACTIVE
        locked.closed_at = None
        locked.deescalated_at = None
        locked.save(update_fields=["status", "closed_at", "deescalated_at", "updated_at"])
        events.append_event(
            incident=locked,
            kind=events.INCIDENT_REOPENED,
            actor=actor,
            summary="Incident reopened",
            data={"status": locked.status, "previous": Incident.Status.CLOSED},
            public=True,
        )
    return locked
