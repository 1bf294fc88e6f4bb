"""Celery tasks of the notifications app. Every task takes ids, never objects.

- ``send_notification(id)``: expand the notification into deliveries (idempotent), then queue
  its pending deliveries in batches of ``NOTIFY_BATCH_SIZE``;
- ``send_deliveries(ids)``: claim, send and record one batch (notifications.sending);
- ``sweep()`` (beat, every ``NOTIFY_SWEEP_SECONDS``): re-queue what a broker outage or a killed
  worker left behind — notifications still pending, deliveries pending past their time,
  deliveries claimed past ``NOTIFY_CLAIM_TIMEOUT_SECONDS`` — and close finished notifications;
- ``escalate()`` (beat, every ``NOTIFY_ESCALATION_SECONDS``): escalate hospitals that have not
  acknowledged within their region's ``ack_timeout_seconds``, and flag those whose capacity
  answer is overdue (``capacity_timeout_seconds``);
- ``push_progress(id)``: the trailing progress push of a throttled window.

Workers run with ``CELERY_TASK_ACKS_LATE``: a task whose worker dies goes back to the queue,
and re-running any of these tasks is harmless (expansion is idempotent, a delivery is
claimed before it is sent).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from celery import shared_task
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from notifications import conf, escalation, progress, sending
from notifications.expansion import Expansion, dependencies, expand
from notifications.models import Delivery, Notification
from notifications.states import release_stale

logger = logging.getLogger(__name__)

SWEEP_LIMIT = 20_000  # deliveries re-queued per sweep (the next sweep takes the rest)
UNQUEUED_GRACE_SECONDS = 10  # a notification never handed to the broker is retried this soon


def dispatch(notification_id: int) -> int:
    """Queue the notification's pending deliveries in batches; returns how many."""
    ids = list(
        Delivery.objects.filter(
            notification_id=notification_id,
            status=Delivery.Status.PENDING,
            next_attempt_at__isnull=True,
        )
        .order_by("id")
        .values_list("id", flat=True)
    )
    queue_batches(ids)
    return len(ids)


def queue_batches(delivery_ids: Sequence[int]) -> None:
    size = conf.get_int("NOTIFY_BATCH_SIZE")
    for start in range(0, len(delivery_ids), size):
        send_deliveries.delay(list(delivery_ids[start : start + size]))


def expand_and_dispatch(notification_id: int) -> tuple[Expansion, int]:
    """Expand a notification, queue its pending deliveries, and finish it if there are none."""
    result = expand(notification_id)
    queued = dispatch(notification_id)
    if queued == 0 and result.expanded:
        sending.finish_notifications([notification_id])
    return result, queued


@shared_task(name="notifications.send_notification")
def send_notification(notification_id: int) -> dict[str, Any]:
    """Expand one notification (and the earlier ones it depends on), then queue its sends."""
    for earlier_id in dependencies(notification_id):
        expand_and_dispatch(earlier_id)
    result, queued = expand_and_dispatch(notification_id)
    return {
        "notification": notification_id,
        "expanded": result.expanded,
        "created": result.created,
        "recipients": result.recipients,
        "queued": queued,
    }


@shared_task(name="notifications.send_deliveries")
def send_deliveries(delivery_ids: list[int]) -> dict[str, Any]:
    """Claim, send and record one batch of deliveries."""
    report = sending.send_batch(delivery_ids)
    return {
        "claimed": report.claimed,
        "sent": report.sent,
        "retried": report.retried,
        "failed": report.failed,
    }


@shared_task(name="notifications.push_progress")
def push_progress(notification_id: int) -> None:
    progress.push(notification_id, force=True)


@shared_task(name="notifications.sweep")
def sweep() -> dict[str, int]:
    """Re-queue whatever was left behind (see the module docstring); safe to run anywhere,
    any number of times: claims decide who sends."""
    now = timezone.now()
    grace = timedelta(seconds=conf.get_float("NOTIFY_SWEEP_GRACE_SECONDS"))
    unqueued_grace = min(grace, timedelta(seconds=UNQUEUED_GRACE_SECONDS))

    # 1. notifications that were never expanded (the broker was down at commit, or the task
    #    was lost): expand and send them.
    stale_notifications = list(
        Notification.objects.filter(state=Notification.State.PENDING)
        .filter(
            Q(queued_at__isnull=True, created_at__lt=now - unqueued_grace)
            | Q(queued_at__lt=now - grace)
        )
        .order_by("id")
        .values_list("id", flat=True)[:500]
    )
    for notification_id in stale_notifications:
        send_notification.delay(notification_id)
    if stale_notifications:
        Notification.objects.filter(pk__in=stale_notifications).update(queued_at=now)

    # 2. deliveries claimed by a worker that stopped: back to pending (or sent, if the
    #    provider id was saved).
    released, settled = release_stale(
        now=now, claim_timeout=conf.get_float("NOTIFY_CLAIM_TIMEOUT_SECONDS")
    )

    # 3. deliveries pending past their time: queued again. Stamping next_attempt_at keeps the
    #    next sweeps from queueing them again while they wait in the queue.
    overdue = list(
        Delivery.objects.filter(status=Delivery.Status.PENDING, provider_id__isnull=True)
        .filter(
            Q(next_attempt_at__isnull=True, created_at__lt=now - grace)
            | Q(next_attempt_at__lte=now - grace)
            | Q(next_attempt_at=now)  # released just now
        )
        .order_by("id")
        .values_list("id", flat=True)[:SWEEP_LIMIT]
    )
    if overdue:
        Delivery.objects.filter(pk__in=overdue, status=Delivery.Status.PENDING).update(
            next_attempt_at=now
        )
        queue_batches(overdue)

    # 4. expanded notifications with nothing left to send: done (and their final progress).
    open_deliveries = Delivery.objects.filter(
        notification=OuterRef("pk"), status__in=[Delivery.Status.PENDING, Delivery.Status.SENDING]
    )
    finished = list(
        Notification.objects.filter(state=Notification.State.EXPANDED)
        .filter(~Exists(open_deliveries))
        .values_list("id", flat=True)[:500]
    )
    sending.finish_notifications(finished)
    summary = {
        "notifications": len(stale_notifications),
        "released": released,
        "settled": settled,
        "requeued": len(overdue),
        "finished": len(finished),
    }
    if any(summary.values()):
        logger.info("sweep: %s", summary)
    return summary


@shared_task(name="notifications.escalate")
def escalate() -> dict[str, int]:
    """Escalate every hospital whose acknowledgement is overdue (one level per run) and flag
    every overdue capacity answer."""
    now = timezone.now()
    done = escalation.escalate_due(now=now)
    overdue = escalation.flag_overdue_capacity(now=now)
    return {"escalated": len(done), "capacity_overdue": len(overdue)}
