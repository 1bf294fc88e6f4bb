"""The notifications app's tunables, read from Django settings at call time.

Every value has a default here too, so the app works with a settings module that predates a
setting, and ``override_settings`` / pytest's ``settings`` fixture apply immediately. The
environment variables behind them are read in ``asim/settings.py`` (messaging section).
"""

from __future__ import annotations

from django.conf import settings

DEFAULTS: dict[str, object] = {
    # Deliveries per sending task. A task claims and sends its batch in slices of
    # NOTIFY_CONCURRENCY (at most two slices ahead), so the batch size only sets how much
    # work one task takes, not how much is in flight.
    "NOTIFY_BATCH_SIZE": 500,
    # Provider requests in flight at once per sending task.
    "NOTIFY_CONCURRENCY": 50,
    # Attempts per delivery before it is marked failed with its last error.
    "NOTIFY_MAX_ATTEMPTS": 6,
    # Exponential backoff: base * 2**(attempt - 1), capped, with "equal jitter" (50-100 %).
    "NOTIFY_RETRY_BASE_SECONDS": 2,
    "NOTIFY_RETRY_MAX_SECONDS": 300,
    # The sweeper's period, and how long work may sit untouched before it re-queues it.
    "NOTIFY_SWEEP_SECONDS": 30,
    "NOTIFY_SWEEP_GRACE_SECONDS": 60,
    # A delivery claimed ("sending") longer than this without a provider id was in flight
    # when its worker died: it is released and sent again.
    "NOTIFY_CLAIM_TIMEOUT_SECONDS": 120,
    # How often the escalation task looks for hospitals that have not acknowledged.
    "NOTIFY_ESCALATION_SECONDS": 30,
    # At most one progress envelope per notification per this many seconds.
    "NOTIFY_PROGRESS_SECONDS": 1,
    # The channels a situation update goes out on.
    "NOTIFY_UPDATE_CHANNELS": ["sms", "email", "in_app"],
}


def get(name: str) -> object:
    """The setting ``name`` (one of DEFAULTS), or its default."""
    return getattr(settings, name, DEFAULTS[name])


def get_int(name: str) -> int:
    return int(get(name))  # type: ignore[call-overload]


def get_float(name: str) -> float:
    return float(get(name))  # type: ignore[arg-type]


def update_channels() -> list[str]:
    value = get("NOTIFY_UPDATE_CHANNELS")
    if isinstance(value, str):
        value = [part.strip() for part in value.split(",") if part.strip()]
    return list(value)  # type: ignore[call-overload]
