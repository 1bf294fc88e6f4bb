"""The embedded mode's in-process scheduler runs beat's schedule: a hospital that does not
acknowledge is escalated under `make run` too, where no beat process exists."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from django.conf import settings

from asim.scheduler import EmbeddedScheduler, start_embedded_scheduler
from notifications.models import HospitalEscalation
from tests.incidents.conftest import declare

pytestmark = pytest.mark.django_db(transaction=True)  # the scheduler thread has its own connection


def eventually(predicate: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


def fast(schedule: dict, seconds: float) -> dict:
    """Beat's own schedule with a short interval (the tasks and options are the real ones)."""
    return {name: {**entry, "schedule": seconds} for name, entry in schedule.items()}


def test_the_embedded_scheduler_escalates_a_hospital_that_has_not_acknowledged(world, dispatcher_a):
    world.region_a.hospitals_to_notify = 1
    world.region_a.ack_timeout_seconds = 1
    world.region_a.save()
    incident = declare(world.region_a, dispatcher_a)
    scheduler = EmbeddedScheduler(fast(settings.CELERY_BEAT_SCHEDULE, 0.3), tick=0.1).start()
    try:
        assert eventually(
            lambda: HospitalEscalation.objects.filter(incident=incident).exists(), timeout=10
        ), "no escalation within 10 s"
    finally:
        scheduler.stop()
    assert scheduler.runs["notifications-escalate"] >= 2
    assert scheduler.runs["notifications-sweep"] >= 1
    escalation = HospitalEscalation.objects.filter(incident=incident).first()
    assert escalation.hospital == world.hospital_a1


def test_it_runs_every_task_of_beats_schedule_and_is_off_unless_the_mode_asks(settings):
    scheduler = EmbeddedScheduler(settings.CELERY_BEAT_SCHEDULE)
    assert {task for task, _ in scheduler.entries.values()} == {
        "notifications.sweep",
        "notifications.escalate",
        "readiness.refresher_reminders",
    }
    settings.EMBEDDED_SCHEDULER = False  # the tests' mode (Redis set): beat's job
    assert start_embedded_scheduler() is None
