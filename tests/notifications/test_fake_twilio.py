"""The fake Twilio server speaks Twilio's wire protocol and signs its webhooks for real."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
import requests
from twilio.request_validator import RequestValidator

from tests.fakes.twilio_server import FakeTwilioServer, Outcome, sign

ROOT = Path(__file__).resolve().parents[2]
TO = "+15551230001"
FROM = "+15005550006"


def post_message(server: FakeTwilioServer, auth: tuple[str, str] | None = None, **form: str):
    """POST Messages.json the way the SDK does (form-encoded, Basic auth)."""
    return requests.post(
        f"{server.url}/2010-04-01/Accounts/{server.account_sid}/Messages.json",
        data={"To": TO, "From": FROM, "Body": "hello", **form},
        auth=auth or (server.account_sid, server.auth_token),
        timeout=5,
    )


def test_signature_helper_matches_twilios_documented_vector():
    params = {
        "CallSid": "CA1234567890ABCDE",
        "Caller": "+12349013030",
        "Digits": "1234",
        "From": "+12349013030",
        "To": "+18005551212",
    }
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    assert sign(url, params, "12345") == "0/KCTR6DLpKmkAf8muzZqo1nDgQ="


def test_an_accepted_message_has_twilios_201_body(twilio_fake):
    response = post_message(twilio_fake, StatusCallback="http://127.0.0.1:1/s")
    assert response.status_code == 201
    body = response.json()
    assert re.fullmatch(r"SM[0-9a-f]{32}", body["sid"])
    assert body["status"] == "queued"
    assert (body["to"], body["from"], body["body"]) == (TO, FROM, "hello")
    assert body["uri"] == (
        f"/2010-04-01/Accounts/{twilio_fake.account_sid}/Messages/{body['sid']}.json"
    )
    assert body["error_code"] is None
    assert body["num_segments"] == "1"
    assert parsedate_to_datetime(body["date_created"]).tzinfo is not None
    [recorded] = twilio_fake.requests
    assert recorded.auth_ok
    assert recorded.form["StatusCallback"] == "http://127.0.0.1:1/s"
    assert recorded.sid == body["sid"]


def test_a_message_through_a_messaging_service_is_accepted_not_queued(twilio_fake):
    response = post_message(twilio_fake, From="", MessagingServiceSid="MG" + "1" * 32)
    assert response.status_code == 201
    assert response.json()["status"] == "accepted"


def test_wrong_credentials_get_twilios_401_body(twilio_fake):
    response = post_message(twilio_fake, auth=(twilio_fake.account_sid, "wrong"))
    assert response.status_code == 401
    assert response.json()["code"] == 20003
    assert response.json()["more_info"] == "https://www.twilio.com/docs/errors/20003"
    assert "Basic" in response.headers["WWW-Authenticate"]
    assert twilio_fake.requests[0].auth_ok is False


def test_missing_fields_are_refused_with_twilios_codes(twilio_fake):
    assert post_message(twilio_fake, To="").json()["code"] == 21604
    assert post_message(twilio_fake, From="").json()["code"] == 21603
    assert post_message(twilio_fake, Body="").json()["code"] == 21602
    assert post_message(twilio_fake, Body="x" * 1601).json()["code"] == 21617
    assert post_message(twilio_fake, ValidityPeriod="0").json()["code"] == 21624
    assert post_message(twilio_fake, To="5551234").json()["code"] == 21211


def test_scripted_outcomes_are_used_in_order_then_the_number_works(twilio_fake):
    twilio_fake.script(TO, [429, 503, 21211, 201])
    answers = [post_message(twilio_fake) for _ in range(5)]
    assert [a.status_code for a in answers] == [429, 503, 400, 201, 201]
    assert [a.json().get("code") for a in answers[:3]] == [20429, 20503, 21211]
    assert answers[2].json() == {
        "code": 21211,
        "message": f"The 'To' number {TO} is not a valid phone number.",
        "more_info": "https://www.twilio.com/docs/errors/21211",
        "status": 400,
    }


def test_a_number_can_be_made_always_invalid(twilio_fake):
    twilio_fake.fail_always(TO, 21610)
    assert {post_message(twilio_fake).json()["code"] for _ in range(3)} == {21610}


@pytest.mark.parametrize(
    ("number", "code"), [("+15005550001", 21211), ("+15005550004", 21610), ("+15005550009", 21614)]
)
def test_twilios_magic_test_numbers_fail_as_documented(twilio_fake, number, code):
    assert post_message(twilio_fake, To=number).json()["code"] == code


def test_random_failures_repeat_exactly_with_the_same_seed():
    def statuses(seed: int) -> list[int]:
        with FakeTwilioServer(failure_rates={429: 0.3, 503: 0.1}, seed=seed) as server:
            return [post_message(server).status_code for _ in range(40)]

    first = statuses(7)
    assert first == statuses(7)
    assert {429, 201} <= set(first)
    assert first != statuses(8)


def test_latency_delays_every_answer(twilio_fake):
    twilio_fake.latency_ms = 100
    started = time.monotonic()
    post_message(twilio_fake)
    assert time.monotonic() - started >= 0.1


def test_status_callback_is_signed_so_twilios_validator_accepts_it(twilio_fake, webhook_sink):
    callback_url = webhook_sink.url("/hooks/twilio/status?delivery=42")
    sid = post_message(twilio_fake, StatusCallback=callback_url).json()["sid"]

    sent = twilio_fake.send_status_callback(sid, "undelivered", error_code=30003)

    assert sent.status == 200
    [webhook] = webhook_sink.received
    assert webhook.url == callback_url
    assert webhook.form["MessageSid"] == sid
    assert webhook.form["MessageStatus"] == "undelivered"
    assert webhook.form["ErrorCode"] == "30003"
    assert (webhook.form["To"], webhook.form["From"]) == (TO, FROM)
    assert webhook.form["AccountSid"] == twilio_fake.account_sid
    signature = webhook.headers["X-Twilio-Signature"]
    validator = RequestValidator(twilio_fake.auth_token)
    assert validator.validate(webhook.url, webhook.form, signature)


def test_a_tampered_status_callback_fails_validation(twilio_fake, webhook_sink):
    callback_url = webhook_sink.url("/hooks/twilio/status")
    sid = post_message(twilio_fake, StatusCallback=callback_url).json()["sid"]
    twilio_fake.send_status_callback(sid, "failed", error_code=30005)
    [webhook] = webhook_sink.received
    signature = webhook.headers["X-Twilio-Signature"]
    validator = RequestValidator(twilio_fake.auth_token)

    tampered = {**webhook.form, "MessageStatus": "delivered"}
    assert not validator.validate(webhook.url, tampered, signature)
    assert not validator.validate(webhook.url + "&x=1", webhook.form, signature)
    assert not RequestValidator("another-token").validate(webhook.url, webhook.form, signature)


def test_status_callbacks_can_follow_each_send_automatically(twilio_fake, webhook_sink):
    twilio_fake.auto_status_ms = 50
    callback_url = webhook_sink.url("/hooks/twilio/status")
    sid = post_message(twilio_fake, StatusCallback=callback_url).json()["sid"]
    undelivered = Outcome(final_status="undelivered", final_error_code=30003)
    twilio_fake.script("+15551230002", [undelivered])
    other = post_message(twilio_fake, To="+15551230002", StatusCallback=callback_url).json()["sid"]

    deadline = time.monotonic() + 5
    while len(webhook_sink.received) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)

    statuses = {w.form["MessageSid"]: w.form["MessageStatus"] for w in webhook_sink.received}
    assert statuses == {sid: "delivered", other: "undelivered"}
    fetched = requests.get(
        f"{twilio_fake.url}/2010-04-01/Accounts/{twilio_fake.account_sid}/Messages/{sid}.json",
        auth=(twilio_fake.account_sid, twilio_fake.auth_token),
        timeout=5,
    ).json()
    assert fetched["status"] == "delivered"


def test_inbound_sms_and_gather_results_are_posted_with_valid_signatures(twilio_fake, webhook_sink):
    sms_url = webhook_sink.url("/hooks/twilio/sms")
    gather_url = webhook_sink.url("/hooks/twilio/gather?delivery=7")

    reply = twilio_fake.send_inbound_sms(sms_url, from_=TO, to=FROM, body="R2 Y4 G10")
    gathered = twilio_fake.send_gather(gather_url, call_sid="CA" + "0" * 32, digits="1", to=TO)

    assert reply.status == 200 and "<Response/>" in reply.body
    assert gathered.status == 200
    inbound, keypress = webhook_sink.received
    assert inbound.form["Body"] == "R2 Y4 G10"
    assert (inbound.form["From"], inbound.form["To"]) == (TO, FROM)
    assert re.fullmatch(r"SM[0-9a-f]{32}", inbound.form["MessageSid"])
    assert keypress.form["Digits"] == "1"
    assert keypress.form["CallSid"] == "CA" + "0" * 32
    validator = RequestValidator(twilio_fake.auth_token)
    for webhook in (inbound, keypress):
        assert validator.validate(webhook.url, webhook.form, webhook.headers["X-Twilio-Signature"])


def test_the_server_runs_standalone_for_benchmarks():
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.twilio_server", "--port", "0", "--latency-ms", "5"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        info = json.loads(process.stdout.readline())
        server = FakeTwilioServer(account_sid=info["account_sid"], auth_token=info["auth_token"])
        response = requests.post(
            f"{info['url']}/2010-04-01/Accounts/{info['account_sid']}/Messages.json",
            data={"To": TO, "From": FROM, "Body": "bench"},
            auth=(server.account_sid, server.auth_token),
            timeout=5,
        )
        assert response.status_code == 201
        stats = requests.get(f"{info['url']}/_fake/stats", timeout=5).json()
        assert stats["accepted"] == 1
        assert stats["max_concurrency"] == 1
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0
