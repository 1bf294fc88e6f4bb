"""What a live board's WebSocket carries: one JSON object per message, typed by `type`.

Server → board:

- `hello`      once the socket is accepted: who it is and which regions/hospitals it follows.
- `event`      one committed IncidentEvent (EventEnvelope). Officials get the summary variant
               (EventSummaryEnvelope): the same header without `data` — never patient details.
- `subscribed` / `refused`  the answer to `{"subscribe": <incident id>}`.
- `progress`   delivery progress of a notification (pushed by the notifications app).
- `pong`       the answer to `{"ping": <anything>}` (the page's heartbeat).
- `error`      a message the server could not understand.

Anything else (e.g. an in-app message sent to `user-<id>`) is forwarded as it was sent.

Board → server: `{"subscribe": id}`, `{"unsubscribe": id}`, `{"ping": n}`.

`envelope_errors(envelope)` checks an envelope against its TypedDict — and an event's `data`
against its kind's payload schema in incidents.events — so tests can run it over everything a
socket receives.
"""

from __future__ import annotations

import types
import typing
from typing import Any, Literal, TypedDict, Union

from incidents.events import KIND_SCHEMAS, payload_errors


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


class ProgressEnvelope(TypedDict):
    """Delivery progress of one notification (counts per delivery state)."""

    type: Literal["progress"]
    incident: int | None
    notification: int
    kind: str
    total: int
    counts: dict[str, int]
    acknowledged: int
    summary: dict[str, Any]  # in words people use: notifications.queries.counts_for
    at: str


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


# --- the schema check --------------------------------------------------------------------------


def _value_errors(value: Any, expected: Any, path: str) -> list[str]:
    origin = typing.get_origin(expected)
    if expected is Any:
        return []
    if expected is None or expected is type(None):
        return [] if value is None else [f"{path}: expected null"]
    if origin is Literal:
        allowed = typing.get_args(expected)
        return [] if value in allowed else [f"{path}: {value!r} is not one of {allowed}"]
    if origin in (Union, types.UnionType):
        options = typing.get_args(expected)
        if any(not _value_errors(value, option, path) for option in options):
            return []
        return [f"{path}: {value!r} matches none of {options}"]
    if origin is list:
        if not isinstance(value, list):
            return [f"{path}: expected a list"]
        (item,) = typing.get_args(expected) or (Any,)
        return [e for i, v in enumerate(value) for e in _value_errors(v, item, f"{path}[{i}]")]
    if origin is dict:
        if not isinstance(value, dict):
            return [f"{path}: expected an object"]
        _, item = typing.get_args(expected) or (str, Any)
        return [e for k, v in value.items() for e in _value_errors(v, item, f"{path}.{k}")]
    if expected is bool:
        return [] if isinstance(value, bool) else [f"{path}: expected true or false"]
    if expected is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
        return [] if ok else [f"{path}: expected an integer"]
    if expected is float:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return [] if ok else [f"{path}: expected a number"]
    return [] if isinstance(value, expected) else [f"{path}: expected {expected.__name__}"]


def schema_errors(schema: type, value: Any, path: str = "envelope") -> list[str]:
    """What is wrong with `value` as an instance of the TypedDict `schema`."""
    if not isinstance(value, dict):
        return [f"{path}: expected an object"]
    hints = typing.get_type_hints(schema)
    required: frozenset[str] = schema.__required_keys__  # type: ignore[attr-defined]
    errors = [f"{path}.{key}: missing" for key in sorted(required - value.keys())]
    errors += [f"{path}.{key}: not in the schema" for key in sorted(value.keys() - hints.keys())]
    for key, item in value.items():
        if key in hints:
            errors += _value_errors(item, hints[key], f"{path}.{key}")
    return errors


def envelope_errors(envelope: Any) -> list[str]:
    """What is wrong with `envelope` (empty: it matches its type's schema, and an event's data
    matches its kind's payload schema; an event of a kind not known here is checked for its
    header only, so kinds added later still pass through)."""
    if not isinstance(envelope, dict):
        return ["envelope: expected an object"]
    kind = envelope.get("type")
    if kind == "event":
        if "data" not in envelope:
            return schema_errors(EventSummaryEnvelope, envelope)
        errors = schema_errors(EventEnvelope, envelope)
        if not errors and envelope["kind"] in KIND_SCHEMAS:
            errors += payload_errors(envelope["kind"], envelope["data"])
        return errors
    schema = ENVELOPE_TYPES.get(kind)  # type: ignore[arg-type]
    if schema is None:
        return [f"envelope.type: unknown type {kind!r}"]
    return schema_errors(schema, envelope)
