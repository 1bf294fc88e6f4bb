"""Communications drills: who is targeted, the real notification path (fake Twilio, email,
in-app), acknowledgements (in-app and SMS ACK) changing the results, nothing sent twice, and
contact points not confirmed within the period."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from agencies.models import AuditEntry, Role, RosterRole
from notifications.models import Delivery, Notification
from readiness.models import CommunicationsDrill
from readiness.services import drills
from tests.factories import DistributionListFactory, user_with_roles
from tests.notifications.conftest import (  # noqa: F401  (fixtures)
    _fresh_progress_gates,
    notify_settings,
    on_commit,
    twilio_fake,
    twilio_settings,
)
from tests.notifications.helpers import person
from tests.notifications.test_replies import number, sms

pytestmark = pytest.mark.django_db

Audience = CommunicationsDrill.Audience


@pytest.fixture
def sending(notify_settings, twilio_settings, twilio_fake, on_commit):  # noqa: F811
    return on_commit


@pytest.fixture
def fake(twilio_fake):  # noqa: F811
    return twilio_fake


@pytest.fixture
def people(world):
    login = user_with_roles(world.hospital_a1.agency, Role.HOSPITAL, username="nurse_login")
    return {
        "nurse": person(
            world.hospital_a1.agency, roles=[RosterRole.ER_CONTACT], channels=("sms", "email")
        ),
        "nurse_app": person(
            world.hospital_a1.agency, roles=[RosterRole.ER_CONTACT], channels=(), user=login
        ),
        "er_a2": person(world.hospital_a2.agency, roles=[RosterRole.ER_CONTACT]),
        "dispatcher": person(world.dispatch_a, channels=("sms",)),
        "duty": person(world.police_a, roles=[RosterRole.DUTY_OFFICER], channels=("voice",)),
        "er_b": person(world.hospital_b1.agency, roles=[RosterRole.ER_CONTACT]),
        "gone": person(world.hospital_a1.agency, roles=[RosterRole.ER_CONTACT], active=False),
    }


def test_audiences_resolve_to_the_regions_members(world, people):
    region = world.region_a
    er = drills.audience_members(region, Audience.ER_CONTACTS)
    assert er == {
        world.hospital_a1.agency_id: sorted([people["nurse"].pk, people["nurse_app"].pk]),
        world.hospital_a2.agency_id: [people["er_a2"].pk],
    }
    assert drills.audience_members(region, Audience.DISPATCH_CENTRES) == {
        world.dispatch_a.pk: [people["dispatcher"].pk]
    }
    assert drills.audience_members(region, Audience.DUTY_OFFICERS) == {
        world.police_a.pk: [people["duty"].pk]
    }
    listed = DistributionListFactory(region=region)
    listed.members.add(people["dispatcher"])
    assert drills.audience_members(region, Audience.DISTRIBUTION_LIST, listed) == {
        world.dispatch_a.pk: [people["dispatcher"].pk]
    }
    other = DistributionListFactory(region=world.region_b)
    with pytest.raises(ValidationError) as error:
        drills.audience_members(region, Audience.DISTRIBUTION_LIST, other)
    assert "distribution_list" in error.value.message_dict


def test_a_drill_goes_out_on_the_real_path_marked_as_a_drill(world, people, em_a, sending, fake):
    with sending():
        drill = drills.drill_start(
            actor=em_a, region=world.region_a, audience=Audience.ER_CONTACTS, message="Monthly."
        )
    notification = Notification.objects.get()
    assert drill.notification == notification and notification.incident is None
    assert notification.exercise and notification.kind == drills.KIND
    rows = Delivery.objects.filter(notification=notification)
    assert sorted(rows.values_list("member_id", "channel")) == sorted(
        [
            (people["nurse"].pk, "sms"),
            (people["nurse"].pk, "email"),
            (people["nurse_app"].pk, "in_app"),
            (people["er_a2"].pk, "sms"),
        ]
    )
    assert set(rows.values_list("channel", "status")) == {
        ("sms", "sent"),
        ("email", "sent"),
        ("in_app", "delivered"),
    }
    texts = [m.form["Body"] for m in fake.sent("Messages")]
    assert len(texts) == 2, texts
    assert all(
        t.startswith("EXERCISE EXERCISE EXERCISE. ASIM COMMUNICATIONS DRILL — no action except")
        for t in texts
    )
    assert "Monthly." in texts[0]
    assert len(mail.outbox) == 1 and "DRILL" in mail.outbox[0].body
    assert AuditEntry.objects.filter(object_id=str(drill.pk)).exists()


def test_acknowledgements_change_the_results_and_nothing_is_sent_twice(
    world, people, em_a, sending, fake, client
):
    with sending():
        drill = drills.drill_start(actor=em_a, region=world.region_a, audience=Audience.ER_CONTACTS)
    before = drills.drill_results(drill)
    a1 = next(r for r in before if r.agency_id == world.hospital_a1.agency_id)
    assert (a1.targeted, a1.reached, a1.acknowledged, a1.median_ack_seconds) == (2, 1, 0, None)
    assert sorted(a1.not_acknowledged) == sorted(
        [people["nurse"].full_name, people["nurse_app"].full_name]
    )

    # In-app acknowledge through the inbox API.
    inbox = Delivery.objects.get(member=people["nurse_app"], channel="in_app")
    client.force_login(people["nurse_app"].user)
    response = client.post(f"/api/v1/inbox/{inbox.pk}/acknowledge/")
    assert response.status_code == 200, response.content
    # An SMS ACK reply from the other hospital's ER contact.
    with sending():
        assert sms(number(people["er_a2"]), "ACK").status_code == 200

    after = {r.agency_id: r for r in drills.drill_results(drill)}
    a1, a2 = after[world.hospital_a1.agency_id], after[world.hospital_a2.agency_id]
    # The nurse's SMS and email are sent, not yet reported delivered: not reached.
    assert (a1.reached, a1.acknowledged, a1.reach_percent) == (1, 1, 50)
    assert a1.not_acknowledged == [people["nurse"].full_name]
    assert (a2.reached, a2.acknowledged, a2.reach_percent) == (1, 1, 100)
    assert a2.median_ack_seconds is not None and a2.max_ack_seconds >= a2.median_ack_seconds
    # Acknowledging again and re-running the notification's task sends nothing more.
    from notifications.tasks import send_notification

    with sending():
        send_notification(drill.notification_id)
        sms(number(people["er_a2"]), "ACK")
    assert Delivery.objects.filter(notification=drill.notification).count() == 4
    drill_texts = [m for m in fake.sent("Messages") if "DRILL" in m.form["Body"]]
    assert len(drill_texts) == 2


def test_only_the_regions_ems_start_drills(world, people, em_a, sending):
    admin = user_with_roles(world.hospital_a1.agency, Role.AGENCY_ADMIN)
    with pytest.raises(PermissionDenied):
        drills.drill_start(actor=admin, region=world.region_a, audience=Audience.ER_CONTACTS)
    em_b = user_with_roles(world.police_b, Role.EMERGENCY_MANAGER)
    with pytest.raises(PermissionDenied):
        drills.drill_start(actor=em_b, region=world.region_a, audience=Audience.ER_CONTACTS)
    with sending():
        drill = drills.drill_start(actor=em_a, region=world.region_a, audience=Audience.ER_CONTACTS)
    assert CommunicationsDrill.objects.get() == drill


def test_an_empty_audience_is_refused(world, em_a):
    with pytest.raises(ValidationError) as error:
        drills.drill_start(actor=em_a, region=world.region_a, audience=Audience.DUTY_OFFICERS)
    assert "audience" in error.value.message_dict
    assert not Notification.objects.exists()


def test_contact_points_not_confirmed_within_the_period_are_flagged(world, people, em_a, sending):
    stale = drills.stale_contacts(world.region_a)
    assert world.hospital_a1.agency.name in stale
    with sending():
        drill = drills.drill_start(
            actor=em_a, region=world.region_a, audience=Audience.DISPATCH_CENTRES
        )
    point = people["dispatcher"].contact_points.get()
    assert point in drills.stale_contacts(world.region_a)[world.dispatch_a.name]
    Delivery.objects.filter(notification=drill.notification).update(
        status="delivered", delivered_at=timezone.now()
    )
    assert world.dispatch_a.name not in drills.stale_contacts(world.region_a)
    later = timezone.now() + drills.STALE_AFTER + timedelta(days=1)
    assert point in drills.stale_contacts(world.region_a, now=later)[world.dispatch_a.name]
    only_a2 = drills.stale_contacts(world.region_a, {world.hospital_a2.agency_id})
    assert list(only_a2) == [world.hospital_a2.agency.name]


def test_results_take_a_bounded_number_of_queries(
    world, em_a, sending, django_assert_max_num_queries
):
    for _ in range(5):
        person(world.hospital_a1.agency, roles=[RosterRole.ER_CONTACT])
        person(world.hospital_a2.agency, roles=[RosterRole.ER_CONTACT])
    with sending():
        drill = drills.drill_start(actor=em_a, region=world.region_a, audience=Audience.ER_CONTACTS)
    with django_assert_max_num_queries(3):
        results = drills.drill_results(drill)
    assert [r.targeted for r in results] == [5, 5]
