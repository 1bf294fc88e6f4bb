"""Refresher reminders go out through the notification system, by email and in-app, to the
member and their agency's admins, once per record and window; the beat runs the task."""

from __future__ import annotations

from datetime import date

import pytest
from django.conf import settings

from agencies.models import Channel
from notifications.models import Delivery, Notification
from readiness.models import RefresherReminder
from readiness.reminders import KIND, send_refresher_reminders
from readiness.services import training
from tests.factories import ContactPointFactory, MemberFactory
from tests.readiness.training_fixtures import Training

pytestmark = pytest.mark.django_db


def run(day: date, capture) -> int:
    with capture(execute=True):
        return send_refresher_reminders(day)


def test_reminders_reach_member_and_admin_once_per_window(
    world, trained: Training, police_admin_a, django_capture_on_commit_callbacks
):
    admin_entry = MemberFactory(agency=world.police_a, user=police_admin_a, full_name="Pat Admin")
    ContactPointFactory(member=admin_entry, channel=Channel.EMAIL, address="pat@apd.test")
    training.attendance_record(actor=None, session=trained.session, member=trained.alice)
    # expires 2028-03-01: nothing before 90 days out
    assert run(date(2027, 11, 1), django_capture_on_commit_callbacks) == 0
    assert run(date(2027, 12, 5), django_capture_on_commit_callbacks) == 1  # 87 days: 90
    notification = Notification.objects.get(kind=KIND)
    assert (
        "Alice Adams" in notification.texts["email"]
        and "within 90 days" in notification.subject + notification.texts["email"]
    )
    deliveries = set(Delivery.objects.values_list("channel", "address"))
    assert ("email", "alice@apd.test") in deliveries and ("email", "pat@apd.test") in deliveries
    assert Delivery.objects.filter(channel="in_app", user=police_admin_a).exists()
    # the same window again: nothing new
    assert run(date(2027, 12, 20), django_capture_on_commit_callbacks) == 0
    # the next windows, once each
    assert run(date(2028, 1, 1), django_capture_on_commit_callbacks) == 1  # 60
    assert run(date(2028, 2, 10), django_capture_on_commit_callbacks) == 1  # 30
    assert run(date(2028, 2, 11), django_capture_on_commit_callbacks) == 0
    assert sorted(RefresherReminder.objects.values_list("window", flat=True)) == [30, 60, 90]


def test_a_renewed_record_is_not_reminded(
    world, trained: Training, django_capture_on_commit_callbacks
):
    training.attendance_record(actor=None, session=trained.session, member=trained.alice)
    renewal = training.session_create(
        actor=None, region=world.region_a, course=trained.basic, date=date(2027, 11, 1)
    )
    training.attendance_record(actor=None, session=renewal, member=trained.alice)
    assert run(date(2028, 2, 10), django_capture_on_commit_callbacks) == 0


def test_the_beat_runs_the_task():
    entry = settings.CELERY_BEAT_SCHEDULE["readiness-refresher-reminders"]
    assert entry["task"] == "readiness.refresher_reminders"
    from asim.celery import app

    app.loader.import_default_modules()
    assert "readiness.refresher_reminders" in app.tasks
