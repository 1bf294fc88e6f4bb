"""The sweeper: re-queues whatever a broker outage or a killed worker left behind.

Safe to run anywhere, any number of times: claims decide who sends.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from notifications import conf, queue
from notifications.delivery.dispatch import queue_batches
from notifications.delivery.sending import finish_notifications
from notifications.delivery.states import release_stale
from notifications.models import Delivery, Notification

logger = logging.getLogger(__name__)

SWEEP_LIMIT = 20_000  # deliveries re-queued per sweep (the next sweep takes the rest)
UNQUEUED_GRACE_SECONDS = 10  # a notification never handed to the broker is retried this soon


def sweep() -> dict[str, int]:
    """Re-queue notifications still pending, deliveries pending past their time and
    deliveries claimed past ``NOTIFY_CLAIM_TIMEOUT_SECONDS``; close finished notifications."""
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
        queue.enqueue(queue.SEND_NOTIFICATION, notification_id)
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
    finish_notifications(finished)
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
