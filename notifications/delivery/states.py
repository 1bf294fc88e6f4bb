"""The delivery state machine, in one place.

    pending ──claim──▶ sending ──accepted──▶ sent ──callback──▶ delivered
       ▲                  │ │                  └──callback──▶ undelivered / failed
       └──retry / release─┘ └──refused (permanent, or out of attempts)──▶ failed

``acknowledged_at`` and ``read_at`` are recorded alongside, whatever the status.

Every change is one conditional UPDATE whose WHERE names the states it may leave, so two
workers, a retry and a provider callback racing each other can never move a delivery
backwards or send it twice:

- ``claim`` takes only ``pending`` deliveries without a provider id whose time has come, and
  marks them ``sending`` (one UPDATE … RETURNING) before any provider call;
- ``record_outcomes`` saves each accepted delivery's provider id right after the calls, and
  never lowers a status a callback already raised;
- ``apply_provider_status`` (status callbacks) only moves forward: a late "sent" after
  "delivered" changes nothing, and the first final status wins;
- ``release_stale`` gives back deliveries claimed by a worker that died mid-send. A delivery
  left in ``sending`` *without* a provider id is the only kind that may go out twice: it was
  in flight when its worker stopped, and nobody can know whether the provider accepted it.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Coalesce

from agencies.services import contact_point_mark_failed
from notifications import conf
from notifications.delivery.transports import SendResult, TransportError
from notifications.delivery.transports.console import PROVIDER_ID_PREFIX as NOT_SENT_PREFIX
from notifications.models import Delivery

Status = Delivery.Status
PENDING, SENDING, SENT = Status.PENDING, Status.SENDING, Status.SENT
DELIVERED, UNDELIVERED, FAILED = Status.DELIVERED, Status.UNDELIVERED, Status.FAILED

# How far along each status is; a change may only go up. The three final ones share a rank,
# so whichever final status arrives first stays.
RANK: dict[str, int] = {
    PENDING: 0,
    SENDING: 1,
    SENT: 2,
    DELIVERED: 3,
    UNDELIVERED: 3,
    FAILED: 3,
}
FINAL = frozenset({DELIVERED, UNDELIVERED, FAILED})
OPEN = frozenset({PENDING, SENDING})

# Every legal move. Backwards moves exist only for retries and releases: sending → pending.
TRANSITIONS: dict[str, frozenset[str]] = {
    PENDING: frozenset({SENDING, FAILED}),
    SENDING: frozenset({PENDING, SENT, DELIVERED, UNDELIVERED, FAILED}),
    SENT: frozenset({DELIVERED, UNDELIVERED, FAILED}),
    DELIVERED: frozenset(),
    UNDELIVERED: frozenset(),
    FAILED: frozenset(),
}

# Twilio's message and call statuses → ours (None: nothing to record, e.g. "queued").
MESSAGE_STATUSES: dict[str, str | None] = {
    "accepted": None,
    "scheduled": None,
    "queued": None,
    "sending": SENT,
    "sent": SENT,
    "delivered": DELIVERED,
    "read": DELIVERED,
    "partially_delivered": DELIVERED,
    "undelivered": UNDELIVERED,
    "failed": FAILED,
    "canceled": FAILED,
}
CALL_STATUSES: dict[str, str | None] = {
    "queued": None,
    "initiated": SENT,
    "ringing": SENT,
    "in-progress": SENT,
    "completed": DELIVERED,
    "busy": UNDELIVERED,
    "no-answer": UNDELIVERED,
    "canceled": UNDELIVERED,
    "failed": FAILED,
}
# Final errors reported in a status callback that mean the address itself is unusable.
CALLBACK_ADDRESS_ERRORS: dict[int, str] = {
    21211: "invalid phone number",
    21610: "recipient opted out (replied STOP)",
    21614: "not SMS-capable (landline or unreachable mobile number)",
    30005: "unknown destination handset",
    30006: "landline or unreachable carrier",
}


def can_transition(current: str, new: str) -> bool:
    """Whether a delivery may move from ``current`` to ``new``."""
    return new in TRANSITIONS.get(current, frozenset())


def may_come_from(new: str) -> list[str]:
    """The statuses a delivery may be in to move to ``new``."""
    return [status for status, targets in TRANSITIONS.items() if new in targets]


# --- claiming ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Claimed:
    """A delivery this worker now owns (status ``sending``), with what sending it needs."""

    id: int
    notification_id: int
    member_id: int
    contact_point_id: int | None
    user_id: int | None
    channel: str
    address: str
    attempts: int


def claim(delivery_ids: Iterable[int], *, now: datetime) -> list[Claimed]:
    """Mark the given deliveries ``sending`` if they are pending, have no provider id and are
    due; return those this call claimed (others are someone else's, or done). One query."""
    ids = sorted({int(i) for i in delivery_ids})
    if not ids:
        return []
    table = Delivery._meta.db_table
    stamp = connection.ops.adapt_datetimefield_value(now)
    placeholders = ", ".join(["%s"] * len(ids))
    sql = (
        f"UPDATE {table} SET status = %s, claimed_at = %s, attempts = attempts + 1 "
        f"WHERE id IN ({placeholders}) AND status = %s AND provider_id IS NULL "
        "AND (next_attempt_at IS NULL OR next_attempt_at <= %s) "
        "RETURNING id, notification_id, member_id, contact_point_id, user_id, channel, "
        "address, attempts"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [SENDING, stamp, *ids, PENDING, stamp])
        rows = cursor.fetchall()
    return sorted((Claimed(*row) for row in rows), key=lambda c: c.id)


# --- recording the provider's answers ----------------------------------------------------------


def backoff_seconds(
    attempt: int, *, base: float, cap: float, rng: random.Random | None = None
) -> float:
    """Seconds to wait before attempt ``attempt + 1``: ``base * 2**(attempt-1)`` capped at
    ``cap``, with equal jitter (a random 50-100 % of it) so retries of one burst spread out
    and each attempt waits at least as long as the longest wait of the one before."""
    ceiling = min(cap, base * 2 ** max(0, attempt - 1))
    return ceiling * (0.5 + 0.5 * (rng or random).random())


@dataclass
class Recorded:
    """What ``record_outcomes`` did, for the caller's follow-up work."""

    sent: list[int] = field(default_factory=list)
    in_app: list[int] = field(default_factory=list)
    retry_at: dict[int, datetime] = field(default_factory=dict)
    failed: list[int] = field(default_factory=list)
    bad_points: dict[int, str] = field(default_factory=dict)  # contact point id → reason


def _per_row(values: Mapping[int, Any], field_name: str) -> Case:
    whens = [When(pk=pk, then=Value(value)) for pk, value in values.items()]
    return Case(*whens, default=F(field_name), output_field=Delivery._meta.get_field(field_name))


def record_outcomes(
    claimed: Sequence[Claimed],
    outcomes: Mapping[int, SendResult | TransportError],
    *,
    now: datetime,
    rng: random.Random | None = None,
) -> Recorded:
    """Save the provider's answers for claimed deliveries in a few UPDATEs (one per outcome
    group, whatever the batch size), and mark permanently bad addresses on the roster.

    Accepted → ``sent`` with its provider id (in-app → ``delivered``: it is in the inbox);
    transient error → ``pending`` with ``next_attempt_at`` after a jittered exponential
    backoff (at least the provider's Retry-After); permanent error, or out of attempts →
    ``failed`` with the last error. A delivery missing from ``outcomes`` (never attempted)
    goes back to ``pending`` at once.
    """
    max_attempts = conf.get_int("NOTIFY_MAX_ATTEMPTS")
    base = conf.get_float("NOTIFY_RETRY_BASE_SECONDS")
    cap = conf.get_float("NOTIFY_RETRY_MAX_SECONDS")
    recorded = Recorded()
    provider_ids: dict[int, str] = {}
    retry_errors: dict[int, str] = {}
    retry_codes: dict[int, int | None] = {}
    failed_errors: dict[int, str] = {}
    failed_codes: dict[int, int | None] = {}
    for item in claimed:
        outcome = outcomes.get(item.id)
        if isinstance(outcome, SendResult):
            provider_ids[item.id] = outcome.provider_id
            (recorded.in_app if item.channel == "in_app" else recorded.sent).append(item.id)
        elif outcome is None:
            recorded.retry_at[item.id] = now
            retry_errors[item.id] = "not attempted"
            retry_codes[item.id] = None
        elif outcome.permanent or item.attempts >= max_attempts:
            message = outcome.message
            if not outcome.permanent:
                message = f"{message}; gave up after {item.attempts} attempts"
            failed_errors[item.id] = message[:300]
            failed_codes[item.id] = outcome.code
            recorded.failed.append(item.id)
            if outcome.bad_address and item.contact_point_id is not None:
                recorded.bad_points[item.contact_point_id] = outcome.message
        else:
            delay = max(
                backoff_seconds(item.attempts, base=base, cap=cap, rng=rng),
                outcome.retry_after or 0.0,
            )
            recorded.retry_at[item.id] = now + timedelta(seconds=delay)
            retry_errors[item.id] = outcome.message[:300]
            retry_codes[item.id] = outcome.code

    with transaction.atomic():
        if provider_ids:
            _save_accepted(provider_ids, now=now)
        if recorded.retry_at:
            _save_retries(
                {
                    pk: (at, retry_errors[pk], retry_codes[pk])
                    for pk, at in recorded.retry_at.items()
                }
            )
        if failed_errors:
            _save_failures({pk: (failed_errors[pk], failed_codes[pk]) for pk in failed_errors}, now)
        for point_id, reason in recorded.bad_points.items():
            contact_point_mark_failed(point_id=point_id, reason=reason)
    return recorded


# Each write-back is one UPDATE for the whole group. On PostgreSQL it joins a VALUES list
# (cheap at any batch size); elsewhere (the embedded SQLite mode) Django's CASE WHEN
# expressions do the same, more slowly.


def _update_from_values(
    *,
    set_sql: str,
    set_params: Sequence[Any],
    columns: Sequence[tuple[str, str]],
    rows: Sequence[Sequence[Any]],
    where_sql: str = "",
    where_params: Sequence[Any] = (),
) -> None:
    table = Delivery._meta.db_table
    row_sql = "(" + ", ".join(f"%s::{sql_type}" for _, sql_type in columns) + ")"
    names = ", ".join(name for name, _ in columns)
    sql = (
        f"UPDATE {table} AS d SET {set_sql} "
        f"FROM (VALUES {', '.join([row_sql] * len(rows))}) AS v({names}) "
        f"WHERE d.id = v.id {where_sql}"
    )
    params = [*set_params, *(value for row in rows for value in row), *where_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _save_accepted(provider_ids: Mapping[int, str], *, now: datetime) -> None:
    """Accepted: provider id saved; "sending" → sent (in-app → delivered). A status callback
    may have overtaken us (status already sent/delivered, provider id already set): only a
    delivery still "sending" changes status."""
    if connection.vendor == "postgresql":
        stamp = connection.ops.adapt_datetimefield_value(now)
        _update_from_values(
            set_sql=(
                "provider_id = v.provider_id, "
                "status = CASE WHEN d.status = %s THEN "
                "(CASE WHEN d.channel = 'in_app' THEN %s ELSE %s END) ELSE d.status END, "
                "sent_at = COALESCE(d.sent_at, %s), "
                "delivered_at = CASE WHEN d.channel = 'in_app' THEN %s ELSE d.delivered_at END, "
                "last_error = '', error_code = NULL"
            ),
            set_params=[SENDING, DELIVERED, SENT, stamp, stamp],
            columns=[("id", "bigint"), ("provider_id", "varchar")],
            rows=list(provider_ids.items()),
        )
        return
    Delivery.objects.filter(pk__in=list(provider_ids)).update(
        provider_id=_per_row(provider_ids, "provider_id"),
        status=Case(
            When(status=SENDING, channel="in_app", then=Value(DELIVERED)),
            When(status=SENDING, then=Value(SENT)),
            default=F("status"),
        ),
        sent_at=Coalesce(F("sent_at"), Value(now)),
        delivered_at=Case(When(channel="in_app", then=Value(now)), default=F("delivered_at")),
        last_error="",
        error_code=None,
    )


def _save_retries(rows: Mapping[int, tuple[datetime, str, int | None]]) -> None:
    """Transient failure: "sending" → pending, due again at its backoff time."""
    if connection.vendor == "postgresql":
        adapt = connection.ops.adapt_datetimefield_value
        _update_from_values(
            set_sql="status = %s, next_attempt_at = v.at, last_error = v.error, "
            "error_code = v.code",
            set_params=[PENDING],
            columns=[
                ("id", "bigint"),
                ("at", "timestamptz"),
                ("error", "varchar"),
                ("code", "int"),
            ],
            rows=[(pk, adapt(at), error, code) for pk, (at, error, code) in rows.items()],
            where_sql="AND d.status = %s AND d.provider_id IS NULL",
            where_params=[SENDING],
        )
        return
    Delivery.objects.filter(pk__in=list(rows), status=SENDING, provider_id__isnull=True).update(
        status=PENDING,
        next_attempt_at=_per_row({pk: row[0] for pk, row in rows.items()}, "next_attempt_at"),
        last_error=_per_row({pk: row[1] for pk, row in rows.items()}, "last_error"),
        error_code=_per_row({pk: row[2] for pk, row in rows.items()}, "error_code"),
    )


def _save_failures(rows: Mapping[int, tuple[str, int | None]], now: datetime) -> None:
    """Permanent failure, or out of attempts: "sending" → failed with the last error."""
    if connection.vendor == "postgresql":
        _update_from_values(
            set_sql="status = %s, failed_at = %s, last_error = v.error, error_code = v.code",
            set_params=[FAILED, connection.ops.adapt_datetimefield_value(now)],
            columns=[("id", "bigint"), ("error", "varchar"), ("code", "int")],
            rows=[(pk, error, code) for pk, (error, code) in rows.items()],
            where_sql="AND d.status = %s",
            where_params=[SENDING],
        )
        return
    Delivery.objects.filter(pk__in=list(rows), status=SENDING).update(
        status=FAILED,
        failed_at=now,
        last_error=_per_row({pk: row[0] for pk, row in rows.items()}, "last_error"),
        error_code=_per_row({pk: row[1] for pk, row in rows.items()}, "error_code"),
    )


# --- provider callbacks ------------------------------------------------------------------------


def status_from_provider(provider_status: str, *, call: bool) -> str | None:
    """Our status for a Twilio message or call status (None: nothing to record)."""
    table = CALL_STATUSES if call else MESSAGE_STATUSES
    return table.get((provider_status or "").strip().lower())


def provider_id_known(*, delivery_id: int | None, provider_id: str) -> bool:
    """Whether a status callback's SID is one the provider gave us: a delivery has it, or the
    delivery named in the (signed) callback URL has no provider id yet — the callback overtook
    the write-back of the send, or the worker died before saving it."""
    if not provider_id:
        return False
    known = Delivery.objects.filter(provider_id=provider_id)
    if delivery_id:
        known = Delivery.objects.filter(
            Q(provider_id=provider_id) | Q(pk=delivery_id, provider_id__isnull=True)
        )
    return known.exists()


def apply_provider_status(
    *,
    delivery_id: int | None,
    provider_id: str,
    provider_status: str,
    call: bool,
    error_code: int | None,
    now: datetime,
) -> Delivery | None:
    """Record a status callback: idempotent, monotonic, out-of-order safe.

    Finds the delivery by id (from the callback URL) or by provider id; a delivery whose
    provider id differs from the callback's is left alone. Returns the delivery when its
    status changed, else None. A final failure for an unusable address marks the contact
    point failed, as a refusal at send time does.
    """
    new = status_from_provider(provider_status, call=call)
    if new is None or not (delivery_id or provider_id):
        return None
    deliveries = Delivery.objects.all()
    if delivery_id:
        deliveries = deliveries.filter(pk=delivery_id)
        if provider_id:
            deliveries = deliveries.filter(Q(provider_id__isnull=True) | Q(provider_id=provider_id))
    else:
        deliveries = deliveries.filter(provider_id=provider_id)
    changes: dict[str, Any] = {"status": new}
    if provider_id:
        changes["provider_id"] = Coalesce(F("provider_id"), Value(provider_id))
    if new in (SENT, DELIVERED, UNDELIVERED):
        changes["sent_at"] = Coalesce(F("sent_at"), Value(now))
    if new == DELIVERED:
        changes["delivered_at"] = now
    if new in (UNDELIVERED, FAILED):
        changes["failed_at"] = now
        if error_code is not None:
            changes["error_code"] = error_code
            changes["last_error"] = f"provider reported {provider_status} (error {error_code})"
        else:
            changes["last_error"] = f"provider reported {provider_status}"
    with transaction.atomic():
        changed = deliveries.filter(status__in=may_come_from(new)).update(**changes)
        if not changed:
            return None
        delivery = deliveries.select_related(None).get()
        if error_code in CALLBACK_ADDRESS_ERRORS and delivery.contact_point_id is not None:
            contact_point_mark_failed(
                point_id=delivery.contact_point_id,
                reason=f"{CALLBACK_ADDRESS_ERRORS[error_code]} (Twilio {error_code})",
            )
    return delivery


# --- acknowledgements and reading ----------------------------------------------------------------


def acknowledge(deliveries: Any, *, now: datetime) -> int:
    """Set ``acknowledged_at`` (and ``read_at``) on those not yet acknowledged; how many."""
    return deliveries.filter(acknowledged_at__isnull=True).update(
        acknowledged_at=now, read_at=Coalesce(F("read_at"), Value(now))
    )


def mark_read(deliveries: Any, *, now: datetime) -> int:
    return deliveries.filter(read_at__isnull=True).update(read_at=now)


# --- the sweeper's part --------------------------------------------------------------------------


def release_stale(*, now: datetime, claim_timeout: float) -> tuple[int, int]:
    """Deliveries claimed longer than ``claim_timeout`` seconds ago by a worker that never
    finished: without a provider id → back to ``pending`` (due now); with one (the provider
    accepted it, the write-back was lost) → ``sent``. Returns (released, settled)."""
    cutoff = now - timedelta(seconds=claim_timeout)
    stale = Delivery.objects.filter(status=SENDING, claimed_at__lt=cutoff)
    released = stale.filter(provider_id__isnull=True).update(
        status=PENDING,
        next_attempt_at=now,
        last_error="released: its worker stopped while sending",
    )
    settled = stale.filter(provider_id__isnull=False).update(
        status=SENT, sent_at=Coalesce(F("sent_at"), Value(now))
    )
    return released, settled


# --- in words people use -----------------------------------------------------------------------
#
# What a board says about a delivery, from the person's side rather than the machine's:
#
#   acknowledged  the recipient acknowledged it — or, for an alert asking a hospital to
#                 acknowledge, their hospital acknowledged the incident (one acknowledgement
#                 answers for the hospital, as escalation treats it);
#   reached       delivered to the phone or inbox, or an email accepted by the mail server
#                 (email has no receipts); acknowledged ones count too;
#   on_the_way    accepted by the provider, no delivery receipt yet;
#   sending       not handed to the provider yet (queued, being sent, or waiting to retry);
#   failed        refused or undeliverable, with a reason a person can act on;
#   not_sent      kept by the console transport (embedded mode): nothing left this machine.

PLAIN_STATES: dict[str, str] = {
    "acknowledged": "acknowledged",
    "reached": "reached",
    "on_the_way": "on the way, no receipt yet",
    "sending": "sending",
    "failed": "failed",
    "not_sent": "not sent (console mode)",
}
# Twilio (and carrier) error codes → what the person fixing the roster should do about it.
FAILURE_REASONS: dict[int, str] = {
    21211: "invalid number",
    21217: "invalid number",
    21614: "number not mobile",
    30006: "number not mobile (landline or unreachable carrier)",
    21610: "opted out (replied STOP)",
    30004: "blocked by the recipient or carrier",
    21608: "number not verified on this Twilio trial account",
    21408: "country not enabled for SMS on our account",
    21612: "cannot reach this number from our sender",
    30003: "phone unreachable (off or out of coverage)",
    30005: "unknown number (no such phone)",
    30007: "filtered as spam by the carrier",
    30008: "carrier could not deliver (unknown error)",
    21611: "our sender's queue was full",
    30001: "our sender's queue was full",
}
CALL_OUTCOMES: dict[str, str] = {
    "busy": "line busy",
    "no-answer": "no answer",
    "canceled": "call cancelled",
    "failed": "call could not be placed",
}


def not_sent(provider_id: str | None) -> bool:
    """Whether a provider id is the console transport's: recorded and logged, never sent."""
    return bool(provider_id) and str(provider_id).startswith(NOT_SENT_PREFIX)


def failure_reason(*, channel: str, error_code: int | None, last_error: str) -> str:
    """Why a delivery failed, in words (e.g. "number not mobile", "opted out (replied STOP)")."""
    if error_code in FAILURE_REASONS:
        return FAILURE_REASONS[error_code]
    text = (last_error or "").strip()
    if channel == "voice" and text.startswith("provider reported "):
        outcome = text.removeprefix("provider reported ").split(" ", 1)[0]
        if outcome in CALL_OUTCOMES:
            return CALL_OUTCOMES[outcome]
    if channel == "email" and text:
        if "refused the recipient" in text:
            return "email address refused"
        if "rejected our login" in text:
            return "mail server refused our login (check EMAIL_URL)"
        return "mail server problem"
    if "gave up after" in text:
        return "provider unavailable; gave up after several tries"
    if "not configured" in text:
        return "SMS and voice are not set up (no Twilio credentials)"
    return f"provider error {error_code}" if error_code else "not accepted by the provider"


def plain_state(
    *, channel: str, status: str, acknowledged: bool, hospital_acknowledged: bool, console: bool
) -> str:
    """The key in PLAIN_STATES for a delivery (see the table above). A failure or a console
    "send" stays visible even when the hospital has acknowledged by other means."""
    if acknowledged:
        return "acknowledged"
    if status in (FAILED, UNDELIVERED):
        return "failed"
    if console:
        return "not_sent"
    if hospital_acknowledged:
        return "acknowledged"
    if status == DELIVERED or (status == SENT and channel == "email"):
        return "reached"
    if status == SENT:
        return "on_the_way"
    return "sending"


def summary_text(summary: Mapping[str, Any]) -> str:
    """One line for a notification's deliveries, e.g. "Waiting for receipts: 2 of 26 reached
    (1 acknowledged) · 24 on the way, no receipt yet"."""
    heading = {
        "sending": "Sending",
        "waiting_for_receipts": "Waiting for receipts",
        "finished": "Finished",
    }[summary["phase"]]
    reached = f"{summary['reached']} of {summary['total']} reached"
    if summary["acknowledged"]:
        reached += f" ({summary['acknowledged']} acknowledged)"
    parts = [reached]
    if summary["on_the_way"]:
        parts.append(f"{summary['on_the_way']} {PLAIN_STATES['on_the_way']}")
    if summary["sending"]:
        parts.append(f"{summary['sending']} sending")
    if summary["failed"]:
        reasons = ", ".join(f"{n} {reason}" for reason, n in summary["failure_reasons"].items())
        parts.append(f"{summary['failed']} failed: {reasons}")
    if summary["not_sent"]:
        parts.append(f"{summary['not_sent']} {PLAIN_STATES['not_sent']}")
    return f"{heading}: " + " · ".join(parts)
