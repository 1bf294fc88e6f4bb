"""Celery tasks of the notifications app: the top of its import graph (nothing imports this
module; other modules queue these tasks by name through notifications/queue.py). Every task
takes ids, never objects.

- ``send_notification(id)``: expand the notification into deliveries (idempotent), then queue
  its pending deliveries in batches of ``NOTIFY_BATCH_SIZE``;
- ``send_deliveries(ids)``: claim, send and record one batch (delivery/sending.py);
- ``sweep()`` (beat, every ``NOTIFY_SWEEP_SECONDS``): re-queue what a broker outage or a killed
  worker left behind — notifications still pending, deliveries pending past their time,
  deliveries claimed past ``NOTIFY_CLAIM_TIMEOUT_SECONDS`` — and close finished notifications
  (delivery/sweeper.py);
- ``escalate()`` (beat, every ``NOTIFY_ESCALATION_SECONDS``): escalate hospitals that have not
  acknowledged within their region's ``ack_timeout_seconds``, and flag those whose capacity
  answer is overdue (``capacity_timeout_seconds``);
- ``push_progress(id)``: the trailing progress push of a throttled window.

Workers run with ``CELERY_TASK_ACKS_LATE``: a task whose worker dies goes back to the queue,
and re-running any of these tasks is harmless (expansion is idempotent, a delivery is
claimed before it is sent).
"""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.utils import timezone

from notifications import queue
from notifications.delivery import progress, sending, sweeper
from notifications.delivery.dispatch import expand_and_dispatch
from notifications.delivery.expansion import dependencies
from notifications.services import escalation


@shared_task(name=queue.SEND_NOTIFICATION)
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


@shared_task(name=queue.SEND_DELIVERIES)
def send_deliveries(delivery_ids: list[int]) -> dict[str, Any]:
    """Claim, send and record one batch of deliveries."""
    report = sending.send_batch(delivery_ids)
    return {
        "claimed": report.claimed,
        "sent": report.sent,
        "retried": report.retried,
        "failed": report.failed,
    }


@shared_task(name=queue.PUSH_PROGRESS)
def push_progress(notification_id: int) -> None:
    progress.push(notification_id, force=True)


@shared_task(name=queue.SWEEP)
def sweep() -> dict[str, int]:
    """Re-queue whatever was left behind; safe to run anywhere, any number of times."""
    return sweeper.sweep()


@shared_task(name=queue.ESCALATE)
def escalate() -> dict[str, int]:
    """Escalate every hospital whose acknowledgement is overdue (one level per run) and flag
    every overdue capacity answer."""
    now = timezone.now()
    done = escalation.escalate_due(now=now)
    overdue = escalation.flag_overdue_capacity(now=now)
    return {"escalated": len(done), "capacity_overdue": len(overdue)}
