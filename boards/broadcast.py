"""Committed timeline events → the live boards.

`broadcast_event` is an on-commit subscriber of incidents.events (wired in asim/wiring.py):
for every IncidentEvent whose transaction committed, it builds one EventEnvelope and sends it
through asim.realtime to

- `region-<id>`    the dispatch, EMS, EM, responder and officials boards of the incident's region;
- `hospital-<id>`  the ER boards it concerns: the event's own hospital (and, when a patient
                   is sent elsewhere, the one it was headed to), and — for a kind other ERs
                   may see — every hospital involved in the incident (on it, or a patient's
                   destination), the same hospitals whose staff `incident_access` lets in;
- `incident-<id>`  the pages that subscribed to this incident.

The audience is chosen here from the kind's rule (incidents.events.AUDIENCES); each consumer
re-checks, per message, how much of the envelope its user may see (events.event_sight: all of
it, the summary without `data`, or nothing). An event other ERs may see costs one query (the
involved hospitals); others none. A failed send is logged, never raised: a board that misses
a message catches up from `/api/v1/incidents/<id>/events/?after=<seq>`.
"""

from __future__ import annotations

import logging

from asim import realtime
from boards.envelopes import EventEnvelope, EventSummaryEnvelope
from incidents import events
from incidents.models import IncidentEvent, IncidentHospital, Patient

logger = logging.getLogger(__name__)


def involved_hospitals(incident_id: int) -> list[int]:
    """Hospitals on the incident or destined to receive one of its patients (one query)."""
    on_incident = (
        IncidentHospital.objects.filter(incident_id=incident_id)
        .order_by()
        .values_list("hospital_id", flat=True)
    )
    destinations = (
        Patient.objects.filter(incident_id=incident_id, destination__isnull=False)
        .order_by()
        .values_list("destination_id", flat=True)
    )
    return sorted(set(on_incident.union(destinations)))


def er_audience(event: IncidentEvent) -> list[int]:
    """The hospitals whose ER boards `event` goes to, by its kind's rule (events.AUDIENCES):
    the hospitals it is about (its own; for a patient sent elsewhere, the one it was headed
    to, whose board must drop the patient) when their ER staff may see it, and every involved
    hospital when other ERs may. Each socket still checks `events.event_sight`."""
    rule = events.audience_rule(event.kind)
    targets: set[int] = set()
    if rule.er > events.Sight.NONE:
        targets |= set(involved_hospitals(event.incident_id))
    if rule.er_own > events.Sight.NONE:
        targets |= events.event_about(event.kind, event.hospital_id, event.data)
    return sorted(targets)


def envelope_for(event: IncidentEvent, *, hospitals: list[int]) -> EventEnvelope:
    """The envelope of a committed event (no query: the event carries its incident)."""
    incident = event.incident
    return {
        "type": "event",
        "incident": event.incident_id,
        "region": incident.region_id,
        "seq": event.seq,
        "kind": event.kind,
        "at": event.at.isoformat(),
        "actor": event.actor_label,
        "summary": event.summary,
        "public": event.public,
        "hospital": event.hospital_id,
        "hospitals": hospitals,
        "exercise": incident.is_exercise,
        "data": event.data,
    }


def summary_of(envelope: EventEnvelope) -> EventSummaryEnvelope:
    """What an official receives of a public event: no data, no hospital routing."""
    return {
        "type": "event",
        "incident": envelope["incident"],
        "region": envelope["region"],
        "seq": envelope["seq"],
        "kind": envelope["kind"],
        "at": envelope["at"],
        "actor": envelope["actor"],
        "summary": envelope["summary"],
        "public": envelope["public"],
        "exercise": envelope["exercise"],
    }


def groups_for(envelope: EventEnvelope) -> list[str]:
    return [
        realtime.region_group(envelope["region"]),
        *(realtime.hospital_group(h) for h in envelope["hospitals"]),
        realtime.incident_group(envelope["incident"]),
    ]


def broadcast_event(event: IncidentEvent) -> None:
    """The on-commit subscriber: send `event` to every board that may show it."""
    try:
        envelope = envelope_for(event, hospitals=er_audience(event))
        realtime.send(groups_for(envelope), dict(envelope))
    except Exception:  # the boards catch up from the events API
        logger.warning(
            "could not broadcast %s #%s of incident %s",
            event.kind,
            event.seq,
            event.incident_id,
            exc_info=True,
        )
