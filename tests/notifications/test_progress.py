"""Progress for the boards: counts per status, at most about one push per second per
notification, and always a final one."""

from __future__ import annotations

from unittest import mock

import pytest

from agencies.models import Discipline
from notifications.delivery import progress
from notifications.models import Notification
from notifications.tasks import send_notification
from tests.incidents.conftest import declare
from tests.notifications.helpers import person

pytestmark = pytest.mark.django_db


def notification(world, **fields) -> Notification:
    return Notification.objects.create(
        region=world.region_a,
        kind="incident.declared",
        channels=["sms"],
        texts={"sms": "MCI"},
        audience={"disciplines": [Discipline.EM]},
        **fields,
    )


def test_pushes_within_the_window_are_throttled_per_notification(world, pushed):
    first, second = notification(world), notification(world)

    sent = [progress.push(first.pk) for _ in range(5)]
    progress.push(second.pk)

    assert [s is not None for s in sent] == [True, False, False, False, False]
    assert [e["notification"] for _, e in pushed] == [first.pk, second.pk]


def test_the_final_push_is_never_throttled(world, pushed):
    first = notification(world)
    progress.push(first.pk)

    assert progress.push(first.pk, force=True) is not None
    assert len(pushed) == 2


def test_a_throttled_push_schedules_one_trailing_push_when_a_worker_runs(world, pushed, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    first = notification(world)
    from notifications.tasks import push_progress

    with mock.patch.object(push_progress, "apply_async") as later:
        progress.push(first.pk)
        progress.push(first.pk)
        progress.push(first.pk)

    later.assert_called_once_with((first.pk,), countdown=1)


def test_a_fan_out_in_many_batches_pushes_a_few_envelopes_and_a_final_one(
    world, dispatcher_a, notify_settings, pushed
):
    notify_settings.NOTIFY_BATCH_SIZE = 2
    incident = declare(world.region_a, dispatcher_a)
    for _ in range(8):
        person(world.em_a)
    made = notification(world, incident=incident)

    send_notification(made.pk)

    envelopes = [e for _, e in pushed if e["type"] == "progress"]
    assert 2 <= len(envelopes) < 4  # four batches, one throttled window, then the final
    final = envelopes[-1]
    assert final == {
        "type": "progress",
        "incident": incident.pk,
        "notification": made.pk,
        "kind": "incident.declared",
        "total": 8,
        "counts": {
            "pending": 0,
            "sending": 0,
            "sent": 8,
            "delivered": 0,
            "undelivered": 0,
            "failed": 0,
        },
        "acknowledged": 0,
        "summary": {  # no Twilio here: the console transport kept them, nothing was sent
            "total": 8,
            "acknowledged": 0,
            "reached": 0,
            "on_the_way": 0,
            "sending": 0,
            "failed": 0,
            "failure_reasons": {},
            "not_sent": 8,
            "phase": "finished",
            "text": "Finished: 0 of 8 reached · 8 not sent (console mode)",
        },
        "at": final["at"],
    }
    made.refresh_from_db()
    assert made.state == "done"
