"""Escalation: a hospital that has not acknowledged in its region's time gets its next
contacts called, level by level, never the same level twice, on the timeline."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from agencies.models import RosterRole
from incidents import events, services
from incidents.models import IncidentEvent
from notifications.models import Delivery, HospitalEscalation, Notification
from notifications.services.escalation import escalate_due, flag_overdue_capacity
from notifications.tasks import escalate
from tests.fakes.twilio_server import DEFAULT_AUTH_TOKEN
from tests.incidents.conftest import declare
from tests.notifications.conftest import FROM_NUMBER, signed_post
from tests.notifications.helpers import build_roster, person, rule

pytestmark = pytest.mark.django_db


@pytest.fixture
def alerted(world, dispatcher_a, notify_settings, twilio_settings, twilio_fake, on_commit):
    """An MCI with hospital A1, whose ER contacts were alerted by SMS and voice: the first
    has a voice number (called), the second SMS only (texted, never called)."""
    world.region_a.hospitals_to_notify = 1
    world.region_a.ack_timeout_seconds = 120
    world.region_a.save()
    roster = build_roster(world)
    rule(world, incident_hospitals_er=True, channels=["sms", "voice"])
    with on_commit():
        incident = declare(world.region_a, dispatcher_a)
    twilio_fake.reset()
    return incident, roster


def after(seconds: int):
    return timezone.now() + timedelta(seconds=seconds)


def escalations(incident) -> list[tuple[int, int]]:
    return list(
        HospitalEscalation.objects.filter(incident=incident).values_list("level", "recipients")
    )


def test_nothing_happens_before_the_regions_time(alerted, on_commit):
    incident, _ = alerted

    with on_commit():
        assert escalate_due(now=after(60)) == []

    assert escalations(incident) == []


def test_after_the_time_the_er_contacts_not_yet_called_are_called(alerted, twilio_fake, on_commit):
    incident, roster = alerted
    texted_only = roster.er_a1[1]

    with on_commit():
        [made] = escalate_due(now=after(121))

    assert (made.level, made.recipients) == (1, 1)
    notification = made.notification
    assert (notification.kind, notification.channels) == ("hospital.escalated", ["voice"])
    assert (
        notification.life_safety
        and "A1 Hospital has not acknowledged" in notification.texts["voice"]
    )
    [call] = twilio_fake.sent("Calls")
    # called on the SMS number: the only phone the second ER contact has
    assert call.form["To"] == texted_only.contact_points.get(channel="sms").address
    assert "/hooks/twilio/voice/gather/" in call.form["Twiml"]
    delivery = notification.deliveries.get()
    assert delivery.escalation and delivery.status == "sent"
    [event] = IncidentEvent.objects.filter(incident=incident, kind="hospital.escalated")
    assert event.public and event.hospital == incident.hospitals.get().hospital
    assert event.data == {
        "hospital_id": event.hospital_id,
        "hospital": "A1 Hospital",
        "level": 1,
        "recipients": 1,
        "channels": ["voice"],
        "notification_id": notification.pk,
    }
    assert "escalated (level 1)" in event.summary
    assert events.payload_errors(event.kind, event.data) == []


def test_the_next_level_calls_the_hospitals_other_on_call_staff(alerted, twilio_fake, on_commit):
    incident, roster = alerted
    with on_commit():
        escalate_due(now=after(121))
    assert escalate_due(now=after(180)) == []  # level 2 waits another full period

    with on_commit():
        [made] = escalate_due(now=after(245))

    assert (made.level, made.recipients) == (2, 1)
    called = Delivery.objects.filter(notification=made.notification).values_list(
        "member_id", flat=True
    )
    assert list(called) == [roster.supervisor_a1.pk]
    assert escalations(incident) == [(1, 1), (2, 1)]


def test_a_level_is_never_escalated_twice(alerted, twilio_fake, on_commit):
    incident, _ = alerted
    with on_commit():
        escalate_due(now=after(121))
        escalate_due(now=after(125))  # the next beat run
        escalate.delay()  # and the beat task itself

    assert escalations(incident) == [(1, 1)]
    assert len(twilio_fake.sent("Calls")) == 1
    assert Notification.objects.filter(kind="hospital.escalated").count() == 1


def test_after_the_last_level_nothing_more_is_called(alerted, on_commit):
    incident, _ = alerted
    with on_commit():
        escalate_due(now=after(121))
        escalate_due(now=after(245))

    assert escalate_due(now=after(10_000)) == []
    assert len(escalations(incident)) == 2


def test_an_acknowledged_hospital_is_not_escalated(alerted, nurse_a1):
    incident, _ = alerted
    services.hospital_acknowledge(actor=nurse_a1, incident_hospital=incident.hospitals.get())

    assert escalate_due(now=after(1000)) == []


def test_a_closed_incident_is_not_escalated(alerted, dispatcher_a):
    incident, _ = alerted
    services.incident_close(actor=dispatcher_a, incident=incident, summary="false alarm")

    assert escalate_due(now=after(1000)) == []


def test_the_regions_own_time_applies(alerted, world):
    world.region_a.ack_timeout_seconds = 600
    world.region_a.save()

    assert escalate_due(now=after(300)) == []
    assert len(escalate_due(now=after(601))) == 1


def test_with_every_er_contact_already_called_it_goes_straight_to_the_on_call_staff(
    world, dispatcher_a, notify_settings, twilio_settings, twilio_fake, on_commit
):
    world.region_a.hospitals_to_notify = 1
    world.region_a.save()
    nurse = person(
        world.hospital_a1.agency, roles=[RosterRole.ER_CONTACT], channels=("sms", "voice")
    )
    house = person(
        world.hospital_a1.agency, roles=[RosterRole.SUPERVISOR], channels=("sms",), on_call=True
    )
    rule(world, incident_hospitals_er=True, channels=["voice"])
    with on_commit():
        incident = declare(world.region_a, dispatcher_a)
    assert Delivery.objects.get(member=nurse).status == "sent"

    with on_commit():
        [made] = escalate_due(now=after(121))

    assert made.level == 2
    assert list(made.notification.deliveries.values_list("member_id", flat=True)) == [house.pk]
    assert escalations(incident) == [(1, 0), (2, 1)]


def test_with_nobody_left_to_call_the_board_is_told_to_call_directly(
    world, dispatcher_a, notify_settings, twilio_settings, twilio_fake
):
    world.region_a.hospitals_to_notify = 1
    world.region_a.save()
    incident = declare(world.region_a, dispatcher_a)  # A1 has no roster at all

    [made] = escalate_due(now=after(121))

    assert (made.level, made.recipients, made.notification) == (2, 0, None)
    [event] = IncidentEvent.objects.filter(incident=incident, kind="hospital.escalated")
    assert "call it directly" in event.summary and event.data["notification_id"] is None
    assert events.payload_errors(event.kind, event.data) == []
    assert escalate_due(now=after(10_000)) == []


def test_pressing_1_on_an_escalation_call_acknowledges_the_hospital(
    alerted, twilio_fake, on_commit
):
    incident, roster = alerted
    with on_commit():
        escalate_due(now=after(121))
        [made] = escalate_due(now=after(245))
    call = made.notification.deliveries.get()  # the house supervisor: not an ER contact

    response = signed_post(
        Client(),
        f"/hooks/twilio/voice/gather/{call.pk}/",
        {
            "AccountSid": twilio_fake.account_sid,
            "CallSid": call.provider_id,
            "Digits": "1",
            "From": FROM_NUMBER,
            "To": call.address,
        },
        token=DEFAULT_AUTH_TOKEN,
    )

    assert b"Acknowledged for A1 Hospital" in response.content
    row = incident.hospitals.get()
    assert row.acknowledged_at is not None
    assert escalate_due(now=after(10_000)) == []
    assert (
        roster.supervisor_a1.full_name
        in IncidentEvent.objects.get(incident=incident, kind="hospital.acknowledged").actor_label
    )


def test_a_hospital_that_registered_a_walk_in_is_not_escalated(
    world, dispatcher_a, nurse_a2, notify_settings
):
    world.region_a.hospitals_to_notify = 1
    world.region_a.save()
    incident = declare(world.region_a, dispatcher_a)
    services.hospital_acknowledge(actor=dispatcher_a, incident_hospital=incident.hospitals.get())
    services.walkin_register(
        actor=nurse_a2, incident=incident, hospital=world.hospital_a2, category="minor"
    )

    assert escalate_due(now=after(10_000)) == []


# --- capacity overdue ---------------------------------------------------------------------------


@pytest.fixture
def overdue_rule(world):
    world.region_a.capacity_timeout_seconds = 300
    world.region_a.save()
    return rule(world, trigger="hospital.capacity_overdue", incident_hospitals_er=True)


def test_a_hospital_that_has_not_answered_its_capacity_in_time_is_reminded(
    alerted, overdue_rule, nurse_a1, twilio_fake, on_commit
):
    incident, roster = alerted
    services.hospital_acknowledge(actor=nurse_a1, incident_hospital=incident.hospitals.get())

    with on_commit():
        assert flag_overdue_capacity(now=after(200)) == []
        [event] = flag_overdue_capacity(now=after(301))

    assert event.public and event.hospital == incident.hospitals.get().hospital
    assert "A1 Hospital has not answered its capacity after 5 min" in event.summary
    assert events.payload_errors(event.kind, event.data) == []
    reminder = Notification.objects.get(kind="hospital.capacity_overdue")
    assert "waiting for A1 Hospital's capacity" in reminder.texts["sms"]
    texted = {request.form["To"] for request in twilio_fake.sent("Messages")}
    assert texted == {m.contact_points.get(channel="sms").address for m in roster.er_a1}


def test_capacity_overdue_is_flagged_once_and_not_for_an_answered_hospital(
    alerted, overdue_rule, nurse_a1, world
):
    incident, _ = alerted
    assert len(flag_overdue_capacity(now=after(301))) == 1
    assert flag_overdue_capacity(now=after(900)) == []  # once per hospital and incident

    services.incident_hospital_add(actor=nurse_a1, incident=incident, hospital=world.hospital_a2)
    row = incident.hospitals.get(hospital=world.hospital_a2)
    services.hospital_answer_capacity(
        actor=nurse_a1, incident_hospital=row, immediate=1, delayed=2, minor=3
    )
    assert flag_overdue_capacity(now=after(900)) == []


def test_the_beat_task_escalates_and_flags_overdue_capacity(alerted, overdue_rule, on_commit):
    with on_commit():
        result = escalate.apply().get()

    assert result == {"escalated": 0, "capacity_overdue": 0}  # nothing is due yet
