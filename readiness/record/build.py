"""The incident record: the activity log (timeline export), the key figures, and the sheet
that the printable ICS 214-style page and its PDF are rendered from.

Everything here reads; nothing changes state. The activity log is scoped like the events
API, by the audience rule of each event kind (incidents.events.event_sight): the log shows
summaries only, never an event's data. Key figures are counts and times (no patient details),
computed from the timeline's event times, so any viewer of the incident may read them; an
exercise or test incident says so on every figure sheet.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count
from django.utils import timezone

from agencies.models import Hospital, Member, Membership
from asim.csv_export import csv_text
from incidents import events
from incidents.models import HospitalStandDown, Incident, IncidentEvent, Patient, TriageCategory
from incidents.permissions import IncidentAccess
from incidents.queries import event_viewer, events_visible, region_chain
from readiness.checklists import (
    checklist_items,
    incident_checklist,
    org_chart,
    phase_progress,
    role_assignments,
)

User = AbstractBaseUser | AnonymousUser
CSV_COLUMNS = ("seq", "time", "actor", "agency", "kind", "summary")
FIGURE_KINDS = (
    events.INCIDENT_DECLARED,
    events.HOSPITAL_ADDED,
    events.HOSPITAL_NOTIFIED,
    events.HOSPITAL_REMOVED,
    events.HOSPITAL_ACKNOWLEDGED,
    events.PATIENT_TRANSPORTED,
    events.PATIENT_ARRIVED,
)


def application_label(incident: Incident) -> str:
    """ "EXERCISE" / "TEST" for incidents that are not real, "" for actual ones."""
    return "" if not incident.is_exercise else incident.application.upper()


def elapsed(seconds: float | None) -> str:
    """A duration as m:ss, or h:mm:ss from an hour ("" when unknown)."""
    if seconds is None:
        return ""
    total = max(0, round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def local_iso(at: datetime) -> str:
    return timezone.localtime(at).isoformat(timespec="seconds")


# --- the activity log --------------------------------------------------------------------------


@dataclass(frozen=True)
class LogRow:
    """One line of the activity log: an event with who did it and for which agency."""

    seq: int
    at: datetime
    actor: str
    agency: str
    kind: str
    summary: str
    public: bool


def _actor_agencies(incident: Incident, user_ids: Iterable[int]) -> dict[int, str]:
    """Each actor's agency: those in the incident's region chain first (a person may belong
    to several agencies), joined with " / "."""
    chain = set(region_chain(incident))
    found: dict[int, tuple[list[str], list[str]]] = defaultdict(lambda: ([], []))
    rows = Membership.objects.filter(user_id__in=set(user_ids)).values_list(
        "user_id", "agency__name", "agency__region_id"
    )
    for user_id, name, region_id in rows.order_by("agency__name"):
        found[user_id][0 if region_id in chain else 1].append(name)
    return {user_id: " / ".join(near or far) for user_id, (near, far) in found.items()}


def _name_only(label: str, agency: str) -> str:
    """The timeline names people "Grace Okafor (A1 Hospital)"; the log has an agency column."""
    suffix = f" ({agency})"
    return label[: -len(suffix)] if agency and label.endswith(suffix) else label


def activity_log(access: IncidentAccess, incident: Incident) -> list[LogRow]:
    """The timeline the user may see, oldest first, as activity-log rows (two queries)."""
    viewer = event_viewer(access)
    timeline = [
        event
        for event in events_visible(access, incident).only(
            "seq",
            "at",
            "actor_id",
            "actor_label",
            "kind",
            "summary",
            "public",
            "hospital",
            "data",
        )
        if events.event_sight(viewer, event.kind, event.hospital_id, event.data, event.seq)
        > events.Sight.NONE
    ]
    agencies = _actor_agencies(incident, (e.actor_id for e in timeline if e.actor_id))
    return [
        LogRow(
            seq=event.seq,
            at=event.at,
            actor=_name_only(event.actor_label, agencies.get(event.actor_id, "")),
            agency=agencies.get(event.actor_id, "") if event.actor_id else "",
            kind=event.kind,
            summary=event.summary,
            public=event.public,
        )
        for event in timeline
    ]


def timeline_csv(rows: Sequence[LogRow]) -> str:
    """The activity log as CSV: a header row, then seq, time (ISO 8601, local time with its
    offset), actor, agency, kind, summary per event."""
    return csv_text(
        CSV_COLUMNS,
        [[r.seq, local_iso(r.at), r.actor, r.agency, r.kind, r.summary] for r in rows],
    )


def csv_filename(incident: Incident) -> str:
    label = application_label(incident)
    return f"{label + '-' if label else ''}incident-{incident.number}-timeline.csv"


# --- key figures -------------------------------------------------------------------------------


_CHANNEL_WORDS = {"sms": "SMS", "voice": "voice call", "email": "email", "in_app": "in-app alert"}
# Each key figure runs from the declaration to the event named here (its source).
MILESTONE_SOURCES: dict[str, str] = {
    "first_hospital_notified": "first hospital.notified: the first alert to a hospital "
    "accepted by the SMS/voice/email provider or delivered in-app",
    "first_hospital_acknowledged": "first hospital.acknowledged",
    "all_hospitals_acknowledged": "the last hospital.acknowledged of the hospitals on the incident",
    "first_patient_transported": "first patient.transported",
    "last_patient_arrived": "last patient.arrived",
}


def _milestone(
    key: str, label: str, at: datetime | None, start: datetime, note: str = ""
) -> dict[str, Any]:
    seconds = None if at is None else max(0.0, (at - start).total_seconds())
    return {
        "key": key,
        "label": label,
        "source": f"incident.declared to {MILESTONE_SOURCES[key]}",
        "at": at,
        "seconds": None if seconds is None else round(seconds),
        "elapsed": elapsed(seconds),
        "note": note,
    }


def _timeline_times(incident: Incident) -> dict[str, Any]:
    """The moments the figures are made of, from the events (one query)."""
    rows = (
        IncidentEvent.objects.filter(incident=incident, kind__in=FIGURE_KINDS)
        .order_by("seq")
        .values_list("kind", "at", "data")
    )
    declared: datetime | None = None
    notified: dict[int, datetime] = {}  # hospital id → when it was (last) put on the incident
    notified_names: dict[int, str] = {}
    # The first alert accepted by a provider, not the hospital's addition: that is written in
    # the declaration's own transaction and could never show a delay.
    first_notified: tuple[datetime, str] | None = None
    acknowledged: dict[int, datetime] = {}
    first_ack: tuple[datetime, str] | None = None
    transported: list[datetime] = []
    arrived: list[datetime] = []
    for kind, at, data in rows:
        if kind == events.INCIDENT_DECLARED and declared is None:
            declared = at
        elif kind == events.HOSPITAL_ADDED and data.get("source") != "walk_in":
            hospital_id = data["hospital_id"]
            notified[hospital_id] = at
            notified_names[hospital_id] = data.get("hospital", "")
        elif kind == events.HOSPITAL_NOTIFIED and first_notified is None:
            how = _CHANNEL_WORDS.get(data.get("channel", ""), data.get("channel", ""))
            first_notified = (at, f"{data.get('hospital', '')}, by {how}")
        elif kind == events.HOSPITAL_REMOVED:
            notified.pop(data["hospital_id"], None)
            acknowledged.pop(data["hospital_id"], None)
        elif kind == events.HOSPITAL_ACKNOWLEDGED:
            acknowledged.setdefault(data["hospital_id"], at)
            if first_ack is None:
                first_ack = (at, data.get("hospital", ""))
        elif kind == events.PATIENT_TRANSPORTED:
            transported.append(at)
        elif kind == events.PATIENT_ARRIVED:
            arrived.append(at)
    return {
        "declared": declared or incident.declared_at,
        "notified": notified,
        "notified_names": notified_names,
        "first_notified": first_notified,
        "acknowledged": acknowledged,
        "first_ack": first_ack,
        "transported": transported,
        "arrived": arrived,
    }


def _patient_figures(incident: Incident) -> dict[str, Any]:
    by_category = {c: 0 for c in TriageCategory.values}
    by_status = {s: 0 for s in Patient.Status.values}
    hospitals: dict[int, dict[str, Any]] = {}
    walk_ins = 0
    rows = (
        Patient.objects.filter(incident=incident)
        .values("category", "status", "destination_id", "walk_in")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        by_category[row["category"]] += row["n"]
        by_status[row["status"]] += row["n"]
        walk_ins += row["n"] if row["walk_in"] else 0
        if row["destination_id"] is not None:
            entry = hospitals.setdefault(
                row["destination_id"],
                {"by_category": {c: 0 for c in TriageCategory.values}, "total": 0, "arrived": 0},
            )
            entry["by_category"][row["category"]] += row["n"]
            entry["total"] += row["n"]
            if row["status"] == Patient.Status.ARRIVED:
                entry["arrived"] += row["n"]
    names = dict(Hospital.objects.filter(pk__in=hospitals).values_list("pk", "agency__name"))
    by_hospital = sorted(
        (
            {"hospital_id": pk, "hospital": names.get(pk, ""), **entry}
            for pk, entry in hospitals.items()
        ),
        key=lambda entry: (-entry["total"], entry["hospital"]),
    )
    return {
        "total": sum(by_category.values()),
        "by_category": by_category,
        "by_status": by_status,
        "walk_ins": walk_ins,
        "by_hospital": by_hospital,
        "category_labels": dict(TriageCategory.choices),
    }


def _checklist_figures(incident: Incident, start: datetime) -> dict[str, Any] | None:
    checklist = incident_checklist(incident)
    if checklist is None:
        return None
    phases = phase_progress(checklist_items(checklist))
    done = sum(p.done for p in phases)
    total = sum(p.total for p in phases)
    return {
        "template": checklist.template.name,
        "version": checklist.template.version,
        "done": done,
        "total": total,
        "percent": round(100 * done / total) if total else 0,
        "phases": [
            {
                **phase.as_dict(),
                "first_elapsed": elapsed(
                    (phase.first_checked_at - start).total_seconds()
                    if phase.first_checked_at
                    else None
                ),
                "last_elapsed": elapsed(
                    (phase.last_checked_at - start).total_seconds()
                    if phase.last_checked_at
                    else None
                ),
            }
            for phase in phases
        ],
    }


def key_figures(incident: Incident) -> dict[str, Any]:
    """The incident's key figures: time from declaration to the first hospital notified, to
    the first and to all hospital acknowledgements, to the first patient transported and to
    the last patient arrived; patients by colour and by hospital; checklist completion per
    phase with times. About six queries whatever the incident's size."""
    times = _timeline_times(incident)
    start: datetime = times["declared"]
    notified, acknowledged = times["notified"], times["acknowledged"]
    first_notified, first_ack = times["first_notified"], times["first_ack"]
    acked = [acknowledged[h] for h in notified if h in acknowledged]
    outstanding = [times["notified_names"][h] for h in notified if h not in acknowledged]
    all_ack_at = max(acked) if notified and not outstanding else None
    patients = _patient_figures(incident)
    on_the_way = patients["by_status"][Patient.Status.IN_TRANSPORT]
    on_scene = patients["by_status"][Patient.Status.ON_SCENE]
    last_arrived = max(times["arrived"]) if times["arrived"] else None
    if outstanding:
        all_note = f"{len(acked)} of {len(notified)}; waiting for {', '.join(outstanding)}"
    else:
        all_note = f"{len(acked)} of {len(notified)}" if notified else "no hospital notified"
    arrival_note = ""
    if on_the_way or on_scene:
        arrival_note = f"so far: {on_the_way} in transport, {on_scene} on scene"
    label = application_label(incident)
    return {
        "incident": incident.pk,
        "number": incident.number,
        "application": incident.application,
        "is_exercise": incident.is_exercise,
        "label": label,
        "declared_at": start,
        "milestones": [
            _milestone(
                "first_hospital_notified",
                "First hospital notified",
                first_notified[0] if first_notified else None,
                start,
                first_notified[1] if first_notified else "no alert accepted by a provider yet",
            ),
            _milestone(
                "first_hospital_acknowledged",
                "First hospital acknowledgement",
                first_ack[0] if first_ack else None,
                start,
                first_ack[1] if first_ack else "",
            ),
            _milestone(
                "all_hospitals_acknowledged",
                "All hospitals acknowledged",
                all_ack_at,
                start,
                all_note,
            ),
            _milestone(
                "first_patient_transported",
                "First patient transported",
                min(times["transported"]) if times["transported"] else None,
                start,
                f"{len(times['transported'])} transported",
            ),
            _milestone(
                "last_patient_arrived",
                "Last patient arrived",
                last_arrived,
                start,
                arrival_note or f"{len(times['arrived'])} arrived by transport",
            ),
        ],
        "hospitals": {
            "notified": len(notified),
            "acknowledged": len(acked),
            "outstanding": outstanding,
        },
        "patients": patients,
        "checklist": _checklist_figures(incident, start),
    }


# --- the ICS 214-style sheet -------------------------------------------------------------------


def _user_line(user: User) -> dict[str, str]:
    """Name, position/title and agency of the person preparing the record."""
    if not user.is_authenticated:
        return {"name": "", "title": "", "agency": ""}
    member = Member.objects.filter(user=user).select_related("agency").first()
    agency = member.agency.name if member else ""
    if not agency:
        first = Membership.objects.filter(user=user).select_related("agency").first()
        agency = first.agency.name if first else ""
    return {
        "name": user.get_full_name() or user.get_username(),  # type: ignore[union-attr]
        "title": member.title if member else "",
        "agency": agency or ("Platform operator" if user.is_superuser else ""),
    }


def _log_note(access: IncidentAccess, incident: Incident) -> str:
    if access.sees_all_events:
        return ""
    if access.read_until and not access.hospital_ids:
        removals = HospitalStandDown.objects.filter(
            incident=incident,
            reason=HospitalStandDown.Reason.REMOVED,
            seq__in=[seq for _, seq in access.read_until],
        ).select_related("hospital__agency")
        said = "; ".join(
            f"{row.hospital.agency.name} removed at {timezone.localtime(row.at):%H:%M}"
            + (f" by {row.by_label}" if row.by_label else "")
            for row in removals
        )
        return (
            "Shown: the public record and the events about your hospital up to its removal "
            f"({said})."
        )
    if access.sees_patients:
        return "Shown: the public record and the events about your hospital."
    return "Shown: the public record."


def record_sheet(user: User, access: IncidentAccess, incident: Incident) -> dict[str, Any]:
    """Everything the printable record and its PDF show: header block (incident name and
    number, operational period, prepared by), the key figures, who held which role (the
    "resources assigned" block of an ICS 214), and the activity log the user may see."""
    now = timezone.now()
    end = incident.closed_at
    chart = org_chart(incident, list(role_assignments(incident)))
    assigned = sorted(
        [holder for role in chart["roles"] for holder in role["holders"]] + chart["history"],
        key=lambda entry: (entry["assigned_at"], entry["id"]),
    )
    return {
        "incident": incident,
        "label": application_label(incident),
        "period_from": incident.declared_at,
        "period_to": end,
        "period_open": end is None,
        "prepared_by": _user_line(user),
        "prepared_at": now,
        "figures": key_figures(incident),
        "assignments": assigned,
        "log": activity_log(access, incident),
        "log_note": _log_note(access, incident),
    }
