"""Expanding a notification into deliveries: in bulk, once, one per member/channel/address."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agencies.models import Channel, Discipline, RosterRole
from notifications.delivery.expansion import expand
from notifications.models import Delivery, Notification
from tests.factories import ContactPointFactory, UserFactory
from tests.notifications.helpers import person

pytestmark = pytest.mark.django_db


def notification_to_em(world, *, channels: list[str]) -> Notification:
    return Notification.objects.create(
        region=world.region_a,
        kind="incident.declared",
        channels=channels,
        texts={c: "MCI declared" for c in channels},
        audience={"disciplines": [Discipline.EM], "roster_roles": [], "on_call_only": False},
    )


def staff_em(world, count: int) -> None:
    for _ in range(count):
        person(world.em_a, roles=[RosterRole.STAFF], channels=("sms", "voice", "email"))


def test_one_delivery_per_member_channel_and_address(world):
    member = person(world.em_a, channels=("sms", "voice", "email"), user=UserFactory())
    ContactPointFactory(member=member, channel=Channel.SMS, address="+19375559990", priority=2)
    notification = notification_to_em(world, channels=["sms", "voice", "email", "in_app"])

    result = expand(notification.pk)

    rows = list(notification.deliveries.values_list("channel", "address", "status"))
    phone = member.contact_points.filter(channel=Channel.SMS, priority=1).get().address
    assert sorted(rows) == sorted(
        [
            ("sms", phone, "pending"),
            ("sms", "+19375559990", "pending"),
            ("voice", phone, "pending"),
            ("email", f"{member.pk}.email@example.org", "pending"),
            ("in_app", f"user:{member.user_id}", "pending"),
        ]
    )
    assert (result.created, result.recipients) == (5, 1)
    notification.refresh_from_db()
    assert (notification.state, notification.recipient_count) == ("expanded", 1)


def test_only_the_notifications_channels_are_used(world):
    person(world.em_a, channels=("sms", "voice", "email"), user=UserFactory())
    notification = notification_to_em(world, channels=["email"])

    expand(notification.pk)

    assert list(notification.deliveries.values_list("channel", flat=True)) == ["email"]


def test_a_number_shared_by_two_roster_entries_gets_one_message(world):
    first = person(world.em_a, channels=("sms",))
    shared = first.contact_points.get().address
    second = person(world.em_a, channels=())
    ContactPointFactory(member=second, channel=Channel.SMS, address=shared)
    notification = notification_to_em(world, channels=["sms"])

    expand(notification.pk)

    assert list(notification.deliveries.values_list("address", "member_id")) == [(shared, first.pk)]


def test_expanding_again_creates_no_duplicates(world):
    staff_em(world, 4)
    notification = notification_to_em(world, channels=["sms", "email"])
    expand(notification.pk)
    first = sorted(notification.deliveries.values_list("id", "channel", "address"))

    again = expand(notification.pk)  # a redelivered task
    Notification.objects.filter(pk=notification.pk).update(state="pending")
    replayed = expand(notification.pk)  # even a forced re-run inserts nothing new

    assert not again.expanded
    assert replayed.created == 0
    assert sorted(notification.deliveries.values_list("id", "channel", "address")) == first
    assert len(first) == 8


def test_the_unique_constraints_refuse_a_second_row_for_the_same_contact_point(world):
    from django.db import IntegrityError, transaction

    member = person(world.em_a, channels=("sms",), user=UserFactory())
    notification = notification_to_em(world, channels=["sms", "in_app"])
    expand(notification.pk)
    point = member.contact_points.get()

    with pytest.raises(IntegrityError), transaction.atomic():
        Delivery.objects.create(
            notification=notification,
            member=member,
            contact_point=point,
            channel="sms",
            address="+19375550000",
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Delivery.objects.create(
            notification=notification, member=member, channel="in_app", address="user:x"
        )


def expansion_queries(world, members: int) -> int:
    staff_em(world, members)
    notification = notification_to_em(world, channels=["sms", "voice", "email", "in_app"])
    with CaptureQueriesContext(connection) as queries:
        result = expand(notification.pk)
    assert result.created == 3 * Delivery.objects.values("member_id").distinct().count()
    return len(queries)


def test_expansion_takes_the_same_few_queries_for_5_or_60_recipients(world):
    small = expansion_queries(world, 5)
    Delivery.objects.all().delete()
    Notification.objects.all().delete()

    large = expansion_queries(world, 55)  # 60 members, 180 deliveries

    assert small == large
    assert large <= 8


def test_an_audience_with_nobody_in_it_is_finished_at_once(world, pushed):
    from notifications.tasks import send_notification

    notification = notification_to_em(world, channels=["sms"])

    send_notification(notification.pk)

    notification.refresh_from_db()
    assert (notification.state, notification.recipient_count) == ("done", 0)
    assert notification.done_at is not None
    [(groups, envelope)] = pushed
    assert groups == [f"region-{world.region_a.pk}"]
    assert (envelope["total"], envelope["notification"]) == (0, notification.pk)
