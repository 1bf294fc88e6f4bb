"""Delivery progress for the boards: counts per status, throttled per notification.

After each batch and each status callback the sender calls :func:`push`; at most one envelope
per notification goes out every ``NOTIFY_PROGRESS_SECONDS`` (a cache key is the gate, shared
by every worker through Redis). A push that is throttled schedules one trailing push for
the end of the window, so the last counts always reach the boards; the final push when a
notification is done is never throttled. The envelope goes to ``region-<id>`` and, for an
incident's notification, ``incident-<id>``:

    {"type": "progress", "incident": id | None, "notification": id, "kind": …,
     "total": deliveries, "counts": {status: n}, "acknowledged": deliveries acknowledged,
     "summary": {reached, acknowledged, on_the_way, sending, failed, failure_reasons, not_sent,
                 phase, text} (notifications.queries.counts_for: the words boards show),
     "at": iso time}
"""

from __future__ import annotations

import logging
from typing import Any, Literal, TypedDict

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from asim import realtime
from notifications import conf, queries, queue
from notifications.models import Notification

logger = logging.getLogger(__name__)


class ProgressEnvelope(TypedDict):
    """Delivery progress of one notification (counts per delivery state), as boards get it."""

    type: Literal["progress"]
    incident: int | None
    notification: int
    kind: str
    total: int
    counts: dict[str, int]
    acknowledged: int
    summary: dict[str, Any]  # in words people use: notifications.queries.counts_for
    at: str


def counts(notification_id: int) -> tuple[dict[str, int], int]:
    """({status: deliveries}, deliveries acknowledged)."""
    entry = queries.counts_for([notification_id])[notification_id]
    return entry["counts"], entry["acknowledged"]


def envelope(notification: Notification) -> ProgressEnvelope:
    entry = queries.counts_for([notification.pk])[notification.pk]
    return {
        "type": "progress",
        "incident": notification.incident_id,
        "notification": notification.pk,
        "kind": notification.kind,
        "total": entry["total"],
        "counts": entry["counts"],
        "acknowledged": entry["acknowledged"],
        "summary": entry["summary"],
        "at": timezone.now().isoformat(),
    }


def groups_for(notification: Notification) -> list[str]:
    groups = [realtime.region_group(notification.region_id)]
    if notification.incident_id is not None:
        groups.append(realtime.incident_group(notification.incident_id))
    return groups


def _window() -> int:
    # Whole seconds: the Redis cache stores expiries as integers.
    return max(1, round(conf.get_float("NOTIFY_PROGRESS_SECONDS")))


def push(notification_id: int, *, force: bool = False) -> dict[str, Any] | None:
    """Send the notification's progress now unless one went out within the window; returns
    the envelope sent (None if throttled). ``force`` always sends (the final push)."""
    window = _window()
    gate = f"notify:progress:{notification_id}"
    if force:
        cache.set(gate, 1, timeout=window)
    elif not cache.add(gate, 1, timeout=window):
        _schedule_trailing(notification_id, window)
        return None
    notification = (
        Notification.objects.filter(pk=notification_id)
        .only("id", "incident_id", "region_id", "kind")
        .first()
    )
    if notification is None:
        return None
    body = envelope(notification)
    realtime.send(groups_for(notification), dict(body))
    return dict(body)


def on_event(event: Any) -> None:
    """On-commit subscriber: a hospital's acknowledgement makes its alerts count as
    acknowledged (queries.HOSPITAL_ALERT_KINDS), so the boards get their progress again."""
    if event.kind != "hospital.acknowledged":
        return
    alerts = Notification.objects.filter(
        incident_id=event.incident_id, kind__in=queries.HOSPITAL_ALERT_KINDS
    ).values_list("id", flat=True)
    for notification_id in alerts:
        push(notification_id, force=True)


def _schedule_trailing(notification_id: int, window: int) -> None:
    if getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False):
        return  # eager mode cannot wait; the next push or the final one carries the counts
    if not cache.add(f"notify:progress-trailing:{notification_id}", 1, timeout=window + 1):
        return
    # A broker that is down loses only this push: the boards get the next one instead.
    queue.try_enqueue(queue.PUSH_PROGRESS, notification_id, countdown=window)
