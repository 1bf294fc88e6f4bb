"""The incident timeline: appending events, their payload schemas, and publishing on commit.

`append_event(...)` is the only writer of IncidentEvent. It must run inside the caller's
transaction (it opens one if there is none) and:

1. takes the next `seq` for the incident with `UPDATE ... SET last_seq = last_seq + 1
   RETURNING last_seq` — the row lock serialises concurrent writers, so seqs are strictly
   increasing, gapless and unique per incident (a rolled-back writer releases its number);
2. inserts the event (unique constraint on (incident, seq) as a second line of defence);
3. calls every **in-transaction subscriber** synchronously, inside that transaction
   (`subscribe_in_transaction(cb)`): the notifications outbox creates its Notification rows
   here so they commit, or roll back, together with the change;
4. registers, with `transaction.on_commit(..., robust=True)`, a call of every **on-commit
   subscriber** (`subscribe(cb)`) with the committed event: live boards, Celery hand-off.
   Nothing is published for a transaction that rolls back; a failing subscriber is logged
   and does not stop the others.

Every kind has a TypedDict payload in this module (KIND_SCHEMAS); `payload_errors(kind, data)`
checks a payload against it (the test-suite runs it over every emitted event).
`public=True` marks events whose *summary* an official may read: those summaries never
carry patient details.
"""

from __future__ import annotations

import logging
import types
import typing
from collections.abc import Callable
from typing import Any, TypedDict, Union

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import connections, router, transaction
from django.utils import timezone

from agencies.models import Hospital
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
HOSPITAL_CAPACITY = "hospital.capacity"
HOSPITAL_ESCALATED = "hospital.escalated"
HOSPITAL_CAPACITY_OVERDUE = "hospital.capacity_overdue"
NOTIFICATION_ACKNOWLEDGED = "notification.acknowledged"
PATIENT_REGISTERED = "patient.registered"
PATIENT_RETRIAGED = "patient.retriaged"
PATIENT_DESTINATION = "patient.destination"
PATIENT_TRANSPORTED = "patient.transported"
PATIENT_ARRIVED = "patient.arrived"
PATIENT_DETAILS = "patient.details"
UPDATE_POSTED = "update.posted"
CHECKLIST_STARTED = "checklist.started"
CHECKLIST_CHECKED = "checklist.checked"
CHECKLIST_UNCHECKED = "checklist.unchecked"
ROLE_ASSIGNED = "role.assigned"
ROLE_RELIEVED = "role.relieved"


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


class HospitalAdded(TypedDict):
    hospital_id: int
    hospital: str
    source: str
    rank: int | None
    reasons: list[str]


class HospitalRemoved(TypedDict):
    hospital_id: int
    hospital: str


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


class ChecklistStarted(TypedDict):
    checklist_id: int
    template_id: int
    template: str
    version: int
    phases: int
    items: int


class ChecklistItemChanged(TypedDict):
    """checklist.checked / checklist.unchecked; the counts are after the change, so a board
    updates its progress bars from the event alone."""

    item_id: int
    text: str
    phase: str
    phase_position: int
    disciplines: list[str]
    owner_role: str
    done: bool
    phase_done: int
    phase_total: int
    total_done: int
    total: int


class RoleAssigned(TypedDict):
    assignment_id: int
    role: str
    role_label: str
    name: str
    agency: str
    member_id: int | None
    note: str
    replaces_id: int | None


class RoleRelieved(TypedDict):
    assignment_id: int
    role: str
    role_label: str
    name: str
    agency: str
    reason: str


KIND_SCHEMAS: dict[str, type] = {
    INCIDENT_DECLARED: IncidentDeclared,
    INCIDENT_UPDATED: IncidentUpdated,
    INCIDENT_DEESCALATED: IncidentStatusChanged,
    INCIDENT_CLOSED: IncidentClosed,
    INCIDENT_REOPENED: IncidentStatusChanged,
    HOSPITAL_ADDED: HospitalAdded,
    HOSPITAL_REMOVED: HospitalRemoved,
    HOSPITAL_ACKNOWLEDGED: HospitalAcknowledged,
    HOSPITAL_CAPACITY: HospitalCapacity,
    HOSPITAL_ESCALATED: HospitalEscalated,
    HOSPITAL_CAPACITY_OVERDUE: HospitalCapacityOverdue,
    NOTIFICATION_ACKNOWLEDGED: NotificationAcknowledged,
    PATIENT_REGISTERED: PatientRegistered,
    PATIENT_RETRIAGED: PatientRetriaged,
    PATIENT_DESTINATION: PatientDestination,
    PATIENT_TRANSPORTED: PatientTransported,
    PATIENT_ARRIVED: PatientArrived,
    PATIENT_DETAILS: PatientDetails,
    UPDATE_POSTED: UpdatePosted,
    CHECKLIST_STARTED: ChecklistStarted,
    CHECKLIST_CHECKED: ChecklistItemChanged,
    CHECKLIST_UNCHECKED: ChecklistItemChanged,
    ROLE_ASSIGNED: RoleAssigned,
    ROLE_RELIEVED: RoleRelieved,
}


def _type_errors(value: Any, expected: Any, path: str) -> list[str]:
    origin = typing.get_origin(expected)
    if expected is Any:
        return []
    if expected is None or expected is type(None):
        return [] if value is None else [f"{path}: expected null"]
    if origin in (Union, types.UnionType):
        options = typing.get_args(expected)
        if any(not _type_errors(value, option, path) for option in options):
            return []
        return [f"{path}: {value!r} matches none of {options}"]
    if typing.is_typeddict(expected):
        return payload_errors_for(expected, value, path)
    if origin is list:
        if not isinstance(value, list):
            return [f"{path}: expected a list"]
        (item,) = typing.get_args(expected) or (Any,)
        return [e for i, v in enumerate(value) for e in _type_errors(v, item, f"{path}[{i}]")]
    if origin is dict:
        if not isinstance(value, dict):
            return [f"{path}: expected an object"]
        _, item = typing.get_args(expected) or (str, Any)
        return [e for k, v in value.items() for e in _type_errors(v, item, f"{path}.{k}")]
    if expected is float:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return [] if ok else [f"{path}: expected a number"]
    if expected is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
        return [] if ok else [f"{path}: expected an integer"]
    return [] if isinstance(value, expected) else [f"{path}: expected {expected.__name__}"]


def payload_errors_for(schema: type, data: Any, path: str = "data") -> list[str]:
    if not isinstance(data, dict):
        return [f"{path}: expected an object"]
    hints = typing.get_type_hints(schema)
    required: frozenset[str] = schema.__required_keys__  # type: ignore[attr-defined]
    errors = [f"{path}.{key}: missing" for key in sorted(required - data.keys())]
    errors += [f"{path}.{key}: not in the schema" for key in sorted(data.keys() - hints.keys())]
    for key, value in data.items():
        if key in hints:
            errors += _type_errors(value, hints[key], f"{path}.{key}")
    return errors


def payload_errors(kind: str, data: Any) -> list[str]:
    """What is wrong with `data` as the payload of `kind` (empty: it matches its schema)."""
    schema = KIND_SCHEMAS.get(kind)
    if schema is None:
        return [f"unknown event kind {kind!r}"]
    return payload_errors_for(schema, data)


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
    if actor is None or not actor.is_authenticated:
        return ""
    full = actor.get_full_name() if hasattr(actor, "get_full_name") else ""
    return full or actor.get_username()


def append_event(
    *,
    incident: Incident,
    kind: str,
    actor: User,
    summary: str,
    data: dict[str, Any],
    public: bool = False,
    hospital: Hospital | None = None,
    actor_label: str = "",
) -> IncidentEvent:
    """Append one event to the incident's timeline in the current transaction (see module doc).
    Updates `incident.last_seq` in memory to the seq it took."""
    if kind not in KIND_SCHEMAS:
        raise ValueError(f"Unknown event kind {kind!r}; add it and its schema to events.py.")
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
            public=public,
            hospital=hospital,
        )
        for callback in list(_in_transaction_subscribers):
            callback(event)
        for callback in list(_on_commit_subscribers):
            transaction.on_commit(_publish(event, callback), using=using, robust=True)
    return event
