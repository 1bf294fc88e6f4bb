"""Turning a notification into queued batches of deliveries."""

from __future__ import annotations

from collections.abc import Sequence

from notifications import conf, queue
from notifications.delivery import sending
from notifications.delivery.expansion import Expansion, expand
from notifications.models import Delivery


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
    """One ``send_deliveries`` task per ``NOTIFY_BATCH_SIZE`` deliveries."""
    size = conf.get_int("NOTIFY_BATCH_SIZE")
    for start in range(0, len(delivery_ids), size):
        queue.enqueue(queue.SEND_DELIVERIES, list(delivery_ids[start : start + size]))


def expand_and_dispatch(notification_id: int) -> tuple[Expansion, int]:
    """Expand a notification, queue its pending deliveries, and finish it if there are none."""
    result = expand(notification_id)
    queued = dispatch(notification_id)
    if queued == 0 and result.expanded:
        sending.finish_notifications([notification_id])
    return result, queued
