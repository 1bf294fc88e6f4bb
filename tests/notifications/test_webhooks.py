"""Twilio webhooks: signatures (missing, wrong, right; the URL matters), status callbacks
through the HTTP layer, and a round trip over real HTTP with the fake Twilio."""

from __future__ import annotations

import time

import pytest
from django.test import Client

from agencies.models import Discipline
from notifications.delivery.expansion import expand
from notifications.models import Delivery, Notification
from notifications.tasks import send_notification
from tests.fakes.twilio_server import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN, Outcome, sign
from tests.notifications.conftest import PUBLIC_BASE_URL, signed_post
from tests.notifications.helpers import person

pytestmark = pytest.mark.django_db


@pytest.fixture
def hooks(notify_settings, twilio_settings) -> Client:
    return Client()


@pytest.fixture
def sent_sms(world, notify_settings) -> Delivery:
    member = person(world.em_a, channels=("sms",))
    notification = Notification.objects.create(
        region=world.region_a,
        kind="incident.declared",
        channels=["sms"],
        texts={"sms": "MCI"},
        audience={"disciplines": [Discipline.EM]},
        state="pending",
    )
    expand(notification.pk)
    delivery = notification.deliveries.get()
    assert delivery.member == member
    Delivery.objects.filter(pk=delivery.pk).update(status="sent", provider_id="SM" + "1" * 32)
    delivery.refresh_from_db()
    return delivery


def status_params(delivery: Delivery, status: str) -> dict[str, str]:
    return {
        "AccountSid": DEFAULT_ACCOUNT_SID,
        "MessageSid": delivery.provider_id,
        "MessageStatus": status,
        "To": delivery.address,
        "From": "+15005550006",
    }


# --- signatures ---------------------------------------------------------------------------------


def test_a_request_without_a_signature_is_refused(hooks, sent_sms):
    path = f"/hooks/twilio/sms/status/{sent_sms.pk}/"
    response = hooks.post(path, status_params(sent_sms, "delivered"))

    assert response.status_code == 403
    assert Delivery.objects.get(pk=sent_sms.pk).status == "sent"


def test_a_wrong_signature_is_refused(hooks, sent_sms):
    path = f"/hooks/twilio/sms/status/{sent_sms.pk}/"
    response = signed_post(
        hooks, path, status_params(sent_sms, "delivered"), token="not-the-auth-token"
    )

    assert response.status_code == 403
    assert Delivery.objects.get(pk=sent_sms.pk).status == "sent"


def test_a_signature_is_only_good_for_the_url_twilio_called(hooks, sent_sms):
    path = f"/hooks/twilio/sms/status/{sent_sms.pk}/"
    params = status_params(sent_sms, "delivered")
    other_host = signed_post(
        hooks, path, params, token=DEFAULT_AUTH_TOKEN, url=f"https://evil.example.org{path}"
    )
    # A signature captured for another delivery's callback cannot be replayed onto this one.
    replayed = signed_post(
        hooks,
        path,
        params,
        token=DEFAULT_AUTH_TOKEN,
        url=f"{PUBLIC_BASE_URL}/hooks/twilio/sms/status/{sent_sms.pk + 1}/",
    )
    tampered = hooks.post(
        path,
        {**params, "MessageStatus": "failed"},
        HTTP_X_TWILIO_SIGNATURE=sign(PUBLIC_BASE_URL + path, params, DEFAULT_AUTH_TOKEN),
    )

    assert [other_host.status_code, replayed.status_code, tampered.status_code] == [403] * 3
    assert Delivery.objects.get(pk=sent_sms.pk).status == "sent"


def test_a_correct_signature_is_accepted(hooks, sent_sms, pushed):
    path = f"/hooks/twilio/sms/status/{sent_sms.pk}/"

    response = signed_post(
        hooks, path, status_params(sent_sms, "delivered"), token=DEFAULT_AUTH_TOKEN
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    assert Delivery.objects.get(pk=sent_sms.pk).status == "delivered"
    [(_groups, envelope)] = pushed
    assert envelope["counts"]["delivered"] == 1


def test_without_twilio_credentials_every_webhook_is_refused(
    notify_settings, no_twilio_settings, sent_sms
):
    path = f"/hooks/twilio/sms/status/{sent_sms.pk}/"
    response = signed_post(
        Client(), path, status_params(sent_sms, "delivered"), token=DEFAULT_AUTH_TOKEN
    )

    assert response.status_code == 403


def test_webhooks_only_take_post(hooks, sent_sms):
    assert hooks.get(f"/hooks/twilio/sms/status/{sent_sms.pk}/").status_code == 405
    assert hooks.get("/hooks/twilio/sms/inbound/").status_code == 405


def test_webhooks_need_no_csrf_token(notify_settings, twilio_settings, sent_sms):
    strict = Client(enforce_csrf_checks=True)
    path = f"/hooks/twilio/sms/status/{sent_sms.pk}/"

    response = signed_post(strict, path, status_params(sent_sms, "sent"), token=DEFAULT_AUTH_TOKEN)

    assert response.status_code == 200


# --- status callbacks ---------------------------------------------------------------------------


def test_a_callback_without_a_delivery_id_is_matched_by_message_sid(hooks, sent_sms):
    response = signed_post(
        hooks,
        "/hooks/twilio/sms/status/",
        status_params(sent_sms, "undelivered") | {"ErrorCode": "30003"},
        token=DEFAULT_AUTH_TOKEN,
    )

    assert response.status_code == 200
    delivery = Delivery.objects.get(pk=sent_sms.pk)
    assert (delivery.status, delivery.error_code) == ("undelivered", 30003)


def test_callbacks_out_of_order_and_twice_leave_the_latest_status(hooks, sent_sms):
    path = f"/hooks/twilio/sms/status/{sent_sms.pk}/"
    for status in ("delivered", "sent", "delivered", "queued"):
        response = signed_post(
            hooks, path, status_params(sent_sms, status), token=DEFAULT_AUTH_TOKEN
        )
        assert response.status_code == 200

    assert Delivery.objects.get(pk=sent_sms.pk).status == "delivered"


def test_a_call_status_callback_completes_a_voice_delivery(hooks, sent_sms):
    Delivery.objects.filter(pk=sent_sms.pk).update(channel="voice", provider_id="CA" + "2" * 32)
    path = f"/hooks/twilio/voice/status/{sent_sms.pk}/"
    params = {
        "AccountSid": DEFAULT_ACCOUNT_SID,
        "CallSid": "CA" + "2" * 32,
        "CallStatus": "completed",
        "CallDuration": "14",
    }

    assert signed_post(hooks, path, params, token=DEFAULT_AUTH_TOKEN).status_code == 200

    assert Delivery.objects.get(pk=sent_sms.pk).status == "delivered"


def test_a_callback_for_an_unknown_delivery_is_refused(hooks):
    path = "/hooks/twilio/sms/status/999999/"
    params = {"AccountSid": DEFAULT_ACCOUNT_SID, "MessageSid": "SM" + "9" * 32}

    response = signed_post(
        hooks, path, params | {"MessageStatus": "delivered"}, token=DEFAULT_AUTH_TOKEN
    )

    assert response.status_code == 404


# --- over real HTTP -----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_status_callbacks_from_the_fake_twilio_reach_the_deliveries(
    world, notify_settings, twilio_settings, twilio_fake, live_server
):
    notify_settings.PUBLIC_BASE_URL = live_server.url
    twilio_fake.auto_status_ms = 20
    good = person(world.em_a, channels=("sms",))
    gone = person(world.em_a, channels=("sms",))
    twilio_fake.script(
        gone.contact_points.get().address,
        [Outcome(final_status="undelivered", final_error_code=30005)],
    )
    notification = Notification.objects.create(
        region=world.region_a,
        kind="incident.declared",
        channels=["sms"],
        texts={"sms": "MCI"},
        audience={"disciplines": [Discipline.EM]},
    )

    send_notification(notification.pk)

    deadline = time.monotonic() + 10
    # The fake records a callback's answer after the server has applied it: wait for both.
    while time.monotonic() < deadline and (
        notification.deliveries.filter(status="sent").exists() or len(twilio_fake.callbacks) < 2
    ):
        time.sleep(0.05)
    statuses = dict(notification.deliveries.values_list("member_id", "status"))
    assert statuses == {good.pk: "delivered", gone.pk: "undelivered"}
    assert {c.status for c in twilio_fake.callbacks} == {200}
    gone.contact_points.get().refresh_from_db()
    assert gone.contact_points.get().failing  # unknown handset: shown on the roster
