"""Hand work to the Celery workers by task name, so no domain module imports the tasks.

notifications/tasks.py is the top of the app's import graph: the tasks call the services and
delivery modules, and those queue follow-up work through here by name. The names are the
Celery task names (the beat schedule and messages already in the broker use them).

Code that runs inside a change's transaction (rules, escalation) queues new notifications with
``notifications_on_commit``: they are queued once the transaction commits, so a worker never
looks for rows that are not committed yet or were rolled back. Worker code, which runs
outside any transaction, queues at once: ``enqueue`` raises the broker's error (the task
fails and is retried), ``try_enqueue`` logs it and lets the sweeper or the next push make up.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from celery import Task, current_app
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from notifications.models import Notification

logger = logging.getLogger(__name__)

SEND_NOTIFICATION = "notifications.send_notification"
SEND_DELIVERIES = "notifications.send_deliveries"
PUSH_PROGRESS = "notifications.push_progress"
SWEEP = "notifications.sweep"
ESCALATE = "notifications.escalate"

# What a broker that cannot be reached raises when a task is queued.
BROKER_ERRORS: tuple[type[Exception], ...] = (OperationalError, ConnectionError, OSError)


def registered_task(name: str) -> Task:
    """The task registered under ``name``. Calling it rather than ``send_task`` keeps eager
    mode (CELERY_TASK_ALWAYS_EAGER) running tasks in-process. The web process imports the
    task modules the first time one is needed (a worker imports them when it starts)."""
    app = current_app
    if name not in app.tasks:
        app.loader.import_default_modules()
    try:
        return app.tasks[name]
    except KeyError:
        raise LookupError(f"no Celery task named {name!r}") from None


def enqueue(name: str, *args: Any, **options: Any) -> None:
    """Queue ``name(*args)`` now; ``options`` are ``apply_async``'s (countdown, retry…).
    Raises one of BROKER_ERRORS when the broker cannot be reached."""
    registered_task(name).apply_async(args, **options)


def try_enqueue(name: str, *args: Any, **options: Any) -> bool:
    """Queue ``name(*args)`` now; False (logged) when the broker cannot be reached."""
    try:
        enqueue(name, *args, **options)
    except BROKER_ERRORS:
        logger.warning("could not queue %s%r (broker unreachable)", name, args, exc_info=True)
        return False
    return True


def notifications_on_commit(notification_ids: Iterable[int]) -> None:
    """Queue ``send_notification`` for each id once the current transaction commits."""
    ids = list(notification_ids)
    transaction.on_commit(lambda: _queue_notifications(ids))


def _queue_notifications(notification_ids: list[int]) -> None:
    """A broker that is down is logged, not raised: the rows are committed and the sweeper
    re-queues them (``queued_at`` stays empty)."""
    queued = []
    for position, notification_id in enumerate(notification_ids):
        try:
            enqueue(SEND_NOTIFICATION, notification_id, retry=False)
        except BROKER_ERRORS:
            # Each attempt against a dead broker blocks for kombu's connection retries
            # (seconds): give up on the rest at once rather than stall the request that
            # committed the change once per notification.
            logger.warning(
                "could not queue notifications %s (broker unreachable); the sweeper will",
                notification_ids[position:],
                exc_info=True,
            )
            break
        queued.append(notification_id)
    if queued:
        Notification.objects.filter(pk__in=queued, queued_at__isnull=True).update(
            queued_at=timezone.now()
        )
