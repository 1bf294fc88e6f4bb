"""Escalating hospitals that have not acknowledged an MCI alert.

A hospital on an open incident that has not acknowledged within its region's
``ack_timeout_seconds`` (default 120) is escalated, one level per timeout, never the same
level twice (a unique row per incident, hospital and level):

1. voice calls to its ER contacts not yet reached by voice on this incident (the alert may
   have reached them by text only, or not at all);
2. voice calls to the hospital's other on-call staff (house supervisor…).

A level with nobody left to call is recorded and passed over at once. Each escalation is a
``hospital.escalated`` event on the timeline (public: every board shows it) and a
life-safety voice notification to exactly the members chosen; a member without a voice
contact point is called on their SMS number. Acknowledging (on the board, by SMS "ACK" or
by pressing 1 on the call) stops further levels.

A hospital that has not answered its capacity within the region's ``capacity_timeout_seconds``
(default 300) gets one ``hospital.capacity_overdue`` event (public); the region's rules for
that trigger remind whoever they name (the demo region: that hospital's ER contacts).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction

from agencies.models import Hospital, Member, RosterRole
from incidents import events
from incidents.models import ESCALATION_STEPS, Incident, IncidentEvent, IncidentHospital
from notifications import queue
from notifications.delivery.audiences import roles_q
from notifications.models import Delivery, HospitalEscalation, Notification
from notifications.texts import context_for, render_texts

logger = logging.getLogger(__name__)

MAX_LEVEL = max(ESCALATION_STEPS)
CHANNELS = ["voice"]
OPEN_STATUSES = (Incident.Status.ACTIVE, Incident.Status.DEESCALATED)
LEVEL_WHO = ESCALATION_STEPS


def level_recipients(incident: Incident, hospital: Hospital, level: int) -> list[int]:
    """Member ids to call at ``level``: active members of the hospital with a phone, not yet
    reached by voice on this incident."""
    called = Delivery.objects.filter(
        notification__incident=incident,
        channel="voice",
        status__in=[Delivery.Status.SENT, Delivery.Status.DELIVERED],
    ).values("member_id")
    members = (
        Member.objects.filter(active=True, agency__active=True, agency_id=hospital.agency_id)
        .filter(contact_points__channel__in=("sms", "voice"))
        .exclude(pk__in=called)
    )
    er = roles_q([RosterRole.ER_CONTACT])
    members = members.filter(er) if level == 1 else members.filter(on_call=True).exclude(er)
    return sorted(set(members.values_list("id", flat=True)))


def due(now: datetime) -> list[tuple[IncidentHospital, int]]:
    """(hospital on an incident, next level) for every acknowledgement that is overdue."""
    rows = list(
        IncidentHospital.objects.filter(
            acknowledged_at__isnull=True, incident__status__in=OPEN_STATUSES
        )
        # A hospital on the incident because it registered a walk-in is plainly aware of it.
        .exclude(source=IncidentHospital.Source.WALK_IN)
        .select_related("incident__region", "hospital__agency")
    )
    if not rows:
        return []
    reached: dict[tuple[int, int], tuple[int, datetime]] = {}
    for incident_id, hospital_id, level, at in HospitalEscalation.objects.filter(
        incident_id__in={row.incident_id for row in rows}
    ).values_list("incident_id", "hospital_id", "level", "at"):
        key = (incident_id, hospital_id)
        if level > reached.get(key, (0, at))[0]:
            reached[key] = (level, at)
    found = []
    for row in rows:
        level, since = reached.get((row.incident_id, row.hospital_id), (0, row.notified_at))
        timeout = timedelta(seconds=row.incident.region.ack_timeout_seconds)
        if level < MAX_LEVEL and now - since >= timeout:
            found.append((row, level + 1))
    return found


def hospital_escalate(
    *, incident_hospital: IncidentHospital, level: int, now: datetime
) -> HospitalEscalation | None:
    """Escalate one hospital to ``level`` (or the next level with someone to call). Returns
    the escalation, or None when it is acknowledged, closed, or already at that level."""
    with transaction.atomic():
        # Lock in the order the incidents services do (incident, then its hospital row), so
        # an acknowledgement arriving now waits for us or we for it — never a deadlock.
        incident = (
            Incident.objects.select_for_update(of=("self",))
            .select_related("region")
            .get(pk=incident_hospital.incident_id)
        )
        row = (
            IncidentHospital.objects.select_for_update(of=("self",))
            .select_related("hospital__agency")
            .get(pk=incident_hospital.pk)
        )
        if row.acknowledged_at is not None or incident.status not in OPEN_STATUSES:
            return None
        hospital = row.hospital
        already = HospitalEscalation.objects.filter(
            incident=incident, hospital=hospital, level__gte=level
        )
        if already.exists():
            return None
        chosen, recipients = level, []
        for candidate in range(level, MAX_LEVEL + 1):
            chosen, recipients = candidate, level_recipients(incident, hospital, candidate)
            if recipients:
                break
        for skipped in range(level, chosen):
            HospitalEscalation.objects.create(
                incident=incident, hospital=hospital, level=skipped, at=now, recipients=0
            )
        notification = None
        if recipients:
            subject, texts = render_texts(
                kind=events.HOSPITAL_ESCALATED,
                templates={},
                channels=CHANNELS,
                context=context_for(incident=incident, hospital=hospital),
                exercise=incident.is_exercise,
            )
            notification = Notification.objects.create(
                region_id=incident.region_id,
                incident=incident,
                kind=events.HOSPITAL_ESCALATED,
                exercise=incident.is_exercise,
                life_safety=True,
                channels=CHANNELS,
                subject=subject,
                texts=texts,
                audience={"members": recipients, "call_sms_numbers": True, "escalation": True},
            )
        name = hospital.agency.name
        if recipients:
            summary = (
                f"{name} has not acknowledged: escalated (level {chosen}), calling "
                f"{len(recipients)} {LEVEL_WHO[chosen]}"
            )
        else:
            summary = f"{name} has not acknowledged and has nobody left to call: call it directly"
        event = events.append_event(
            incident=incident,
            kind=events.HOSPITAL_ESCALATED,
            actor=None,
            actor_label="ASIM escalation",
            summary=summary,
            data={
                "hospital_id": hospital.pk,
                "hospital": name,
                "level": chosen,
                "recipients": len(recipients),
                "channels": CHANNELS if recipients else [],
                "notification_id": notification.pk if notification else None,
            },
            public=True,
            hospital=hospital,
        )
        if notification is not None:
            notification.event = event
            notification.save(update_fields=["event"])
            queue.notifications_on_commit([notification.pk])
        escalation = HospitalEscalation.objects.create(
            incident=incident,
            hospital=hospital,
            level=chosen,
            at=now,
            recipients=len(recipients),
            notification=notification,
        )
    logger.info("escalated %s on incident %s to level %s", name, incident.number, chosen)
    return escalation


def escalate_due(*, now: datetime) -> list[HospitalEscalation]:
    """Escalate every overdue hospital by one level; returns the escalations made."""
    made = []
    for row, level in due(now):
        escalation = hospital_escalate(incident_hospital=row, level=level, now=now)
        if escalation is not None:
            made.append(escalation)
    return made


# --- capacity overdue ---------------------------------------------------------------------------


def capacity_overdue_due(now: datetime) -> list[IncidentHospital]:
    """Hospitals on open incidents whose capacity answer is overdue and not yet flagged."""
    rows = list(
        IncidentHospital.objects.filter(
            capacity_answered_at__isnull=True, incident__status__in=OPEN_STATUSES
        )
        .exclude(source=IncidentHospital.Source.WALK_IN)
        .select_related("incident__region", "hospital__agency")
    )
    if not rows:
        return []
    flagged = set(
        IncidentEvent.objects.filter(
            kind=events.HOSPITAL_CAPACITY_OVERDUE, incident_id__in={r.incident_id for r in rows}
        ).values_list("incident_id", "hospital_id")
    )
    return [
        row
        for row in rows
        if (row.incident_id, row.hospital_id) not in flagged
        and now - row.notified_at >= timedelta(seconds=row.incident.region.capacity_timeout_seconds)
    ]


def hospital_capacity_overdue(
    *, incident_hospital: IncidentHospital, now: datetime
) -> IncidentEvent | None:
    """Put `hospital.capacity_overdue` on the timeline (its rules notify in the same
    transaction); None when the hospital has answered, the incident is closed, or it was
    flagged already."""
    with transaction.atomic():
        incident = Incident.objects.select_for_update(of=("self",)).get(
            pk=incident_hospital.incident_id
        )
        row = (
            IncidentHospital.objects.select_for_update(of=("self",))
            .select_related("hospital__agency")
            .get(pk=incident_hospital.pk)
        )
        flagged = IncidentEvent.objects.filter(
            incident=incident, kind=events.HOSPITAL_CAPACITY_OVERDUE, hospital=row.hospital
        ).exists()
        if row.capacity_answered_at is not None or incident.status not in OPEN_STATUSES or flagged:
            return None
        waited = int((now - row.notified_at).total_seconds())
        name = row.hospital.agency.name
        return events.append_event(
            incident=incident,
            kind=events.HOSPITAL_CAPACITY_OVERDUE,
            actor=None,
            actor_label="ASIM",
            summary=f"{name} has not answered its capacity after {waited // 60} min",
            data={"hospital_id": row.hospital_id, "hospital": name, "waited_seconds": waited},
            public=True,
            hospital=row.hospital,
        )


def flag_overdue_capacity(*, now: datetime) -> list[IncidentEvent]:
    """Flag every hospital whose capacity answer is overdue; returns the events appended."""
    flagged = []
    for row in capacity_overdue_due(now):
        event = hospital_capacity_overdue(incident_hospital=row, now=now)
        if event is not None:
            flagged.append(event)
    return flagged
