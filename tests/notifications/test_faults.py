"""Fault tests with real processes: nothing lost, nothing sent twice beyond what was in flight.

A real ``celery -A asim worker`` (tests/notifications/workers.py) runs against the test
database and this run's own Redis database, and sends through the real ``twilio`` SDK to the
fake Twilio over real HTTP. The web side is this test process: it declares the MCI through
the service, and its on-commit hand-over goes to the broker as in production.
"""

from __future__ import annotations

import re
import signal
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

import kombu.pools
import pytest

from agencies.models import ContactPoint, Discipline, Member
from asim.celery import app as celery_app
from notifications.models import Delivery, Notification
from tests.fakes.twilio_server import FakeTwilioServer
from tests.incidents.conftest import declare
from tests.notifications.helpers import rule
from tests.notifications.workers import Workers, flush_redis, redis_url, wait_for, worker_env

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

CLOSED_PORT_BROKER = "redis://127.0.0.1:1/0"  # nothing listens on port 1: connection refused
OPEN = [Delivery.Status.PENDING, Delivery.Status.SENDING]


@contextmanager
def web_broker(url: str) -> Iterator[None]:
    """Make this (web) process hand tasks to ``url`` for real, not eagerly; restore after.

    Celery caches its connection and producer pools, and kombu keeps them in process-wide
    registries keyed by broker URL, so both are dropped on the way in and out for the new URL
    to take effect (closing a registered pool without clearing the registry would leave later
    tests a closed pool)."""

    def drop_pools() -> None:
        kombu.pools.reset()
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    saved = (celery_app.conf.broker_url, celery_app.conf.task_always_eager)
    drop_pools()
    celery_app.conf.broker_url = url
    celery_app.conf.task_always_eager = False
    try:
        yield
    finally:
        drop_pools()
        celery_app.conf.broker_url, celery_app.conf.task_always_eager = saved


@pytest.fixture
def fake_twilio() -> Iterator[FakeTwilioServer]:
    """The fake Twilio answering every request after 50 ms, as a real provider would."""
    with FakeTwilioServer(latency_ms=50) as server:
        yield server


@pytest.fixture
def workers(transactional_db, fake_twilio, tmp_path) -> Iterator[Workers]:
    """Start workers with ``workers.start(name)``; all are stopped before the database is
    flushed (this fixture depends on transactional_db, so it is torn down first)."""
    flush_redis()
    twilio = {
        "url": fake_twilio.url,
        "account_sid": fake_twilio.account_sid,
        "auth_token": fake_twilio.auth_token,
    }
    started = Workers(worker_env(twilio), tmp_path)
    try:
        yield started
    finally:
        started.close()
        flush_redis()


def staff(agency, count: int, *, first_number: int = 6_000_000) -> list[str]:
    """``count`` members of ``agency`` with one SMS number each (bulk inserts); returns
    their numbers."""
    members = Member.objects.bulk_create(
        Member(agency=agency, full_name=f"Staff {i:05d}", roles=[]) for i in range(count)
    )
    numbers = [f"+1937{first_number + i:07d}" for i in range(count)]
    ContactPoint.objects.bulk_create(
        ContactPoint(member=member, channel="sms", address=number)
        for member, number in zip(members, numbers, strict=True)
    )
    return numbers


def accepted_per_number(fake: FakeTwilioServer) -> Counter[str]:
    return Counter(r.form.get("To", "") for r in fake.sent() if r.status == 201)


def open_count(notification: Notification) -> int:
    return notification.deliveries.filter(status__in=OPEN).count()


def test_an_mci_declared_while_the_broker_is_unreachable_goes_out_once_through_the_sweeper(
    world, dispatcher_a, fake_twilio, workers, caplog
):
    # Two rules, two notifications: the web side must give up on the broker quickly, not
    # stall the dispatcher's declaration once per notification.
    numbers = staff(world.em_a, 200) + staff(world.ems_a, 50, first_number=7_000_000)
    rule(world, disciplines=[Discipline.EM], channels=["sms"])
    rule(world, disciplines=[Discipline.EMS], channels=["sms"])
    workers.start("sweeper")  # the workers' side can reach Redis; only the web side cannot

    started = time.monotonic()
    with web_broker(CLOSED_PORT_BROKER):
        incident = declare(world.region_a, dispatcher_a)  # commits; the hand-over fails
    took = time.monotonic() - started
    print(f"\ndeclaring with the broker unreachable took {took:.1f}s")
    assert took < 10, "the declaration stalled on the unreachable broker"

    # The MCI and its alerts are committed; they were never handed to the broker, so only the
    # sweeper can queue them.
    notifications = Notification.objects.filter(incident=incident)
    assert notifications.count() == 2
    assert "could not queue" in caplog.text

    with web_broker(redis_url()):
        wait_for(
            lambda: not notifications.exclude(state=Notification.State.DONE).exists(),
            timeout=40,
            what="the sweeper to send both notifications and mark them done",
            details=workers.started[0].log,
        )
        time.sleep(3)  # three more sweeps: none may send anything again

    swept = re.findall(r"sweep: \{'notifications': (\d+)", workers.started[0].log())
    assert sum(int(n) for n in swept) == 2  # queued by the sweeper, once each
    statuses = Counter(
        Delivery.objects.filter(notification__incident=incident).values_list("status", flat=True)
    )
    assert statuses == {Delivery.Status.SENT: 250}
    per_number = accepted_per_number(fake_twilio)
    assert set(per_number) == set(numbers)  # every delivery went out…
    assert {n: c for n, c in per_number.items() if c != 1} == {}  # …exactly once
    assert len(fake_twilio.requests) == 250


def test_a_worker_killed_mid_fan_out_loses_nothing_and_resends_at_most_what_was_in_flight(
    world, dispatcher_a, fake_twilio, workers
):
    numbers = staff(world.em_a, 2000)
    rule(world, disciplines=[Discipline.EM], channels=["sms"])
    first = workers.start("first")

    with web_broker(redis_url()):
        incident = declare(world.region_a, dispatcher_a)
    notification = Notification.objects.get(incident=incident)
    # 730: in the middle of the second batch of 500 (NOTIFY_BATCH_SIZE), where the worker
    # always has slices claimed and requests on the wire — not between two tasks.
    wait_for(
        lambda: len(fake_twilio.requests) >= 730,
        timeout=30,
        what="the fake Twilio to see 730 requests",
        interval=0.01,
        details=first.log,
    )
    first.kill(signal.SIGKILL)
    requests_at_kill = len(fake_twilio.requests)
    time.sleep(0.5)  # requests already on the wire are answered by the fake, unseen
    in_flight = notification.deliveries.filter(
        status=Delivery.Status.SENDING, provider_id__isnull=True
    ).count()
    sent_at_kill = notification.deliveries.filter(provider_id__isnull=False).count()
    assert 0 < sent_at_kill < 2000, "the kill did not land in the middle of the fan-out"
    assert in_flight > 0, "the kill did not land while requests were in flight"

    second = workers.start("second")
    wait_for(
        lambda: open_count(notification) == 0,
        timeout=45,
        what="the restarted worker and the sweeper to send every delivery",
        details=second.log,
    )
    time.sleep(2)  # a couple more sweeps: nothing more may go out

    statuses = Counter(notification.deliveries.values_list("status", flat=True))
    assert statuses == {Delivery.Status.SENT: 2000}
    per_number = accepted_per_number(fake_twilio)
    assert set(per_number) == set(numbers)  # nothing lost
    sent_twice = sorted(n for n, c in per_number.items() if c > 1)
    assert max(per_number.values()) <= 2
    print(
        f"\nSIGKILL after {requests_at_kill} provider requests: {sent_at_kill} deliveries had "
        f"a provider id, {in_flight} were in flight (sending, no provider id); "
        f"sent twice: {len(sent_twice)} (bound: {in_flight})"
    )
    assert len(sent_twice) <= in_flight
    # Only a delivery in flight at the kill may have gone out twice.
    twice_in_flight_at_kill = Delivery.objects.filter(
        notification=notification, address__in=sent_twice, attempts__gte=2
    ).count()
    assert twice_in_flight_at_kill == len(sent_twice)
