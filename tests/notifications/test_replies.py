"""Replies from phones: ACK / 1, capacity answers, help, refusals, and the voice keypress —
each through the signed webhook, each landing on the incident timeline."""

from __future__ import annotations

import secrets

import pytest
from django.test import Client

from agencies.models import Discipline, RosterRole
from incidents import events, services
from incidents.models import IncidentEvent
from notifications.models import Delivery
from notifications.services.replies import HELP_TEXT, UNKNOWN_NUMBER_TEXT, parse_capacity
from notifications.tasks import send_notification
from tests.factories import UserFactory
from tests.fakes.twilio_server import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN
from tests.incidents.conftest import declare
from tests.notifications.conftest import FROM_NUMBER, signed_post, twiml_text
from tests.notifications.helpers import build_roster, person, rule

pytestmark = pytest.mark.django_db


@pytest.fixture
def alerted(world, dispatcher_a, notify_settings, twilio_settings, twilio_fake, on_commit):
    """An MCI declared with hospital A1 on it; its ER contacts and the EM duty officer were
    alerted by SMS (and voice, for those who have it) through the fake Twilio."""
    world.region_a.hospitals_to_notify = 1
    world.region_a.save()
    roster = build_roster(world)
    rule(world, name="ER", incident_hospitals_er=True, channels=["sms", "voice"])
    rule(world, name="EM", disciplines=[Discipline.EM], roster_roles=[RosterRole.DUTY_OFFICER])
    with on_commit():
        incident = declare(world.region_a, dispatcher_a)
    assert Delivery.objects.filter(status="sent").count() == 4
    return incident, roster


def sms(from_: str, body: str):
    params = {
        "MessageSid": "SM" + secrets.token_hex(16),  # each message its own, as Twilio's are
        "AccountSid": "AC" + "f" * 32,
        "From": from_,
        "To": FROM_NUMBER,
        "Body": body,
        "NumMedia": "0",
    }
    return signed_post(Client(), "/hooks/twilio/sms/inbound/", params, token=DEFAULT_AUTH_TOKEN)


def number(member) -> str:
    return member.contact_points.get(channel="sms").address


def timeline(incident, kind: str) -> list[IncidentEvent]:
    return list(IncidentEvent.objects.filter(incident=incident, kind=kind).order_by("seq"))


# --- ACK ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("body", ["ACK", "ack", " Ack. ", "1", "acknowledge"])
def test_an_er_contacts_ack_acknowledges_the_alert_and_the_hospital(alerted, body):
    incident, roster = alerted
    nurse = roster.er_a1[0]

    response = sms(number(nurse), body)

    assert response.status_code == 200
    reply = twiml_text(response)
    assert "acknowledged" in reply and "A1 Hospital" in reply and "R2 Y4 G10" in reply
    acked = Delivery.objects.filter(acknowledged_at__isnull=False)
    assert sorted(acked.values_list("member_id", "channel")) == [
        (nurse.pk, "sms"),
        (nurse.pk, "voice"),
    ]
    row = incident.hospitals.get()
    assert row.acknowledged_at is not None
    [event] = timeline(incident, "hospital.acknowledged")
    number_shown = number(nurse)[:5] + "…" + number(nurse)[-4:]
    assert event.actor_label == f"SMS from {number_shown}, {nurse.full_name} (A1 Hospital)"
    assert event.data["by"] == event.actor_label
    assert number(nurse) not in event.summary  # the full number stays off the timeline


def test_a_second_ack_changes_nothing(alerted):
    incident, roster = alerted
    nurse = roster.er_a1[0]
    sms(number(nurse), "ACK")
    events_before = IncidentEvent.objects.filter(incident=incident).count()

    reply = twiml_text(sms(number(nurse), "ACK"))

    assert "already acknowledged" in reply
    assert IncidentEvent.objects.filter(incident=incident).count() == events_before


def test_a_second_er_contacts_ack_is_recorded_as_their_own(alerted):
    incident, roster = alerted
    first, second = roster.er_a1
    sms(number(first), "ACK")

    reply = twiml_text(sms(number(second), "1"))

    assert "acknowledged, thank you" in reply
    [event] = timeline(incident, "notification.acknowledged")
    assert event.data["member_id"] == second.pk and event.data["via"] == "sms"
    assert len(timeline(incident, "hospital.acknowledged")) == 1


def test_an_ack_from_an_em_duty_officer_lands_on_the_timeline(alerted):
    incident, roster = alerted

    reply = twiml_text(sms(number(roster.em_duty), "ACK"))

    assert reply.startswith("ASIM: acknowledged, thank you")
    [event] = timeline(incident, "notification.acknowledged")
    assert event.data["member"] == roster.em_duty.full_name
    assert event.data["agency"] == "A EM"
    assert event.public is False
    assert events.payload_errors(event.kind, event.data) == []
    assert incident.hospitals.get().acknowledged_at is None


def test_an_ack_after_the_incident_closed_still_counts_for_the_alert(alerted, dispatcher_a):
    incident, roster = alerted
    services.incident_close(actor=dispatcher_a, incident=incident, summary="done")
    nurse = roster.er_a1[0]

    reply = twiml_text(sms(number(nurse), "ACK"))

    assert "acknowledged, thank you" in reply
    assert Delivery.objects.filter(member=nurse, acknowledged_at__isnull=False).count() == 2
    assert incident.hospitals.get().acknowledged_at is None  # a closed incident is final


def test_an_ack_from_a_number_that_got_no_alert_says_so(alerted, world):
    quiet = person(world.police_a, channels=("sms",))

    assert "no alert" in twiml_text(sms(number(quiet), "ACK"))


# --- capacity -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    ["R2 Y4 G10", "g10 r2 y4", "r 2 y 4 g 10", "Y4, G10, R2", "RED 2 YELLOW 4 GREEN 10", "R2Y4G10"],
)
def test_a_capacity_answer_in_any_order_or_case_is_recorded_and_confirmed(alerted, body):
    incident, roster = alerted
    nurse = roster.er_a1[1]

    reply = twiml_text(sms(number(nurse), body))

    assert "A1 Hospital can take R2 Y4 G10" in reply
    row = incident.hospitals.get()
    assert row.capacity() == {"immediate": 2, "delayed": 4, "minor": 10}
    assert row.acknowledged_at is not None  # answering is acknowledging
    [event] = timeline(incident, "hospital.capacity")
    assert event.actor_label.startswith("SMS from ") and nurse.full_name in event.actor_label
    assert Delivery.objects.get(member=nurse, channel="sms").acknowledged_at is not None


def test_a_revised_capacity_answer_replaces_the_first(alerted):
    incident, roster = alerted
    sms(number(roster.er_a1[0]), "R2 Y4 G10")

    sms(number(roster.er_a1[0]), "R1 Y1 G1")

    row = incident.hospitals.get()
    assert row.capacity() == {"immediate": 1, "delayed": 1, "minor": 1}
    assert row.capacity_revisions == 2


@pytest.mark.parametrize("body", ["R2 Y4", "R2 R3 G1", "G10"])
def test_an_incomplete_capacity_answer_explains_the_format(alerted, body):
    incident, roster = alerted

    reply = twiml_text(sms(number(roster.er_a1[0]), body))

    assert "send all three colours" in reply
    assert incident.hospitals.get().capacity_answered_at is None


def test_a_capacity_answer_from_outside_a_hospital_is_refused(alerted):
    incident, roster = alerted

    reply = twiml_text(sms(number(roster.em_duty), "R2 Y4 G10"))

    assert "hospital staff" in reply
    assert incident.hospitals.get().capacity_answered_at is None


def test_parse_capacity_tells_answers_from_other_text():
    assert parse_capacity("hello") is None
    assert parse_capacity("we have 2 rooms") is None
    assert parse_capacity("Thanks. R2 Y4 G10").short() == "R2 Y4 G10"
    assert parse_capacity("R2 Y4") is False
    assert parse_capacity("Room 12 ready, G2") is None
    assert parse_capacity("r0 y0 g0").short() == "R0 Y0 G0"


# --- everything else ----------------------------------------------------------------------------


@pytest.mark.parametrize("body", ["hello?", "HELP", "what is going on", ""])
def test_anything_else_gets_a_short_help_reply(alerted, body):
    incident, roster = alerted

    assert twiml_text(sms(number(roster.er_a1[0]), body)) == HELP_TEXT
    assert incident.hospitals.get().acknowledged_at is None


def test_an_unknown_number_is_politely_refused(alerted):
    reply = twiml_text(sms("+19375550000", "ACK"))

    assert reply == UNKNOWN_NUMBER_TEXT
    assert not Delivery.objects.filter(acknowledged_at__isnull=False).exists()


def test_stop_gets_no_reply_from_us(alerted):
    _, roster = alerted

    response = sms(number(roster.er_a1[0]), "STOP")

    assert response.status_code == 200 and twiml_text(response) == ""


# --- the voice keypress ------------------------------------------------------------------------


def gather(delivery: Delivery, digits: str, call_sid: str | None = None):
    params = {
        "AccountSid": DEFAULT_ACCOUNT_SID,
        "CallSid": call_sid or delivery.provider_id,
        "Digits": digits,
        "From": FROM_NUMBER,
        "To": delivery.address,
        "CallStatus": "in-progress",
    }
    path = f"/hooks/twilio/voice/gather/{delivery.pk}/"
    return signed_post(Client(), path, params, token=DEFAULT_AUTH_TOKEN)


def test_pressing_1_on_the_alert_call_acknowledges_the_hospital(alerted):
    incident, roster = alerted
    call = Delivery.objects.get(member=roster.er_a1[0], channel="voice")

    response = gather(call, "1")

    assert twiml_text(response) == "Acknowledged for A1 Hospital. Thank you. Goodbye."
    assert Delivery.objects.get(pk=call.pk).acknowledged_at is not None
    [event] = timeline(incident, "hospital.acknowledged")
    assert event.actor_label.startswith("Voice call to ")


def test_another_key_records_nothing(alerted):
    incident, roster = alerted
    call = Delivery.objects.get(member=roster.er_a1[0], channel="voice")

    assert "No acknowledgement" in twiml_text(gather(call, "2"))
    assert incident.hospitals.get().acknowledged_at is None


def test_a_keypress_from_another_call_is_not_taken(alerted):
    incident, roster = alerted
    call = Delivery.objects.get(member=roster.er_a1[0], channel="voice")

    assert "could not be found" in twiml_text(gather(call, "1", call_sid="CA" + "0" * 32))
    assert incident.hospitals.get().acknowledged_at is None


def test_a_member_with_a_login_acknowledges_as_themselves(
    world, dispatcher_a, notify_settings, twilio_settings, twilio_fake, on_commit
):
    world.region_a.hospitals_to_notify = 1
    world.region_a.save()
    login = UserFactory(first_name="Grace", last_name="Okafor")
    nurse = person(
        world.hospital_a1.agency, roles=[RosterRole.ER_CONTACT], channels=("sms",), user=login
    )
    rule(world, incident_hospitals_er=True)
    with on_commit():
        incident = declare(world.region_a, dispatcher_a)

    sms(number(nurse), "ACK")

    assert incident.hospitals.get().acknowledged_by == login


@pytest.mark.django_db(transaction=True)
def test_the_fake_twilio_can_reply_over_real_http(
    world, dispatcher_a, notify_settings, twilio_settings, twilio_fake, live_server
):
    world.region_a.hospitals_to_notify = 1
    world.region_a.save()
    notify_settings.PUBLIC_BASE_URL = live_server.url
    roster = build_roster(world)
    rule(world, incident_hospitals_er=True)
    incident = declare(world.region_a, dispatcher_a)
    send_notification(incident.notifications.get().pk)

    answer = twilio_fake.send_inbound_sms(
        f"{live_server.url}/hooks/twilio/sms/inbound/",
        from_=number(roster.er_a1[0]),
        to=FROM_NUMBER,
        body="r2 y4 g10",
    )

    assert answer.status == 200
    assert "can take R2 Y4 G10" in answer.body
    assert incident.hospitals.get().capacity_answered_at is not None
