"""The incident timeline: appending events, their payload schemas, and publishing on commit.

`append_event(...)` is the only writer of IncidentEvent. It must run inside the caller's
transaction (it opens one if there is none) and:

1. takes the next `seq` for the incident with `UPDATE ... SET last_seq = last_seq + 1
   RETURNING last_seq` — the row lock serialises concurrent writers, so seqs are strictly
   increasing, gapless and unique per incident (a rolled-back writer releases its number);
2. inserts the event (unique constraint on (incident, seq) as a second line of defence);
3. registers, with `transaction.on_commit(..., robust=True)`, a call of every **on-commit
   subscriber** (`subscribe(cb)`) with the committed event: live boards, Celery hand-off.
   Nothing is published for a transaction that rolls back; a failing subscriber is logged
   and does not stop the others;
4. calls every **in-transaction subscriber** synchronously, inside that transaction
   (`subscribe_in_transaction(cb)`): the notifications outbox creates its Notification rows
   here so they commit, or roll back, together with the change (and what it queues on commit
   runs after the event is published).

Every kind has a TypedDict payload (KIND_SCHEMAS); `payload_errors(kind, data)` checks a
payload against it (the test-suite runs it over every emitted event). Every kind also has an
audience rule (AUDIENCES: who sees it, in full or as a summary without its data), applied by
`event_sight` wherever events are shown or sent. An event's stored `public` flag (an official
may read its summary) follows from that table. The incident's own kinds are defined here;
another app adds the kinds it appends with `register_kind(kind, payload=..., audience=...)`
when it is ready, and append_event refuses a kind nobody registered.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, TypedDict, is_typeddict

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import connections, router, transaction
from django.db.models import Q
from django.utils import timezone

from agencies.models import Hospital
from agencies.queries import person_label
from asim.typed_schema import typed_dict_errors
from incidents.models import Incident, IncidentEvent

logger = logging.getLogger(__name__)

# --- kinds -------------------------------------------------------------------------------------

INCIDENT_DECLARED = "incident.declared"
INCIDENT_UPDATED = "incident.updated"
INCIDENT_DEESCALATED = "incident.deescalated"
INCIDENT_CLOSED = "incident.closed"
INCIDENT_REOPENED = "incident.reopened"
HOSPITAL_ADDED = "hospital.added"
HOSPITAL_REMOVED = "hospital.removed"
HOSPITAL_ACKNOWLEDGED = "hospital.acknowledged"
HOSPITAL_NOTIFIED = "hospital.notified"
HOSPITAL_CAPACITY = "hospital.capacity"
HOSPITAL_ESCALATED = "hospital.escalated"
HOSPITAL_CAPACITY_OVERDUE = "hospital.capacity_overdue"
HOSPITAL_STOOD_DOWN = "hospital.stood_down"
HOSPITAL_STANDDOWN_ACKNOWLEDGED = "hospital.standdown_acknowledged"
NOTIFICATION_ACKNOWLEDGED = "notification.acknowledged"
PATIENT_REGISTERED = "patient.registered"
PATIENT_RETRIAGED = "patient.retriaged"
PATIENT_DESTINATION = "patient.destination"
PATIENT_TRANSPORTED = "patient.transported"
PATIENT_ARRIVED = "patient.arrived"
PATIENT_DETAILS = "patient.details"
UPDATE_POSTED = "update.posted"
UPDATE_SENT = "update.sent"


# --- payload schemas ---------------------------------------------------------------------------


class Capacity(TypedDict):
    immediate: int | None
    delayed: int | None
    minor: int | None


class IncidentDeclared(TypedDict):
    number: str
    kind: str
    title: str
    application: str
    location_text: str
    latitude: float | None
    longitude: float | None
    estimated: dict[str, int]
    casualty_population: str
    cad_number: str
    via: str


class IncidentUpdated(TypedDict):
    changes: dict[str, list[Any]]


class IncidentStatusChanged(TypedDict):
    status: str
    previous: str


class IncidentClosed(TypedDict):
    status: str
    previous: str
    summary: str
    patients_out: int  # on scene or in transport when it closed (confirmed)


class HospitalAdded(TypedDict):
    hospital_id: int
    hospital: str
    source: str
    rank: int | None
    reasons: list[str]


class HospitalRemoved(TypedDict):
    hospital_id: int
    hospital: str


class HospitalNotified(TypedDict):
    """The first alert to a hospital on the incident was accepted by its provider (or
    delivered in-app); once per time the hospital is put on the incident."""

    hospital_id: int
    hospital: str
    channel: str  # sms, voice, email or in_app


class HospitalAcknowledged(TypedDict):
    hospital_id: int
    hospital: str
    by: str


class HospitalCapacity(TypedDict):
    hospital_id: int
    hospital: str
    capacity: Capacity
    previous: Capacity | None
    revision: int


class HospitalEscalated(TypedDict):
    """A hospital that had not acknowledged: its next contacts are called (notifications)."""

    hospital_id: int
    hospital: str
    level: int
    recipients: int
    channels: list[str]
    notification_id: int | None


class HospitalCapacityOverdue(TypedDict):
    """A hospital on the incident has not answered its capacity within the region's time."""

    hospital_id: int
    hospital: str
    waited_seconds: int


class HospitalStoodDown(TypedDict):
    """A hospital told to stand down: removed from the incident, or the incident de-escalated
    or closed. Its ER board shows a stand-down card until someone there acknowledges it."""

    standdown_id: int
    hospital_id: int
    hospital: str
    reason: str  # HospitalStandDown.Reason
    reason_text: str
    by: str


class HospitalStandDownAcknowledged(TypedDict):
    standdown_id: int
    hospital_id: int
    hospital: str
    reason: str
    by: str


class NotificationAcknowledged(TypedDict):
    """A recipient acknowledged a notification (SMS reply, voice keypress or in-app)."""

    notification_id: int
    notification_kind: str
    member_id: int
    member: str
    agency: str
    via: str


class PatientRegistered(TypedDict):
    patient_id: int
    tag_number: str
    category: str
    status: str
    walk_in: bool
    destination_id: int | None


class PatientRetriaged(TypedDict):
    patient_id: int
    tag_number: str
    category: str
    previous: str


class PatientDestination(TypedDict):
    patient_id: int
    tag_number: str
    category: str
    destination_id: int
    destination: str
    previous_id: int | None


class PatientTransported(TypedDict):
    patient_id: int
    tag_number: str
    category: str
    unit: str
    destination_id: int
    destination: str
    eta: str | None


class PatientArrived(TypedDict):
    patient_id: int
    tag_number: str
    category: str
    destination_id: int
    destination: str


class PatientDetails(TypedDict):
    """Names of the ringdown details that changed, never their values (the ER board
    reloads the patient; the timeline and any rule on this kind carry no clinical detail)."""

    patient_id: int
    tag_number: str
    category: str
    destination_id: int | None
    changed: list[str]


class UpdatePosted(TypedDict):
    update_id: int
    body: str
    audience: list[str]
    audience_ids: list[int]


class UpdateSent(TypedDict):
    update_id: int


KIND_SCHEMAS: dict[str, type] = {
    INCIDENT_DECLARED: IncidentDeclared,
    INCIDENT_UPDATED: IncidentUpdated,
    INCIDENT_DEESCALATED: IncidentStatusChanged,
    INCIDENT_CLOSED: IncidentClosed,
    INCIDENT_REOPENED: IncidentStatusChanged,
    HOSPITAL_ADDED: HospitalAdded,
    HOSPITAL_REMOVED: HospitalRemoved,
    HOSPITAL_ACKNOWLEDGED: HospitalAcknowledged,
    HOSPITAL_NOTIFIED: HospitalNotified,
    HOSPITAL_CAPACITY: HospitalCapacity,
    HOSPITAL_ESCALATED: HospitalEscalated,
    HOSPITAL_CAPACITY_OVERDUE: HospitalCapacityOverdue,
    HOSPITAL_STOOD_DOWN: HospitalStoodDown,
    HOSPITAL_STANDDOWN_ACKNOWLEDGED: HospitalStandDownAcknowledged,
    NOTIFICATION_ACKNOWLEDGED: NotificationAcknowledged,
    PATIENT_REGISTERED: PatientRegistered,
    PATIENT_RETRIAGED: PatientRetriaged,
    PATIENT_DESTINATION: PatientDestination,
    PATIENT_TRANSPORTED: PatientTransported,
    PATIENT_ARRIVED: PatientArrived,
    PATIENT_DETAILS: PatientDetails,
    UPDATE_POSTED: UpdatePosted,
    UPDATE_SENT: UpdateSent,
}


# --- audiences ---------------------------------------------------------------------------------
#
# Who sees an event of each kind, and how much of it. The incident's staff — dispatch, EMS and
# emergency management (who act on it) and responders of its region (who read it), and
# platform operators — see every event in FULL. Beside them:
#
# - `er_own`:   ER staff of the hospital the event is about (`event.hospital`, and for a
#               patient sent elsewhere the hospital it was headed to: ALSO_ABOUT);
# - `er`:       ER staff of another hospital involved in the incident (on it, or receiving
#               one of its patients);
# - `official`: officials of the incident's region. Never patient rows: patient kinds are NONE.
#
# FULL is the header, summary and `data`; SUMMARY the header and summary without `data` (the
# summary of such a kind never carries what `data` holds back); NONE: not at all. Everyone
# else — agency admins, people of other regions, ER staff of an uninvolved hospital — sees no
# event. `event_sight` is the one function that applies this table: the events API, the board
# snapshot, the record and its CSV, and every socket send (boards.consumers) ask it.


class Sight(IntEnum):
    NONE = 0
    SUMMARY = 1  # header and summary, no data
    FULL = 2  # header, summary and data


@dataclass(frozen=True)
class AudienceRule:
    """How much of one kind of event each viewer beside the incident's staff sees."""

    er_own: Sight
    er: Sight
    official: Sight


_FULL, _SUMMARY, _NONE = Sight.FULL, Sight.SUMMARY, Sight.NONE
# The incident's course: every involved ER follows it; officials read what happened.
OPERATIONAL = AudienceRule(er_own=_FULL, er=_FULL, official=_SUMMARY)
# A patient: the receiving ER (and the one it was taken from); never other ERs or officials.
PATIENT = AudienceRule(er_own=_FULL, er=_NONE, official=_NONE)

AUDIENCES: dict[str, AudienceRule] = {
    INCIDENT_DECLARED: OPERATIONAL,
    INCIDENT_UPDATED: OPERATIONAL,
    INCIDENT_DEESCALATED: OPERATIONAL,
    # The closing summary (data) is for those who worked the incident; officials read it on
    # the incident itself.
    INCIDENT_CLOSED: OPERATIONAL,
    INCIDENT_REOPENED: OPERATIONAL,
    # Which hospitals are on, acknowledged, answered, escalated or late: every involved ER
    # plans with its neighbours' answers.
    HOSPITAL_ADDED: OPERATIONAL,
    HOSPITAL_REMOVED: OPERATIONAL,
    HOSPITAL_ACKNOWLEDGED: OPERATIONAL,
    HOSPITAL_CAPACITY: OPERATIONAL,
    HOSPITAL_ESCALATED: OPERATIONAL,
    HOSPITAL_CAPACITY_OVERDUE: OPERATIONAL,
    # The first alert to a hospital was accepted by its provider (the record's first KPI).
    HOSPITAL_NOTIFIED: OPERATIONAL,
    # A hospital stood down, and its acknowledgement: that hospital's ER (and staff) only.
    HOSPITAL_STOOD_DOWN: AudienceRule(er_own=_FULL, er=_NONE, official=_NONE),
    HOSPITAL_STANDDOWN_ACKNOWLEDGED: AudienceRule(er_own=_FULL, er=_NONE, official=_NONE),
    # A named person acknowledged an alert: their own hospital's ER (and staff) only.
    NOTIFICATION_ACKNOWLEDGED: AudienceRule(er_own=_FULL, er=_NONE, official=_NONE),
    PATIENT_REGISTERED: PATIENT,
    PATIENT_RETRIAGED: PATIENT,
    PATIENT_DESTINATION: PATIENT,
    PATIENT_TRANSPORTED: PATIENT,
    PATIENT_ARRIVED: PATIENT,
    PATIENT_DETAILS: PATIENT,
    # Situation updates go to officials and the region's staff (GET …/updates/ refuses ER
    # staff): an ER charge nurse sees that one was posted, to which lists and by whom, never
    # its body; officials read the body in the update itself, not in the timeline.
    UPDATE_POSTED: AudienceRule(er_own=_SUMMARY, er=_SUMMARY, official=_SUMMARY),
    # When the update's messages went out: seen by whoever sees that it was posted.
    UPDATE_SENT: AudienceRule(er_own=_SUMMARY, er=_SUMMARY, official=_SUMMARY),
}

# Payload keys naming another hospital an event is about (besides `event.hospital`).
ALSO_ABOUT: dict[str, tuple[str, ...]] = {PATIENT_DESTINATION: ("previous_id",)}


def register_kind(
    kind: str,
    *,
    payload: type,
    audience: AudienceRule,
    also_about: tuple[str, ...] = (),
) -> None:
    """Let another app append events of `kind`: `payload` is its TypedDict, `audience` its
    rule, `also_about` the payload keys naming other hospitals it concerns (see ALSO_ABOUT).
    Registering a kind again the same way changes nothing; any other way is an error (the
    kind strings are stored on the timeline, so each means one thing)."""
    if not is_typeddict(payload):
        raise TypeError(f"{kind}: the payload schema must be a TypedDict.")
    known = (KIND_SCHEMAS.get(kind), AUDIENCES.get(kind), ALSO_ABOUT.get(kind, ()))
    if known != (None, None, ()):
        if known != (payload, audience, also_about):
            raise ValueError(f"Event kind {kind!r} is already registered differently.")
        return
    KIND_SCHEMAS[kind] = payload
    AUDIENCES[kind] = audience
    if also_about:
        ALSO_ABOUT[kind] = also_about


@dataclass(frozen=True)
class Viewer:
    """Who looks at an incident's events, as far as AUDIENCES is concerned."""

    staff: bool = False  # dispatch, EMS, EM, responders of the region; platform operators
    official: bool = False  # an official of the incident's region
    er_hospitals: frozenset[int] = frozenset()  # involved hospitals whose ER staff they are
    # Own hospitals taken off the incident: (hospital id, seq of its stand-down). Their ER
    # reads what it was paged for up to then, and the stand-down's acknowledgement.
    er_read_until: tuple[tuple[int, int], ...] = ()


def audience_rule(kind: str) -> AudienceRule:
    rule = AUDIENCES.get(kind)
    if rule is None:
        raise ValueError(f"Event kind {kind!r} has no audience; add it to events.AUDIENCES.")
    return rule


def event_about(kind: str, hospital_id: int | None, data: dict[str, Any]) -> frozenset[int]:
    """The hospitals an event is about (Hospital ids)."""
    about = {hospital_id} if hospital_id is not None else set()
    for key in ALSO_ABOUT.get(kind, ()):
        if isinstance(data.get(key), int):
            about.add(data[key])
    return frozenset(about)


def event_sight(
    viewer: Viewer,
    kind: str,
    hospital_id: int | None,
    data: dict[str, Any],
    seq: int | None = None,
) -> Sight:
    """How much of one event `viewer` sees: THE audience rule (see AUDIENCES). `seq` matters
    only to the ER of a hospital taken off the incident (Viewer.er_read_until)."""
    if viewer.staff:
        return Sight.FULL
    rule = audience_rule(kind)
    sight = Sight.NONE
    about = event_about(kind, hospital_id, data)
    if viewer.er_hospitals:
        own = bool(viewer.er_hospitals & about)
        sight = max(sight, rule.er_own if own else rule.er)
    for removed, until in viewer.er_read_until:
        before = seq is not None and seq <= until
        if before or (kind == HOSPITAL_STANDDOWN_ACKNOWLEDGED and hospital_id == removed):
            sight = max(sight, rule.er_own if removed in about else rule.er)
    if viewer.official:
        sight = max(sight, rule.official)
    return sight


def visible_events_filter(viewer: Viewer) -> Q:
    """The same rule as a filter on IncidentEvent rows (sight above NONE), so the timeline
    can be paged in the database; `event_sight` then says FULL or SUMMARY per event."""
    if viewer.staff:
        return Q()
    allowed = Q(pk__in=[])
    if viewer.er_hospitals:
        allowed |= _er_filter(viewer.er_hospitals)
    for removed, until in viewer.er_read_until:
        allowed |= Q(seq__lte=until) & _er_filter({removed})
        allowed |= Q(kind=HOSPITAL_STANDDOWN_ACKNOWLEDGED, hospital_id=removed)
    if viewer.official:
        allowed |= Q(kind__in=[k for k, rule in AUDIENCES.items() if rule.official > Sight.NONE])
    return allowed


def _er_filter(hospitals: frozenset[int] | set[int]) -> Q:
    """The events ER staff of `hospitals` see (sight above NONE)."""
    kinds = AUDIENCES.items()
    mine = sorted(hospitals)
    allowed = Q(kind__in=[k for k, rule in kinds if rule.er > Sight.NONE])
    own_kinds = [k for k, rule in kinds if rule.er_own > Sight.NONE]
    allowed |= Q(kind__in=own_kinds, hospital_id__in=mine)
    for kind, keys in ALSO_ABOUT.items():
        if kind in own_kinds:
            for key in keys:
                allowed |= Q(kind=kind, **{f"data__{key}__in": mine})
    return allowed


def payload_errors(kind: str, data: Any) -> list[str]:
    """What is wrong with `data` as the payload of `kind` (empty: it matches its schema)."""
    schema = KIND_SCHEMAS.get(kind)
    if schema is None:
        return [f"unknown event kind {kind!r}"]
    return typed_dict_errors(schema, data, "data")


# --- subscribers -------------------------------------------------------------------------------

Subscriber = Callable[[IncidentEvent], None]
_on_commit_subscribers: list[Subscriber] = []
_in_transaction_subscribers: list[Subscriber] = []


def subscribe(callback: Subscriber) -> Callable[[], None]:
    """Call `callback(event)` after the transaction that appended `event` commits.
    Returns a function that unsubscribes it."""
    _on_commit_subscribers.append(callback)
    return lambda: _remove(_on_commit_subscribers, callback)


def subscribe_in_transaction(callback: Subscriber) -> Callable[[], None]:
    """Call `callback(event)` synchronously inside the appending transaction; an exception
    rolls the whole change back. Returns a function that unsubscribes it."""
    _in_transaction_subscribers.append(callback)
    return lambda: _remove(_in_transaction_subscribers, callback)


def _remove(subscribers: list[Subscriber], callback: Subscriber) -> None:
    if callback in subscribers:
        subscribers.remove(callback)


def _publish(event: IncidentEvent, callback: Subscriber) -> Callable[[], None]:
    return lambda: callback(event)


# --- appending ---------------------------------------------------------------------------------

User = AbstractBaseUser | AnonymousUser | None


def actor_name(actor: User) -> str:
    """How the timeline names a login: agencies.queries.person_label ("Grace Okafor (A1
    Hospital)"), the one display of a person."""
    return person_label(actor)


def append_event(
    *,
    incident: Incident,
    kind: str,
    actor: User,
    summary: str,
    data: dict[str, Any],
    public: bool | None = None,
    hospital: Hospital | None = None,
    actor_label: str = "",
) -> IncidentEvent:
    """Append one event to the incident's timeline in the current transaction (see module doc).
    Updates `incident.last_seq` in memory to the seq it took."""
    if kind not in KIND_SCHEMAS:
        raise ValueError(
            f"Unknown event kind {kind!r}; define it in events.py or register_kind() it."
        )
    officials_see = audience_rule(kind).official > Sight.NONE
    if public is not None and public != officials_see:
        raise ValueError(f"{kind}: public={public} contradicts its rule in events.AUDIENCES.")
    using = router.db_for_write(IncidentEvent)
    with transaction.atomic(using=using, savepoint=False):
        with connections[using].cursor() as cursor:
            cursor.execute(
                f"UPDATE {Incident._meta.db_table} SET last_seq = last_seq + 1 "
                "WHERE id = %s RETURNING last_seq",
                [incident.pk],
            )
            (seq,) = cursor.fetchone()
        incident.last_seq = seq
        user = actor if actor is not None and actor.is_authenticated else None
        event = IncidentEvent.objects.using(using).create(
            incident=incident,
            seq=seq,
            kind=kind,
            at=timezone.now(),
            actor=user,
            actor_label=(actor_label or actor_name(actor))[:160],
            summary=summary[:400],
            data=data,
            public=officials_see,
            hospital=hospital,
        )
        # Publishing is registered before the in-transaction subscribers run, so the event
        # reaches its on-commit subscribers before whatever those queue on the same commit (an
        # eager Celery task runs inside the commit callbacks and may append events itself).
        for callback in list(_on_commit_subscribers):
            transaction.on_commit(_publish(event, callback), using=using, robust=True)
        for callback in list(_in_transaction_subscribers):
            callback(event)
    return event
