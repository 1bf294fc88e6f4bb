"""Signed Twilio requests replayed, duplicated or from elsewhere: a signature proves who sent a
request, not that it is new. Over real HTTP, signed by the fake Twilio as Twilio signs."""

from __future__ import annotations

import secrets

import pytest
from django.test import Client

from incidents.models import IncidentEvent
from notifications.models import Delivery
from notifications.tasks import send_notification
from tests.fakes.twilio_server import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN, SentCallback
from tests.incidents.conftest import declare
from tests.notifications.conftest import FROM_NUMBER, signed_post
from tests.notifications.helpers import build_roster, rule

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def live_alerts(world, dispatcher_a, notify_settings, twilio_settings, twilio_fake, live_server):
    """Hospital A1's ER contacts are alerted by SMS for every MCI, and Twilio's webhooks
    reach the live server."""
    world.region_a.hospitals_to_notify = 1
    world.region_a.save()
    notify_settings.PUBLIC_BASE_URL = live_server.url
    roster = build_roster(world)
    rule(world, incident_hospitals_er=True, channels=["sms", "voice"])

    def declare_and_alert(title: str):
        incident = declare(world.region_a, dispatcher_a, title=title)
        send_notification(incident.notifications.get().pk)
        return incident

    return declare_and_alert, roster, f"{live_server.url}/hooks/twilio/sms/inbound/"


def number(member) -> str:
    return member.contact_points.get(channel="sms").address


def test_a_replayed_ack_does_not_acknowledge_the_next_incident(live_alerts, twilio_fake):
    declare_and_alert, roster, inbound_url = live_alerts
    nurse = roster.er_a1[0]
    first = declare_and_alert("Shooting at Central Mall")
    ack = twilio_fake.send_inbound_sms(inbound_url, from_=number(nurse), to=FROM_NUMBER, body="ACK")
    assert ack.status == 200 and "acknowledged" in ack.body
    assert first.hospitals.get().acknowledged_at is not None
    second = declare_and_alert("Explosion at the stadium")

    [replayed] = twilio_fake.replay(ack)

    assert replayed.status == 200
    assert "<Message>" not in replayed.body  # no answer to a replay
    assert second.hospitals.get().acknowledged_at is None
    assert not Delivery.objects.filter(
        notification__incident=second, acknowledged_at__isnull=False
    ).exists()
    # The nurse's own new ACK (a new message, a new MessageSid) does acknowledge it.
    fresh = twilio_fake.send_inbound_sms(
        inbound_url, from_=number(nurse), to=FROM_NUMBER, body="ACK"
    )
    assert fresh.status == 200 and "acknowledged" in fresh.body
    assert second.hospitals.get().acknowledged_at is not None


def test_identical_requests_arriving_at_once_act_once(live_alerts, twilio_fake):
    declare_and_alert, roster, inbound_url = live_alerts
    incident = declare_and_alert("Shooting at Central Mall")
    params = {
        "AccountSid": DEFAULT_ACCOUNT_SID,
        "MessageSid": "SM" + secrets.token_hex(16),
        "From": number(roster.er_a1[1]),
        "To": FROM_NUMBER,
        "Body": "R2 Y4 G10",
        "NumMedia": "0",
    }
    request = SentCallback(inbound_url, params, signature="", status=0)

    answers = twilio_fake.replay(request, times=5)

    assert [a.status for a in answers] == [200] * 5
    assert sum("can take R2 Y4 G10" in a.body for a in answers) == 1
    assert IncidentEvent.objects.filter(incident=incident, kind="hospital.capacity").count() == 1
    assert incident.hospitals.get().capacity_revisions == 1


def test_a_replayed_keypress_is_answered_and_ignored(live_alerts, twilio_fake, live_server):
    declare_and_alert, roster, _ = live_alerts
    incident = declare_and_alert("Shooting at Central Mall")
    nurse = roster.er_a1[0]
    call = Delivery.objects.get(member=nurse, channel="voice", notification__incident=incident)
    url = f"{live_server.url}/hooks/twilio/voice/gather/{call.pk}/"
    pressed = twilio_fake.send_gather(url, call_sid=call.provider_id, digits="1")
    assert "Acknowledged for A1 Hospital" in pressed.body
    events_before = IncidentEvent.objects.filter(incident=incident).count()

    [replayed] = twilio_fake.replay(pressed)

    assert replayed.status == 200 and "<Say>" not in replayed.body
    assert IncidentEvent.objects.filter(incident=incident).count() == events_before


def test_an_inbound_message_from_another_account_is_refused(live_alerts, twilio_fake):
    declare_and_alert, roster, inbound_url = live_alerts
    incident = declare_and_alert("Shooting at Central Mall")
    nurse = roster.er_a1[0]

    other = twilio_fake.send_inbound_sms(
        inbound_url,
        from_=number(nurse),
        to=FROM_NUMBER,
        body="ACK",
        extra={"AccountSid": "AC" + "0" * 32},
    )

    assert other.status == 403
    assert incident.hospitals.get().acknowledged_at is None
    ours = twilio_fake.send_inbound_sms(inbound_url, from_=number(nurse), to=FROM_NUMBER, body="1")
    assert ours.status == 200
    assert incident.hospitals.get().acknowledged_at is not None


def test_a_status_callback_for_a_sid_we_never_sent_is_refused(live_alerts, live_server):
    declare_and_alert, roster, _ = live_alerts
    incident = declare_and_alert("Shooting at Central Mall")
    sms = Delivery.objects.get(member=roster.er_a1[1], notification__incident=incident)
    assert sms.status == "sent" and sms.provider_id
    client = Client()

    def callback(path: str, sid: str, account: str = DEFAULT_ACCOUNT_SID):
        params = {"AccountSid": account, "MessageSid": sid, "MessageStatus": "failed"}
        signed_for = live_server.url + path
        return signed_post(
            client, path, params, token=DEFAULT_AUTH_TOKEN, url=signed_for
        ).status_code

    never_sent = "SM" + secrets.token_hex(16)
    assert callback(f"/hooks/twilio/sms/status/{sms.pk}/", never_sent) == 404
    assert callback("/hooks/twilio/sms/status/", never_sent) == 404
    assert callback("/hooks/twilio/sms/status/", sms.provider_id, "AC" + "0" * 32) == 403
    assert Delivery.objects.get(pk=sms.pk).status == "sent"
    # Twilio's own callback for the message it was given is taken.
    assert callback(f"/hooks/twilio/sms/status/{sms.pk}/", sms.provider_id) == 200
    assert Delivery.objects.get(pk=sms.pk).status == "failed"


def test_an_inbound_message_without_a_usable_sid_is_refused(notify_settings, twilio_settings):
    def inbound(sid: str | None) -> int:
        params = {"AccountSid": DEFAULT_ACCOUNT_SID, "From": "+19375550000", "Body": "ACK"}
        if sid is not None:
            params["MessageSid"] = sid
        path = "/hooks/twilio/sms/inbound/"
        return signed_post(Client(), path, params, token=DEFAULT_AUTH_TOKEN).status_code

    assert [inbound(None), inbound("SM" + "0" * 200)] == [400, 400]
    assert inbound("SM" + secrets.token_hex(16)) == 200  # a real one is answered
