"""Delivery states in words people use, through the API a board reads: reached, on the way,
failed with a reason a person can act on, not sent (console mode), acknowledged — and the
acknowledged count agrees with the hospital rows."""

from __future__ import annotations

import pytest

from incidents import services
from notifications.delivery import states
from notifications.models import Delivery
from tests.fakes.twilio_server import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN
from tests.incidents.conftest import declare
from tests.notifications.conftest import signed_post
from tests.notifications.helpers import build_roster, rule

pytestmark = pytest.mark.django_db


def alert_of(api, incident) -> dict:
    [alert] = api.get("/api/v1/notifications/", {"incident": incident.pk}).json()["results"]
    return alert


def words_by_member(api, alert: dict) -> dict[int, str]:
    rows = api.get(f"/api/v1/notifications/{alert['id']}/deliveries/").json()["results"]
    return {row["member"]: row["state_label"] for row in rows}


def sms_number(member) -> str:
    return member.contact_points.get(channel="sms").address


def test_a_board_reads_reached_failed_with_reasons_and_acknowledged(
    world, dispatcher_a, nurse_a1, notify_settings, twilio_settings, twilio_fake, on_commit, api
):
    world.region_a.hospitals_to_notify = 2  # A1 (two ER contacts) and A2 (one)
    world.region_a.save()
    roster = build_roster(world)
    rule(world, incident_hospitals_er=True)
    reached, landline = roster.er_a1
    [opted_out] = roster.er_a2
    twilio_fake.fail_always(sms_number(landline), 21614)
    twilio_fake.fail_always(sms_number(opted_out), 21610)
    with on_commit():
        incident = declare(world.region_a, dispatcher_a)
    api.force_authenticate(dispatcher_a)

    sending = alert_of(api, incident)["summary"]
    assert sending["text"] == (
        "Waiting for receipts: 0 of 3 reached · 1 on the way, no receipt yet · "
        "2 failed: 1 number not mobile, 1 opted out (replied STOP)"
    )
    delivered = Delivery.objects.get(member=reached)
    callback = {
        "AccountSid": DEFAULT_ACCOUNT_SID,
        "MessageSid": delivered.provider_id,
        "MessageStatus": "delivered",
    }
    path = f"/hooks/twilio/sms/status/{delivered.pk}/"
    assert signed_post(api, path, callback, token=DEFAULT_AUTH_TOKEN).status_code == 200

    summary = alert_of(api, incident)["summary"]
    assert summary["text"] == (
        "Finished: 1 of 3 reached · 2 failed: 1 number not mobile, 1 opted out (replied STOP)"
    )
    assert words_by_member(api, alert_of(api, incident)) == {
        reached.pk: "reached",
        landline.pk: "failed: number not mobile",
        opted_out.pk: "failed: opted out (replied STOP)",
    }

    # A1's nurse acknowledges on the ER board (not by replying): the hospital row says
    # acknowledged, and so does the alert that reached A1 — the counts agree.
    row_a1 = incident.hospitals.get(hospital=world.hospital_a1)
    services.hospital_acknowledge(actor=nurse_a1, incident_hospital=row_a1)

    alert = alert_of(api, incident)
    assert alert["acknowledged"] == 1 == alert["summary"]["acknowledged"]
    assert alert["summary"]["text"].startswith("Finished: 1 of 3 reached (1 acknowledged) · ")
    assert words_by_member(api, alert)[reached.pk] == "acknowledged"
    assert words_by_member(api, alert)[landline.pk] == "failed: number not mobile"  # still to fix
    hospitals = api.get(f"/api/v1/incidents/{incident.pk}/hospitals/").json()
    rows = hospitals["results"] if isinstance(hospitals, dict) else hospitals
    assert sum(1 for h in rows if h["acknowledged_at"]) == 1


def test_in_console_mode_nothing_is_called_sent(
    world, dispatcher_a, notify_settings, no_twilio_settings, on_commit, api
):
    world.region_a.hospitals_to_notify = 1
    world.region_a.save()
    roster = build_roster(world)
    rule(world, incident_hospitals_er=True)
    with on_commit():
        incident = declare(world.region_a, dispatcher_a)
    api.force_authenticate(dispatcher_a)

    alert = alert_of(api, incident)

    assert alert["summary"]["text"] == "Finished: 0 of 2 reached · 2 not sent (console mode)"
    assert alert["summary"]["not_sent"] == 2 and alert["summary"]["reached"] == 0
    assert set(words_by_member(api, alert).values()) == {"not sent (console mode)"}
    assert set(words_by_member(api, alert)) == {m.pk for m in roster.er_a1}


@pytest.mark.parametrize(
    ("channel", "code", "last_error", "reason"),
    [
        ("sms", 21211, "The 'To' number is not a valid phone number.", "invalid number"),
        ("sms", 21614, "", "number not mobile"),
        ("sms", 21610, "", "opted out (replied STOP)"),
        (
            "sms",
            30003,
            "provider reported undelivered (error 30003)",
            "phone unreachable (off or out of coverage)",
        ),
        ("voice", None, "provider reported no-answer", "no answer"),
        ("voice", None, "provider reported busy", "line busy"),
        ("email", 550, "mail server refused the recipient (550)", "email address refused"),
        (
            "sms",
            20503,
            "Twilio server error; gave up after 4 attempts",
            "provider unavailable; gave up after several tries",
        ),
        ("sms", 99999, "something new", "provider error 99999"),
    ],
)
def test_a_failure_reads_as_something_a_person_can_act_on(channel, code, last_error, reason):
    assert states.failure_reason(channel=channel, error_code=code, last_error=last_error) == reason
