"""Reads of incidents, already scoped to what the user may see (rules in permissions.py).

`board_snapshot` is the hot path of every dashboard: it takes a constant number of queries
however many patients, hospitals and events the incident has.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from agencies.models import Hospital, Region
from agencies.permissions import scope_for
from incidents import distribution, events
from incidents.events import HOSPITAL_ESCALATED
from incidents.models import (
    CAPACITY_CATEGORIES,
    ESCALATION_STEPS,
    HospitalStandDown,
    Incident,
    IncidentEvent,
    IncidentHospital,
    Patient,
    SituationUpdate,
    TriageCategory,
)
from incidents.permissions import (
    READ_ROLES,
    SUMMARY_ROLES,
    IncidentAccess,
    Level,
    hospital_agency_ids,
)
from incidents.ranking import candidates_from_hospitals, within_radius

User = AbstractBaseUser | AnonymousUser
BOARD_EVENTS = 50
KM_PER_DEGREE = 111.0
OUT_OF_REACH = "Not a hospital of this region or within its radius."


def incidents_visible(user: User) -> QuerySet[Incident]:
    """Incidents of the regions where the user reads or is an official, plus — for ER
    staff — incidents that involve their hospital."""
    scope = scope_for(user)
    incidents = Incident.objects.select_related("region", "declared_by")
    if scope.superuser:
        return incidents
    allowed = Q(region_id__in=scope.regions_with(READ_ROLES | SUMMARY_ROLES))
    agencies = hospital_agency_ids(user)
    if agencies:
        allowed |= (
            Q(
                id__in=IncidentHospital.objects.filter(hospital__agency_id__in=agencies).values(
                    "incident_id"
                )
            )
            | Q(
                id__in=Patient.objects.filter(destination__agency_id__in=agencies).values(
                    "incident_id"
                )
            )
            | Q(
                # taken off it: still readable up to the removal (incidents.permissions)
                id__in=HospitalStandDown.objects.filter(hospital__agency_id__in=agencies).values(
                    "incident_id"
                )
            )
        )
    return incidents.filter(allowed)


def standdowns_visible(user: User) -> QuerySet[HospitalStandDown]:
    """Stand-downs of the hospitals whose ER staff the user is (all for a superuser)."""
    rows = HospitalStandDown.objects.select_related("incident__region", "hospital__agency")
    if scope_for(user).superuser:
        return rows
    return rows.filter(hospital__agency_id__in=hospital_agency_ids(user))


def standdowns_pending(user: User, hospital_id: int | None = None) -> QuerySet[HospitalStandDown]:
    """The user's stand-downs not yet acknowledged, optionally of one hospital, oldest first."""
    rows = standdowns_visible(user).filter(acknowledged_at__isnull=True)
    if hospital_id is not None:
        rows = rows.filter(hospital_id=hospital_id)
    return rows.order_by("at", "id")


def incident_hospitals(incident: Incident) -> QuerySet[IncidentHospital]:
    return IncidentHospital.objects.filter(incident=incident).select_related(
        "hospital__agency", "acknowledged_by", "capacity_answered_by"
    )


def patients_visible(access: IncidentAccess, incident: Incident) -> QuerySet[Patient]:
    """All patients for dispatch/EMS/EM/responders; for ER staff those headed to or arrived at
    their hospital; nothing for officials."""
    patients = Patient.objects.filter(incident=incident).select_related("destination__agency")
    if access.sees_all_patients:
        return patients
    if access.sees_patients:
        return patients.filter(destination_id__in=access.hospital_ids)
    return patients.none()


def event_viewer(access: IncidentAccess) -> events.Viewer:
    """The user as events.AUDIENCES sees them, from their access to the incident."""
    return events.Viewer(
        staff=access.sees_all_events,
        official=access.level == Level.SUMMARY,
        er_hospitals=access.hospital_ids if access.level == Level.HOSPITAL else frozenset(),
        er_read_until=access.read_until,
    )


def events_visible(access: IncidentAccess, incident: Incident) -> QuerySet[IncidentEvent]:
    """The timeline events the user may see at all (events.AUDIENCES): everything for
    dispatch/EMS/EM/responders; for ER staff and officials what their rule lets them see.
    Whether each one comes with its data is `events.event_sight`'s answer."""
    timeline = IncidentEvent.objects.filter(incident=incident).order_by("seq")
    if not access.can_view:
        return timeline.none()
    return timeline.filter(events.visible_events_filter(event_viewer(access)))


def updates_visible(access: IncidentAccess, incident: Incident) -> QuerySet[SituationUpdate]:
    updates = SituationUpdate.objects.filter(incident=incident).select_related("author")
    updates = updates.prefetch_related("audience")
    return updates.none() if access.level == Level.HOSPITAL else updates


def region_chain(incident: Incident) -> list[int]:
    """The incident's region and the regions above it (whose lists may be addressed)."""
    chain, region = [incident.region_id], incident.region
    while region.parent_id is not None and region.parent_id not in chain:
        chain.append(region.parent_id)
        region = region.parent
    return chain


def hospitals_in_reach(
    region: Region, latitude: float | None, longitude: float | None
) -> list[Hospital]:
    """THE rule for which hospitals may go on an incident of `region` at (latitude,
    longitude): the region's active hospitals, plus other regions' within
    `region.hospital_radius_km`. Ranking, the dispatcher API, CAD intake, walk-ins and the
    service that adds a hospital all ask here, so a hospital out of reach (another county's,
    say) never gets an incident, its contacts paged or its board fed."""
    hospitals = Hospital.objects.select_related("agency").filter(agency__active=True)
    nearby = Q(agency__region_id=region.pk)
    if latitude is not None and longitude is not None:
        # A cheap bounding box first; within_radius then applies the great-circle distance.
        span = region.hospital_radius_km / KM_PER_DEGREE
        nearby |= Q(
            agency__latitude__range=(latitude - span, latitude + span),
            agency__longitude__isnull=False,
        )
    found = {h.pk: h for h in hospitals.filter(nearby)}
    kept = within_radius(
        candidates_from_hospitals(found.values()),
        home_region_id=region.pk,
        latitude=latitude,
        longitude=longitude,
        radius_km=region.hospital_radius_km,
    )
    return [found[c.hospital_id] for c in kept]


def hospital_in_reach(
    hospital: Hospital, region: Region, latitude: float | None, longitude: float | None
) -> bool:
    """Whether one hospital (agency selected) passes `hospitals_in_reach` (no query)."""
    if not hospital.agency.active:
        return False
    return bool(
        within_radius(
            candidates_from_hospitals([hospital]),
            home_region_id=region.pk,
            latitude=latitude,
            longitude=longitude,
            radius_km=region.hospital_radius_km,
        )
    )


def ranking_candidates(incident: Incident) -> list[Hospital]:
    """The hospitals that may go on `incident` (hospitals_in_reach at its location)."""
    return hospitals_in_reach(incident.region, incident.latitude, incident.longitude)


def sent_counts(incident: Incident) -> dict[int, dict[str, int]]:
    sent: dict[int, dict[str, int]] = defaultdict(dict)
    rows = (
        Patient.objects.filter(incident=incident, destination__isnull=False)
        .values("destination_id", "category")
        .annotate(n=Count("id"))
    )
    for row in rows:
        sent[row["destination_id"]][row["category"]] = row["n"]
    return sent


def incident_guidance(access: IncidentAccess, incident: Incident) -> distribution.Guidance:
    """Distribution guidance for the patients the user may see who still wait on scene
    without a destination (three queries)."""
    sent = sent_counts(incident)
    rooms = [
        distribution.HospitalRoom(
            hospital_id=row.hospital_id,
            name=row.hospital.agency.name,
            latitude=row.hospital.agency.latitude,
            longitude=row.hospital.agency.longitude,
            answered=row.capacity() if row.capacity_answered_at else {},
            sent=sent.get(row.hospital_id, {}),
        )
        for row in incident_hospitals(incident)
    ]
    waiting = patients_visible(access, incident).filter(
        status=Patient.Status.ON_SCENE, destination__isnull=True
    )
    needs = [
        distribution.PatientNeed(patient_id=p.pk, tag_number=p.tag_number, category=p.category)
        for p in waiting.select_related(None).only("id", "tag_number", "category")
    ]
    return distribution.guidance(
        patients=needs, hospitals=rooms, latitude=incident.latitude, longitude=incident.longitude
    )


def _age_seconds(at: Any, now: Any) -> int | None:
    return None if at is None else max(0, int((now - at).total_seconds()))


def escalations(incident: Incident) -> dict[int, dict[str, Any]]:
    """The latest escalation of each hospital on the incident, from its timeline (one query)."""
    latest: dict[int, dict[str, Any]] = {}
    rows = (
        IncidentEvent.objects.filter(incident=incident, kind=HOSPITAL_ESCALATED)
        .order_by("seq")
        .values_list("hospital_id", "data", "at")
    )
    for hospital_id, data, at in rows:
        latest[hospital_id] = {"level": data["level"], "channels": data["channels"], "at": at}
    return latest


def escalation_next(
    row: IncidentHospital, escalation: dict[str, Any] | None, incident: Incident | None
) -> dict[str, Any] | None:
    """The next escalation step of a hospital that has not acknowledged an open incident:
    its level, who gets called, and when (due once the region's ack time has passed since
    the alert or the last step; it may already be due). None when nothing more will come."""
    if (
        incident is None
        or incident.status == Incident.Status.CLOSED
        or row.acknowledged_at is not None
        or row.source == IncidentHospital.Source.WALK_IN
    ):
        return None
    level = escalation["level"] if escalation else 0
    if level >= max(ESCALATION_STEPS):
        return None
    since = escalation["at"] if escalation else row.notified_at
    return {
        "level": level + 1,
        "who": ESCALATION_STEPS[level + 1],
        "at": since + timedelta(seconds=incident.region.ack_timeout_seconds),
    }


def answerers(incident: Incident | int) -> dict[int, dict[str, str]]:
    """Who last acknowledged and who last answered the capacity of each hospital, exactly as
    its timeline (and so every live board) names them — "Grace Okafor (A1 Hospital)", or
    "SMS from +1937…, Jane Doe (A1 Hospital)" — so a reload reads as the live feed did
    (one query)."""
    found: dict[int, dict[str, str]] = defaultdict(dict)
    rows = (
        IncidentEvent.objects.filter(
            incident=incident, kind__in=(events.HOSPITAL_ACKNOWLEDGED, events.HOSPITAL_CAPACITY)
        )
        .order_by("seq")
        .values_list("hospital_id", "kind", "actor_label", "data")
    )
    for hospital_id, kind, actor_label, data in rows:
        if kind == events.HOSPITAL_ACKNOWLEDGED:
            found[hospital_id]["acknowledged_by"] = data.get("by") or actor_label
        else:
            found[hospital_id]["capacity_answered_by"] = actor_label
    return found


def hospital_entry(
    row: IncidentHospital,
    sent: dict[str, int],
    now: Any = None,
    escalation: dict[str, Any] | None = None,
    answered_by: dict[str, str] | None = None,
    incident: Incident | None = None,
) -> dict[str, Any]:
    """One hospital on an incident as every board shows it: who answered, who is outstanding,
    how old each answer is, whether it was escalated and when the next step comes (given the
    `incident`), and the room left per colour."""
    now = now or timezone.now()
    answered = row.capacity_answered_at is not None
    if answered_by is None:
        answered_by = answerers(row.incident_id).get(row.hospital_id, {})
    return {
        "id": row.pk,
        "hospital_id": row.hospital_id,
        "agency_id": row.hospital.agency_id,
        "name": row.hospital.agency.name,
        "short_code": row.hospital.agency.short_code,
        "source": row.source,
        "rank": row.rank,
        "reasons": row.reasons,
        "reasons_text": " · ".join(row.reasons),
        "distance_km": row.distance_km,
        "ed_status": row.hospital.ed_status,
        "trauma_level": row.hospital.trauma_level,
        "status": row.status,
        "notified_at": row.notified_at,
        "acknowledged_at": row.acknowledged_at,
        "acknowledged_by": answered_by.get("acknowledged_by", "") if row.acknowledged_at else "",
        "ack_outstanding": row.acknowledged_at is None,
        "ack_age_seconds": _age_seconds(row.acknowledged_at, now),
        "escalation": escalation,
        "escalation_next": escalation_next(row, escalation, incident),
        "capacity": row.capacity() if answered else None,
        "capacity_answered_at": row.capacity_answered_at,
        "capacity_answered_by": answered_by.get("capacity_answered_by", "") if answered else "",
        "capacity_age_seconds": _age_seconds(row.capacity_answered_at, now),
        "capacity_outstanding": not answered,
        "capacity_revisions": row.capacity_revisions,
        "sent": {c: sent.get(c, 0) for c in TriageCategory.values},
        "remaining": {
            c: (getattr(row, f"capacity_{c}") - sent.get(c, 0)) if answered else None
            for c in CAPACITY_CATEGORIES
        },
    }


def hospitals_overview(incident: Incident) -> list[dict[str, Any]]:
    """The hospitals on the incident with their answers and room left (four queries)."""
    now = timezone.now()
    sent = sent_counts(incident)
    escalated = escalations(incident)
    named = answerers(incident)
    return [
        hospital_entry(
            row,
            sent.get(row.hospital_id, {}),
            now,
            escalated.get(row.hospital_id),
            named.get(row.hospital_id, {}),
            incident,
        )
        for row in incident_hospitals(incident)
    ]


def board_snapshot(
    access: IncidentAccess, incident: Incident, *, events: int = BOARD_EVENTS
) -> dict[str, Any]:
    """The incident board: hospitals with answer ages and outstanding flags, patient counts by
    category, status and hospital, and the latest events the user may see. Five queries."""
    now = timezone.now()
    counts_by = {
        "category": {c: 0 for c in TriageCategory.values},
        "status": {s: 0 for s in Patient.Status.values},
    }
    by_hospital: dict[int, dict[str, int]] = defaultdict(
        lambda: {c: 0 for c in TriageCategory.values}
    )
    walk_ins = 0
    rows = (
        Patient.objects.filter(incident=incident)
        .values("category", "status", "destination_id", "walk_in")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        counts_by["category"][row["category"]] += row["n"]
        counts_by["status"][row["status"]] += row["n"]
        walk_ins += row["n"] if row["walk_in"] else 0
        if row["destination_id"] is not None:
            by_hospital[row["destination_id"]][row["category"]] += row["n"]
    escalated = escalations(incident)
    named = answerers(incident)
    hospitals = [
        hospital_entry(
            row,
            by_hospital.get(row.hospital_id, {}),
            now,
            escalated.get(row.hospital_id),
            named.get(row.hospital_id, {}),
            incident,
        )
        for row in incident_hospitals(incident)
    ]
    latest = list(events_visible(access, incident).order_by("-seq")[:events])
    latest.reverse()
    return {
        "now": now,
        "hospitals": hospitals,
        "counts": {
            "total": sum(counts_by["category"].values()),
            "walk_ins": walk_ins,
            "by_category": counts_by["category"],
            "by_status": counts_by["status"],
            "by_hospital": {str(k): v for k, v in by_hospital.items()},
        },
        "events": latest,
    }
