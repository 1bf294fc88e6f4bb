"""What a live board's WebSocket carries: one JSON object per message, typed by `type`.

Server → board:

- `hello`      once the socket is accepted: who it is and which regions/hospitals it follows.
- `event`      one committed IncidentEvent (EventEnvelope). Officials get the summary variant
               (EventSummaryEnvelope): the same header without `data` — never patient details.
- `subscribed` / `refused`  the answer to `{"subscribe": <incident id>}`.
- `progress`   delivery progress of a notification (ProgressEnvelope, pushed and defined by
               notifications.delivery.progress).
- `pong`       the answer to `{"ping": <anything>}` (the page's heartbeat).
- `error`      a message the server could not understand.

Anything else (e.g. an in-app message sent to `user-<id>`) is forwarded as it was sent.

Board → server: `{"subscribe": id}`, `{"unsubscribe": id}`, `{"ping": n}`.

`envelope_errors(envelope)` checks an envelope against its TypedDict (asim.typed_schema) — and
an event's `data` against its kind's payload schema in incidents.events — so tests can run it
over everything a socket receives.
"""

from __future__ import annotations

from typing import Any, Literal, TypedDict

from asim.typed_schema import typed_dict_errors
from incidents.events import KIND_SCHEMAS, payload_errors
from notifications.delivery.progress import ProgressEnvelope


class EventEnvelope(TypedDict):
    """One timeline event, as the boards that may see its data receive it."""

    type: Literal["event"]
    incident: int
    region: int
    seq: int
    kind: str
    at: str  # ISO 8601
    actor: str
    summary: str
    public: bool  # officials may read its summary
    hospital: int | None  # the hospital the event is about (Hospital id)
    hospitals: list[int]  # the hospitals whose ER boards it was sent to
    exercise: bool
    data: dict[str, Any]


class EventSummaryEnvelope(TypedDict):
    """A public event as officials receive it: the header and summary, no data."""

    type: Literal["event"]
    incident: int
    region: int
    seq: int
    kind: str
    at: str
    actor: str
    summary: str
    public: bool
    exercise: bool


class HelloEnvelope(TypedDict):
    type: Literal["hello"]
    user: int
    at: str
    regions: list[int]  # regions whose boards this socket follows
    hospitals: list[int]  # hospitals whose ER board this socket follows


class SubscribedEnvelope(TypedDict):
    type: Literal["subscribed"]
    incident: int
    last_seq: int
    access: str  # summary | hospital | read | act


class RefusedEnvelope(TypedDict):
    """A subscription the user may not have; says nothing about whether the incident exists."""

    type: Literal["refused"]
    incident: Any
    reason: str


class PongEnvelope(TypedDict):
    type: Literal["pong"]
    ping: Any
    at: str


class ErrorEnvelope(TypedDict):
    type: Literal["error"]
    message: str


ENVELOPE_TYPES: dict[str, type] = {
    "hello": HelloEnvelope,
    "subscribed": SubscribedEnvelope,
    "refused": RefusedEnvelope,
    "progress": ProgressEnvelope,
    "pong": PongEnvelope,
    "error": ErrorEnvelope,
}


def envelope_errors(envelope: Any) -> list[str]:
    """What is wrong with `envelope` (empty: it matches its type's schema, and an event's data
    matches its kind's payload schema; an event of a kind not known here is checked for its
    header only, so kinds added later still pass through)."""
    if not isinstance(envelope, dict):
        return ["envelope: expected an object"]
    kind = envelope.get("type")
    if kind == "event":
        if "data" not in envelope:
            return typed_dict_errors(EventSummaryEnvelope, envelope, "envelope")
        errors = typed_dict_errors(EventEnvelope, envelope, "envelope")
        if not errors and envelope["kind"] in KIND_SCHEMAS:
            errors += payload_errors(envelope["kind"], envelope["data"])
        return errors
    schema = ENVELOPE_TYPES.get(kind)  # type: ignore[arg-type]
    if schema is None:
        return [f"envelope.type: unknown type {kind!r}"]
    return typed_dict_errors(schema, envelope, "envelope")
