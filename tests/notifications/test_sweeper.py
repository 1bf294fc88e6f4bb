"""Nothing lost: the sweeper sends what a broker outage or a dead worker left behind, and
never sends twice what the provider already accepted."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone
from kombu.exceptions import OperationalError

from agencies.models import Discipline, RosterRole
from notifications.delivery.expansion import expand
from notifications.models import Delivery, Notification
from notifications.tasks import send_notification, sweep
from tests.incidents.conftest import declare
from tests.notifications.helpers import build_roster, person, rule

pytestmark = pytest.mark.django_db


def age(queryset, **fields) -> None:
    """Pretend the rows are older than the sweeper's grace."""
    long_ago = timezone.now() - timedelta(minutes=10)
    queryset.update(**{name: long_ago for name in fields})


@pytest.fixture
def fast(notify_settings, twilio_settings):
    return notify_settings


def test_an_mci_declared_while_the_broker_is_down_is_sent_by_the_sweeper(
    world, dispatcher_a, fast, twilio_fake, on_commit, caplog
):
    world.region_a.hospitals_to_notify = 1
    world.region_a.save()
    roster = build_roster(world)
    rule(world, incident_hospitals_er=True)
    broker_down = OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    with mock.patch.object(send_notification, "apply_async", side_effect=broker_down), on_commit():
        incident = declare(world.region_a, dispatcher_a)  # the declaration still succeeds

    notification = incident.notifications.get()
    assert (notification.state, notification.queued_at) == ("pending", None)
    assert "the sweeper will" in caplog.text
    assert twilio_fake.requests == []

    assert sweep()["notifications"] == 0  # within the grace: maybe just slow
    age(Notification.objects.all(), created_at=True)
    assert sweep()["notifications"] == 1

    notification.refresh_from_db()
    assert notification.state == "done"
    sent_to = sorted(r.form["To"] for r in twilio_fake.sent())
    assert sent_to == sorted(m.contact_points.get(channel="sms").address for m in roster.er_a1)
    assert sweep()["notifications"] == 0
    assert len(twilio_fake.requests) == 2  # once each


def test_deliveries_claimed_by_a_killed_worker_are_sent_after_the_claim_timeout(
    world, fast, twilio_fake
):
    for _ in range(3):
        person(world.em_a, roles=[RosterRole.STAFF])
    notification = Notification.objects.create(
        region=world.region_a,
        kind="incident.declared",
        channels=["sms"],
        texts={"sms": "MCI"},
        audience={"disciplines": [Discipline.EM]},
    )
    expand(notification.pk)
    in_flight, accepted, waiting = notification.deliveries.order_by("id")
    # The worker died: one delivery was claimed and in flight, one was accepted and its
    # provider id saved, one was never reached.
    Delivery.objects.filter(pk=in_flight.pk).update(status="sending", attempts=1)
    Delivery.objects.filter(pk=accepted.pk).update(
        status="sending", attempts=1, provider_id="SMaccepted"
    )
    age(notification.deliveries.filter(status="sending"), claimed_at=True)
    age(notification.deliveries.all(), created_at=True)

    summary = sweep()

    assert (summary["released"], summary["settled"]) == (1, 1)
    sent_to = sorted(r.form["To"] for r in twilio_fake.sent())
    assert sent_to == sorted([in_flight.address, waiting.address])  # never the accepted one
    statuses = dict(notification.deliveries.values_list("id", "status"))
    assert statuses == {in_flight.pk: "sent", accepted.pk: "sent", waiting.pk: "sent"}
    assert Delivery.objects.get(pk=in_flight.pk).attempts == 2
    notification.refresh_from_db()
    assert notification.state == "done"


def test_a_claim_within_the_timeout_is_left_to_its_worker(world, fast, twilio_fake):
    person(world.em_a)
    notification = Notification.objects.create(
        region=world.region_a,
        kind="incident.declared",
        channels=["sms"],
        texts={"sms": "MCI"},
        audience={"disciplines": [Discipline.EM]},
    )
    expand(notification.pk)
    notification.deliveries.update(status="sending", claimed_at=timezone.now())
    age(notification.deliveries.all(), created_at=True)

    assert sweep()["released"] == 0
    assert twilio_fake.requests == []


def test_an_overdue_retry_is_requeued_and_a_future_one_is_not(world, fast, twilio_fake):
    person(world.em_a)
    person(world.em_a)
    notification = Notification.objects.create(
        region=world.region_a,
        kind="incident.declared",
        channels=["sms"],
        texts={"sms": "MCI"},
        audience={"disciplines": [Discipline.EM]},
    )
    expand(notification.pk)
    overdue, future = notification.deliveries.order_by("id")
    Delivery.objects.filter(pk=overdue.pk).update(
        next_attempt_at=timezone.now() - timedelta(minutes=5), attempts=1
    )
    Delivery.objects.filter(pk=future.pk).update(
        next_attempt_at=timezone.now() + timedelta(minutes=5), attempts=1
    )

    assert sweep()["requeued"] == 1

    assert [r.form["To"] for r in twilio_fake.sent()] == [overdue.address]
    assert Delivery.objects.get(pk=future.pk).status == "pending"


def test_a_finished_notification_is_closed_by_the_sweeper(world, fast, pushed):
    notification = Notification.objects.create(
        region=world.region_a,
        kind="incident.declared",
        channels=["sms"],
        texts={"sms": "MCI"},
        audience={},
        state="expanded",
    )

    assert sweep()["finished"] == 1

    notification.refresh_from_db()
    assert notification.state == "done"
    assert [e["notification"] for _, e in pushed] == [notification.pk]
