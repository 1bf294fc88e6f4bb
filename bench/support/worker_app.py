"""The Celery app of the benchmark's workers: ASIM's own app, plus three things.

- every task goes to the benchmark's own queue (``BENCH_QUEUE``), so a run shares nothing
  with other users of the same Redis database and needs no flush;
- each worker process counts the SQL statements its tasks run (a Django execute wrapper) and
  adds them to the Redis counter ``BENCH_QUERY_KEY`` after each task;
- the naive baseline: ``bench.naive_send`` sends ONE delivery per task with the twilio SDK's
  blocking client, the way a first implementation would.

Run as ``celery -A bench.support.worker_app worker -Q $BENCH_QUEUE``.
"""

from __future__ import annotations

import os
from typing import Any

from celery.signals import task_postrun, task_prerun

from asim.celery import app

app.conf.task_default_queue = os.environ.get("BENCH_QUEUE", "celery")

_queries = 0
_reported = 0


def _count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
    global _queries
    _queries += 1
    return execute(sql, params, many, context)


@task_prerun.connect
def _install_counter(**_: Any) -> None:
    from django.db import connection

    if _count not in connection.execute_wrappers:
        connection.execute_wrappers.append(_count)


@task_postrun.connect
def _report_queries(**_: Any) -> None:
    global _reported
    key = os.environ.get("BENCH_QUERY_KEY")
    if not key or _queries == _reported:
        return
    import redis

    redis.Redis.from_url(os.environ["REDIS_URL"]).incrby(key, _queries - _reported)
    _reported = _queries


_client: Any = None


def _twilio() -> Any:
    """One blocking SDK client per process (connection reuse: the baseline's best case)."""
    global _client
    if _client is None:
        from django.conf import settings
        from twilio.rest import Client

        from notifications.delivery.transports.twilio_client import BaseUrlHttpClient

        _client = Client(
            settings.TWILIO_ACCOUNT_SID,
            settings.TWILIO_AUTH_TOKEN,
            http_client=BaseUrlHttpClient(settings.TWILIO_API_BASE_URL),
        )
    return _client


@app.task(name="bench.naive_send")
def naive_send(delivery_id: int) -> str:
    """Load one delivery, claim it, send it with a blocking SDK call, record the answer."""
    from django.conf import settings
    from django.utils import timezone

    from notifications.models import Delivery

    delivery = Delivery.objects.select_related("notification").get(pk=delivery_id)
    claimed = Delivery.objects.filter(pk=delivery_id, status=Delivery.Status.PENDING).update(
        status=Delivery.Status.SENDING, claimed_at=timezone.now(), attempts=delivery.attempts + 1
    )
    if not claimed:
        return "skipped"
    message = _twilio().messages.create(
        to=delivery.address,
        from_=settings.TWILIO_FROM_NUMBER,
        body=(delivery.notification.texts or {}).get("sms", ""),
    )
    Delivery.objects.filter(pk=delivery_id).update(
        status=Delivery.Status.SENT, provider_id=message.sid, sent_at=timezone.now()
    )
    return message.sid
