"""Patients: register (one or many), re-triage, destination, transport, arrival, walk-ins.

Status moves on scene → in transport → arrived; a walk-in is registered already arrived at
the hospital that received it. Patient events are never public (officials see counts only).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from agencies.models import Hospital
from incidents import events
from incidents.clock import incident_clock
from incidents.models import Incident, IncidentHospital, Patient
from incidents.services.common import (
    Actor,
    category_aside,
    category_word,
    clean_category,
    hospital_label,
    lock_incident,
    require_not_closed,
)
from incidents.services.hospitals import incident_hospital_add

MAX_BATCH = 500
# Ringdown vitals and the range a person could plausibly have (outside it: a typo).
VITAL_RANGES: dict[str, tuple[int, int, str]] = {
    "heart_rate": (20, 250, "Heart rate"),
    "systolic_bp": (40, 300, "Systolic blood pressure"),
    "diastolic_bp": (20, 200, "Diastolic blood pressure"),
    "respiratory_rate": (4, 80, "Respiratory rate"),
    "spo2": (50, 100, "SpO2"),
    "gcs": (3, 15, "GCS"),
}
DETAIL_WORDS = {
    "age_group": "age group",
    "sex": "sex",
    "injury_note": "chief complaint / injuries",
    "avpu": "AVPU",
    **{name: label for name, (_, _, label) in VITAL_RANGES.items()},
}
DETAIL_FIELDS = tuple(DETAIL_WORDS)
PATIENT_FIELDS = ("tag_number", "category", "age_group", "sex", "injury_note", "destination")


def _user(actor: Actor) -> Any:
    return actor if actor is not None and actor.is_authenticated else None


def _validate_patient(values: Mapping[str, Any], label: str) -> list[str]:
    problems = []
    unknown = set(values) - set(PATIENT_FIELDS)
    if unknown:
        problems.append(f"{label}: unknown field(s) {', '.join(sorted(unknown))}.")
    tag = str(values.get("tag_number") or "").strip()
    if not tag:
        problems.append(f"{label}: enter the triage tag number.")
    elif len(tag) > 40:
        problems.append(f"{label}: keep the tag number to 40 characters.")
    try:
        clean_category(values.get("category"))
    except ValidationError as error:
        problems.append(f"{label}: {error.message_dict['category'][0]}")
    if values.get("age_group", "unknown") not in Patient.AgeGroup.values:
        problems.append(f"{label}: age group is one of {', '.join(Patient.AgeGroup.values)}.")
    if values.get("sex", "unknown") not in Patient.Sex.values:
        problems.append(f"{label}: sex is one of {', '.join(Patient.Sex.values)}.")
    if len(str(values.get("injury_note") or "")) > 200:
        problems.append(f"{label}: keep the injury note to 200 characters.")
    return problems


def _on_incident(incident: Incident, hospital: Hospital) -> None:
    if not IncidentHospital.objects.filter(incident=incident, hospital=hospital).exists():
        raise ValidationError(
            {"destination": f"{hospital_label(hospital)} is not on this incident; add it first."}
        )


def _registered_event(*, actor: Actor, incident: Incident, patient: Patient) -> None:
    where = f" at {hospital_label(patient.destination)}" if patient.walk_in else ""
    events.append_event(
        incident=incident,
        kind=events.PATIENT_REGISTERED,
        actor=actor,
        summary=f"{'Walk-in patient' if patient.walk_in else 'Patient'} {patient.tag_number} "
        f"({category_aside(patient.category)}) registered{where}",
        data={
            "patient_id": patient.pk,
            "tag_number": patient.tag_number,
            "category": patient.category,
            "status": patient.status,
            "walk_in": patient.walk_in,
            "destination_id": patient.destination_id,
        },
        hospital=patient.destination,
    )


def patient_register(
    *, actor: Actor, incident: Incident, patients: Sequence[Mapping[str, Any]]
) -> list[Patient]:
    """Register one or more patients on scene (each: tag_number, category, and optionally
    age_group, sex, injury_note, destination). All or none: any problem refuses the batch."""
    if not patients:
        raise ValidationError({"patients": "Register at least one patient."})
    if len(patients) > MAX_BATCH:
        raise ValidationError({"patients": f"Register at most {MAX_BATCH} patients at once."})
    problems: list[str] = []
    tags: dict[str, int] = {}
    for index, values in enumerate(patients, start=1):
        label = f"Patient {index}"
        problems += _validate_patient(values, label)
        tag = str(values.get("tag_number") or "").strip()
        if tag and tag in tags:
            problems.append(f"{label}: tag {tag} is also patient {tags[tag]} of this batch.")
        tags.setdefault(tag, index)
    if problems:
        raise ValidationError({"patients": problems})
    with transaction.atomic():
        locked = lock_incident(incident)
        require_not_closed(locked, "take new patients")
        taken = set(
            Patient.objects.filter(incident=locked, tag_number__in=tags).values_list(
                "tag_number", flat=True
            )
        )
        if taken:
            raise ValidationError(
                {"patients": [f"Tag {t} is already registered on this incident." for t in taken]}
            )
        for destination in {v["destination"] for v in patients if v.get("destination")}:
            _on_incident(locked, destination)
        created = Patient.objects.bulk_create(
            [
                Patient(
                    incident=locked,
                    tag_number=str(values["tag_number"]).strip(),
                    category=values["category"],
                    age_group=values.get("age_group", Patient.AgeGroup.UNKNOWN),
                    sex=values.get("sex", Patient.Sex.UNKNOWN),
                    injury_note=str(values.get("injury_note") or "").strip(),
                    destination=values.get("destination"),
                    registered_by=_user(actor),
                )
                for values in patients
            ]
        )
        for patient in created:
            _registered_event(actor=actor, incident=locked, patient=patient)
    return created


def walkin_register(
    *,
    actor: Actor,
    incident: Incident,
    hospital: Hospital,
    category: str,
    tag_number: str = "",
    age_group: str = Patient.AgeGroup.UNKNOWN,
    sex: str = Patient.Sex.UNKNOWN,
    injury_note: str = "",
) -> Patient:
    """A hospital registers a self-transported patient, already arrived there, so regional
    counts include patients who never touched EMS. Without a tag the hospital's next walk-in
    number is used (W-<hospital>-<n>). Puts the hospital on the incident if it was not."""
    with transaction.atomic():
        locked = lock_incident(incident)
        require_not_closed(locked, "take walk-ins")
        if not tag_number.strip():
            count = Patient.objects.filter(incident=locked, walk_in=True).count()
            tag_number = f"W-{hospital.agency.short_code}-{count + 1}"
        values = {
            "tag_number": tag_number,
            "category": category,
            "age_group": age_group,
            "sex": sex,
            "injury_note": injury_note,
        }
        problems = _validate_patient(values, "Walk-in")
        if problems:
            raise ValidationError({"patients": problems})
        if Patient.objects.filter(incident=locked, tag_number=tag_number.strip()).exists():
            raise ValidationError(
                {"tag_number": f"Tag {tag_number} is already registered on this incident."}
            )
        if not IncidentHospital.objects.filter(incident=locked, hospital=hospital).exists():
            incident_hospital_add(
                actor=actor,
                incident=locked,
                hospital=hospital,
                source=IncidentHospital.Source.WALK_IN,
            )
        now = timezone.now()
        patient = Patient.objects.create(
            incident=locked,
            tag_number=tag_number.strip(),
            category=category,
            age_group=age_group,
            sex=sex,
            injury_note=injury_note.strip(),
            status=Patient.Status.ARRIVED,
            walk_in=True,
            destination=hospital,
            arrived_at=now,
            registered_by=_user(actor),
        )
        _registered_event(actor=actor, incident=locked, patient=patient)
    return patient


def _lock_patients(incident: Incident, patients: Sequence[Patient]) -> list[Patient]:
    ids = [p.pk for p in patients]
    locked = list(
        Patient.objects.select_for_update(of=("self",))
        .filter(pk__in=ids, incident=incident)
        .order_by("pk")
        .select_related("destination__agency")
    )
    if len(locked) != len(set(ids)):
        raise ValidationError({"patients": "Every patient must belong to this incident."})
    return locked


def patient_retriage(*, actor: Actor, patient: Patient, category: str) -> Patient:
    """Change a patient's triage category (not once they have arrived: the hospital owns it)."""
    clean_category(category)
    with transaction.atomic():
        incident = lock_incident(patient.incident)
        require_not_closed(incident, "re-triage patients")
        (locked,) = _lock_patients(incident, [patient])
        if locked.status == Patient.Status.ARRIVED:
            raise ValidationError(f"Patient {locked.tag_number} has arrived; re-triage there.")
        if locked.category == category:
            raise ValidationError(
                {"category": f"Patient {locked.tag_number} is already {category_word(category)}."}
            )
        previous = locked.category
        locked.category = category
        locked.save(update_fields=["category", "updated_at"])
        events.append_event(
            incident=incident,
            kind=events.PATIENT_RETRIAGED,
            actor=actor,
            summary=f"Patient {locked.tag_number} re-triaged {category_word(previous)} → "
            f"{category_word(category)}",
            data={
                "patient_id": locked.pk,
                "tag_number": locked.tag_number,
                "category": category,
                "previous": previous,
            },
            hospital=locked.destination,
        )
    return locked


def patient_assign_destination(*, actor: Actor, patient: Patient, hospital: Hospital) -> Patient:
    """Send a patient (on scene or re-routed in transport) to a hospital on the incident."""
    with transaction.atomic():
        incident = lock_incident(patient.incident)
        require_not_closed(incident, "route patients")
        (locked,) = _lock_patients(incident, [patient])
        if locked.status == Patient.Status.ARRIVED:
            raise ValidationError(f"Patient {locked.tag_number} has already arrived.")
        if locked.destination_id == hospital.pk:
            raise ValidationError(
                {"destination": f"Patient {locked.tag_number} already goes there."}
            )
        _on_incident(incident, hospital)
        previous_id = locked.destination_id
        locked.destination = hospital
        locked.save(update_fields=["destination", "updated_at"])
        events.append_event(
            incident=incident,
            kind=events.PATIENT_DESTINATION,
            actor=actor,
            summary=f"Patient {locked.tag_number} ({category_aside(locked.category)}) → "
            f"{hospital_label(hospital)}",
            data={
                "patient_id": locked.pk,
                "tag_number": locked.tag_number,
                "category": locked.category,
                "destination_id": hospital.pk,
                "destination": hospital_label(hospital),
                "previous_id": previous_id,
            },
            hospital=hospital,
        )
    return locked


def patients_transport(
    *,
    actor: Actor,
    incident: Incident,
    patients: Sequence[Patient],
    unit: str,
    destination: Hospital | None = None,
    eta: datetime | None = None,
) -> list[Patient]:
    """One unit leaves the scene with one or more patients. Each goes to `destination` if
    given, otherwise to the destination already assigned; all must be on scene."""
    unit = (unit or "").strip()
    if not unit:
        raise ValidationError({"unit": "Name the transport unit (e.g. Medic 12)."})
    if len(unit) > 40:
        raise ValidationError({"unit": "Keep the unit name to 40 characters."})
    if not patients:
        raise ValidationError({"patients": "Choose at least one patient."})
    with transaction.atomic():
        locked_incident = lock_incident(incident)
        require_not_closed(locked_incident, "transport patients")
        locked = _lock_patients(locked_incident, patients)
        problems = [
            f"Patient {p.tag_number} is {p.get_status_display().lower()}, not on scene."
            for p in locked
            if p.status != Patient.Status.ON_SCENE
        ]
        if destination is None:
            problems += [
                f"Patient {p.tag_number} has no destination; choose one."
                for p in locked
                if p.destination_id is None
            ]
        if problems:
            raise ValidationError({"patients": problems})
        if destination is not None:
            _on_incident(locked_incident, destination)
        now = timezone.now()
        for patient in locked:
            patient.status = Patient.Status.IN_TRANSPORT
            patient.transport_unit = unit
            patient.departed_at = now
            patient.eta = eta
            if destination is not None:
                patient.destination = destination
        Patient.objects.bulk_update(
            locked, ["status", "transport_unit", "departed_at", "eta", "destination", "updated_at"]
        )
        for patient in locked:
            target = patient.destination
            assert target is not None
            events.append_event(
                incident=locked_incident,
                kind=events.PATIENT_TRANSPORTED,
                actor=actor,
                summary=f"Patient {patient.tag_number} ({category_aside(patient.category)}) "
                f"left with {unit} for {hospital_label(target)}"
                + (f", ETA {incident_clock(eta, locked_incident)}" if eta else ""),
                data={
                    "patient_id": patient.pk,
                    "tag_number": patient.tag_number,
                    "category": patient.category,
                    "unit": unit,
                    "destination_id": target.pk,
                    "destination": hospital_label(target),
                    "eta": eta.isoformat() if eta else None,
                },
                hospital=target,
            )
    return locked


def patient_arrive(*, actor: Actor, patient: Patient) -> Patient:
    """The receiving hospital marks a patient in transport as arrived."""
    with transaction.atomic():
        incident = lock_incident(patient.incident)
        (locked,) = _lock_patients(incident, [patient])
        if locked.status == Patient.Status.ARRIVED:
            raise ValidationError(f"Patient {locked.tag_number} has already arrived.")
        if locked.status != Patient.Status.IN_TRANSPORT:
            raise ValidationError(
                f"Patient {locked.tag_number} is still on scene; only a patient in transport "
                "can arrive."
            )
        locked.status = Patient.Status.ARRIVED
        locked.arrived_at = timezone.now()
        locked.save(update_fields=["status", "arrived_at", "updated_at"])
        target = locked.destination
        assert target is not None
        events.append_event(
            incident=incident,
            kind=events.PATIENT_ARRIVED,
            actor=actor,
            summary=f"Patient {locked.tag_number} ({category_aside(locked.category)}) arrived at "
            f"{hospital_label(target)}",
            data={
                "patient_id": locked.pk,
                "tag_number": locked.tag_number,
                "category": locked.category,
                "destination_id": target.pk,
                "destination": hospital_label(target),
            },
            hospital=target,
        )
    return locked


def _validate_details(details: Mapping[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    for name in set(details) - set(DETAIL_FIELDS):
        errors[name] = "Not a ringdown detail."
    if "age_group" in details and details["age_group"] not in Patient.AgeGroup.values:
        errors["age_group"] = f"Choose one of {', '.join(Patient.AgeGroup.values)}."
    if "sex" in details and details["sex"] not in Patient.Sex.values:
        errors["sex"] = f"Choose one of {', '.join(Patient.Sex.values)}."
    if "injury_note" in details and (
        not isinstance(details["injury_note"], str) or len(details["injury_note"]) > 200
    ):
        errors["injury_note"] = "Keep the chief complaint / injuries to 200 characters."
    if "avpu" in details and details["avpu"] not in ("", *Patient.Avpu.values):
        errors["avpu"] = "Choose A, V, P or U (or leave it empty)."
    for name, (low, high, label) in VITAL_RANGES.items():
        value = details.get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            errors[name] = f"{label} is a whole number from {low} to {high}."
    return errors


def patient_update_details(
    *, actor: Actor, patient: Patient, details: Mapping[str, Any]
) -> Patient:
    """EMS adds or corrects ringdown details while the patient is on scene or on the way:
    age group, sex, chief complaint / injuries, and vitals (None clears a vital). Only the
    given fields change. The event names the fields that changed, never their values:
    patient details stay on the patient row, which officials and notifications never see."""
    errors = _validate_details(details)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        incident = lock_incident(patient.incident)
        require_not_closed(incident, "update patients")
        (locked,) = _lock_patients(incident, [patient])
        if locked.status == Patient.Status.ARRIVED:
            raise ValidationError(
                f"Patient {locked.tag_number} has arrived; the hospital's record takes over."
            )
        cleaned = {
            name: value.strip() if isinstance(value, str) else value
            for name, value in details.items()
        }
        # One half of a pressure may be corrected on its own: check the pair as it will be.
        systolic = cleaned.get("systolic_bp", locked.systolic_bp)
        diastolic = cleaned.get("diastolic_bp", locked.diastolic_bp)
        if systolic is not None and diastolic is not None and diastolic >= systolic:
            raise ValidationError(
                {"diastolic_bp": "The diastolic pressure is lower than the systolic."}
            )
        changed = [n for n in DETAIL_FIELDS if n in cleaned and getattr(locked, n) != cleaned[n]]
        if not changed:
            return locked
        for name in changed:
            setattr(locked, name, cleaned[name])
        locked.details_updated_at = timezone.now()
        locked.save(update_fields=[*changed, "details_updated_at", "updated_at"])
        words = ", ".join(DETAIL_WORDS[name] for name in changed)
        events.append_event(
            incident=incident,
            kind=events.PATIENT_DETAILS,
            actor=actor,
            summary=f"Patient {locked.tag_number} details updated: {words}",
            data={
                "patient_id": locked.pk,
                "tag_number": locked.tag_number,
                "category": locked.category,
                "destination_id": locked.destination_id,
                "changed": changed,
            },
            hospital=locked.destination,
        )
    return locked
