"""Hospitals on an incident: add, remove, acknowledge, answer (and revise) capacity, and
stand down (removed, or the incident de-escalated or closed) until the ER acknowledges."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from agencies.models import Hospital
from agencies.services import hospital_update_status
from incidents import events
from incidents.models import (
    CAPACITY_CATEGORIES,
    HospitalStandDown,
    Incident,
    IncidentEvent,
    IncidentHospital,
)
from incidents.queries import OUT_OF_REACH, hospital_in_reach
from incidents.ranking import distance_between
from incidents.services.common import (
    Actor,
    capacity_short,
    clean_count,
    hospital_label,
    lock_incident,
    require_not_closed,
)


def incident_hospital_add(
    *,
    actor: Actor,
    incident: Incident,
    hospital: Hospital,
    source: str = IncidentHospital.Source.MANUAL,
    rank: int | None = None,
    reasons: Sequence[str] | None = None,
    distance_km: float | None = None,
    actor_label: str = "",
) -> IncidentHospital:
    """Put a hospital on the incident (notified now; the notifications app sends the alert).
    Only a hospital in reach (incidents.queries.hospitals_in_reach) may go on."""
    if not hospital.agency.active:
        raise ValidationError({"hospital": f"{hospital_label(hospital)} is not active."})
    with transaction.atomic():
        locked = lock_incident(incident)
        require_not_closed(locked, "take hospitals")
        if not hospital_in_reach(hospital, locked.region, locked.latitude, locked.longitude):
            raise ValidationError({"hospital": OUT_OF_REACH})
        if IncidentHospital.objects.filter(incident=locked, hospital=hospital).exists():
            raise ValidationError(
                {"hospital": f"{hospital_label(hospital)} is already on this incident."}
            )
        if distance_km is None:
            km = distance_between(
                locked.latitude,
                locked.longitude,
                hospital.agency.latitude,
                hospital.agency.longitude,
            )
            distance_km = None if km is None else round(km, 2)
        if reasons is None:
            where = "distance unknown" if distance_km is None else f"{distance_km:.1f} km"
            reasons = [IncidentHospital.Source(source).label.lower(), where]
        row = IncidentHospital.objects.create(
            incident=locked,
            hospital=hospital,
            source=source,
            rank=rank,
            reasons=list(reasons),
            distance_km=distance_km,
            notified_at=timezone.now(),
        )
        ranked = f" (#{rank})" if rank else ""
        events.append_event(
            incident=locked,
            kind=events.HOSPITAL_ADDED,
            actor=actor,
            actor_label=actor_label,
            summary=f"{hospital_label(hospital)} added{ranked}: {' · '.join(row.reasons)}",
            data={
                "hospital_id": hospital.pk,
                "hospital": hospital_label(hospital),
                "source": source,
                "rank": rank,
                "reasons": list(row.reasons),
            },
            public=True,
            hospital=hospital,
        )
    incident.last_seq = locked.last_seq
    return row


def incident_hospital_remove(*, actor: Actor, incident_hospital: IncidentHospital) -> None:
    """Take a hospital off the incident; refused while patients of the incident go to it."""
    hospital = incident_hospital.hospital
    with transaction.atomic():
        locked = lock_incident(incident_hospital.incident)
        require_not_closed(locked, "change its hospitals")
        if locked.patients.filter(destination=hospital).exists():
            raise ValidationError(
                f"{hospital_label(hospital)} has patients of this incident headed to or at it; "
                "re-route them before removing it."
            )
        IncidentHospital.objects.filter(pk=incident_hospital.pk).delete()
        who = events.actor_name(actor)
        events.append_event(
            incident=locked,
            kind=events.HOSPITAL_REMOVED,
            actor=actor,
            summary=f"{hospital_label(hospital)} removed from the incident"
            + (f" by {who}" if who else ""),
            data={"hospital_id": hospital.pk, "hospital": hospital_label(hospital)},
            public=True,
            hospital=hospital,
        )
        hospital_stand_down(
            actor=actor, incident=locked, hospital=hospital, reason=HospitalStandDown.Reason.REMOVED
        )
    incident_hospital.incident.last_seq = locked.last_seq


def hospital_stand_down(
    *, actor: Actor, incident: Incident, hospital: Hospital, reason: str
) -> HospitalStandDown:
    """Tell `hospital` to stand down, inside the caller's transaction (`incident` locked):
    a `hospital.stood_down` event — which the region's rules for that trigger turn into a
    "STAND DOWN" message to its ER contacts — and a row its ER board shows until someone
    there acknowledges it. For a removed hospital the row also marks how far into the
    timeline its staff may still read (incidents.permissions)."""
    who = events.actor_name(actor)
    row = HospitalStandDown.objects.create(
        incident=incident,
        hospital=hospital,
        reason=reason,
        at=timezone.now(),
        by=_user(actor),
        by_label=who[:160],
        seq=0,
    )
    text = row.reason_text
    event = events.append_event(
        incident=incident,
        kind=events.HOSPITAL_STOOD_DOWN,
        actor=actor,
        summary=f"{hospital_label(hospital)} stood down: {text}",
        data={
            "standdown_id": row.pk,
            "hospital_id": hospital.pk,
            "hospital": hospital_label(hospital),
            "reason": reason,
            "reason_text": text,
            "by": who,
        },
        hospital=hospital,
    )
    row.seq = event.seq
    row.save(update_fields=["seq"])
    return row


def hospital_standdown_acknowledge(
    *, actor: Actor, standdown: HospitalStandDown
) -> HospitalStandDown:
    """Record that the hospital's ER has seen its stand-down (also on a closed incident: the
    card stays on its board until then). Acknowledging twice changes nothing."""
    with transaction.atomic():
        locked = lock_incident(standdown.incident)
        row = (
            HospitalStandDown.objects.select_for_update(of=("self",))
            .select_related("hospital__agency")
            .get(pk=standdown.pk)
        )
        if row.acknowledged_at is None:
            row.acknowledged_at = timezone.now()
            row.acknowledged_by = _user(actor)
            row.save(update_fields=["acknowledged_at", "acknowledged_by"])
            who = events.actor_name(actor)
            events.append_event(
                incident=locked,
                kind=events.HOSPITAL_STANDDOWN_ACKNOWLEDGED,
                actor=actor,
                summary=f"{hospital_label(row.hospital)} acknowledged the stand-down"
                + (f" ({who})" if who else ""),
                data={
                    "standdown_id": row.pk,
                    "hospital_id": row.hospital_id,
                    "hospital": hospital_label(row.hospital),
                    "reason": row.reason,
                    "by": who,
                },
                hospital=row.hospital,
            )
    return row


def _user(actor: Actor) -> Any:
    return actor if actor is not None and actor.is_authenticated else None


def _lock_row(incident_hospital: IncidentHospital) -> tuple[Incident, IncidentHospital]:
    locked = lock_incident(incident_hospital.incident)
    row = (
        IncidentHospital.objects.select_for_update(of=("self",))
        .select_related("hospital__agency")
        .get(pk=incident_hospital.pk)
    )
    return locked, row


def _acknowledge(
    *, actor: Actor, incident: Incident, row: IncidentHospital, actor_label: str = ""
) -> None:
    row.acknowledged_at = timezone.now()
    row.acknowledged_by = actor if actor is not None and actor.is_authenticated else None
    row.save(update_fields=["acknowledged_at", "acknowledged_by"])
    who = actor_label or events.actor_name(actor)
    events.append_event(
        incident=incident,
        kind=events.HOSPITAL_ACKNOWLEDGED,
        actor=actor,
        actor_label=actor_label,
        summary=f"{hospital_label(row.hospital)} acknowledged" + (f" — {who}" if who else ""),
        data={"hospital_id": row.hospital_id, "hospital": hospital_label(row.hospital), "by": who},
        public=True,
        hospital=row.hospital,
    )


def hospital_acknowledge(
    *, actor: Actor, incident_hospital: IncidentHospital, actor_label: str = ""
) -> IncidentHospital:
    """Record that the hospital has seen the alert. Acknowledging twice changes nothing.
    `actor_label` names who acknowledged when it was not a login (e.g. "SMS from +1937…")."""
    with transaction.atomic():
        locked, row = _lock_row(incident_hospital)
        require_not_closed(locked, "be acknowledged")
        if row.acknowledged_at is None:
            _acknowledge(actor=actor, incident=locked, row=row, actor_label=actor_label)
    return row


def hospital_answer_capacity(
    *,
    actor: Actor,
    incident_hospital: IncidentHospital,
    immediate: int,
    delayed: int,
    minor: int,
    actor_label: str = "",
) -> IncidentHospital:
    """The patients the hospital can take now, by colour. May be revised; every answer is on
    the timeline, implies an acknowledgement, and becomes the hospital's reported capacity.
    `actor_label` names who answered when it was not a login (e.g. "SMS from +1937…")."""
    values = {"immediate": immediate, "delayed": delayed, "minor": minor}
    errors = {}
    for category, value in values.items():
        try:
            clean_count(value, field=category)
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked, row = _lock_row(incident_hospital)
        require_not_closed(locked, "take capacity answers")
        if row.acknowledged_at is None:
            _acknowledge(actor=actor, incident=locked, row=row, actor_label=actor_label)
        previous = row.capacity() if row.capacity_answered_at else None
        for category in CAPACITY_CATEGORIES:
            setattr(row, f"capacity_{category}", values[category])
        row.capacity_answered_at = timezone.now()
        row.capacity_answered_by = actor if actor is not None and actor.is_authenticated else None
        row.capacity_revisions += 1
        row.save(
            update_fields=[
                *(f"capacity_{c}" for c in CAPACITY_CATEGORIES),
                "capacity_answered_at",
                "capacity_answered_by",
                "capacity_revisions",
            ]
        )
        hospital_update_status(
            actor=actor,
            hospital=row.hospital,
            capacity=values,  # type: ignore[arg-type]
            source=actor_label,
        )
        verb = "revised capacity to" if previous else "can take"
        events.append_event(
            incident=locked,
            kind=events.HOSPITAL_CAPACITY,
            actor=actor,
            actor_label=actor_label,
            summary=f"{hospital_label(row.hospital)} {verb} {capacity_short(values)}",
            data={
                "hospital_id": row.hospital_id,
                "hospital": hospital_label(row.hospital),
                "capacity": row.capacity(),  # type: ignore[typeddict-item]
                "previous": previous,  # type: ignore[typeddict-item]
                "revision": row.capacity_revisions,
            },
            public=True,
            hospital=row.hospital,
        )
    return row


_CHANNEL_WORDS = {
    "sms": "SMS accepted by the provider",
    "voice": "call accepted by the provider",
    "email": "email accepted by the mail server",
    "in_app": "in-app alert delivered",
}


def hospital_alert_accepted(
    *, incident_id: int, hospital_id: int, channel: str
) -> IncidentEvent | None:
    """The notifications app reports that an alert to a member of a hospital on the incident
    was accepted by its provider (or delivered in-app). The first such moment after the
    hospital was put on the incident is when it was notified: a ``hospital.notified`` event
    (the record's first key figure). Later ones, closed incidents and hospitals no longer on
    the incident change nothing; returns the event when one was appended."""
    row = (
        IncidentHospital.objects.filter(incident_id=incident_id, hospital_id=hospital_id)
        .select_related("incident", "hospital__agency")
        .first()
    )
    if row is None or row.incident.status == Incident.Status.CLOSED:
        return None

    def already_notified() -> bool:
        # Events after the row was created: a hospital removed and put back is notified anew.
        return IncidentEvent.objects.filter(
            incident_id=incident_id,
            kind=events.HOSPITAL_NOTIFIED,
            hospital_id=hospital_id,
            at__gte=row.notified_at,
        ).exists()

    if already_notified():
        return None
    with transaction.atomic():
        locked = lock_incident(row.incident)  # serialises two workers reporting at once
        if already_notified() or not IncidentHospital.objects.filter(pk=row.pk).exists():
            return None
        name = hospital_label(row.hospital)
        return events.append_event(
            incident=locked,
            kind=events.HOSPITAL_NOTIFIED,
            actor=None,
            summary=f"{name} notified: first alert {_CHANNEL_WORDS.get(channel, channel)}",
            data={"hospital_id": hospital_id, "hospital": name, "channel": channel},
            public=True,
            hospital=row.hospital,
        )
