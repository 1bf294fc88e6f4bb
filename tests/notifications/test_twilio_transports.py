"""SMS and voice through the real twilio SDK (blocking and asyncio) against the fake Twilio API."""

from __future__ import annotations

import asyncio
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable

import pytest

from notifications.delivery.messages import EXERCISE_PREFIX
from notifications.delivery.transports import (
    OutgoingMessage,
    SendResult,
    Transport,
    TransportError,
    TwilioSmsTransport,
    TwilioVoiceTransport,
)
from notifications.delivery.transports.sms import LIFE_SAFETY_VALIDITY_SECONDS
from tests.fakes.twilio_server import FakeTwilioServer, Outcome
from tests.notifications.conftest import FROM_NUMBER, MESSAGING_SERVICE_SID

TO = "+15551230001"
GATHER_URL = "https://asim.example.org/hooks/twilio/gather?delivery=17&key=a1"
STATUS_URL = "https://asim.example.org/hooks/twilio/status?delivery=17"


def sms(**overrides: object) -> OutgoingMessage:
    fields: dict = {"channel": "sms", "to": TO, "body": "MCI declared at Main St.", "key": "17"}
    return OutgoingMessage(**{**fields, **overrides})


def call(**overrides: object) -> OutgoingMessage:
    return sms(channel="voice", gather_url=GATHER_URL, **overrides)


def send_sync(transport: Transport, message: OutgoingMessage) -> SendResult:
    with transport:
        return transport.send(message)


def send_async(transport: Transport, message: OutgoingMessage) -> SendResult:
    async def run() -> SendResult:
        async with transport:
            return await transport.asend(message)

    return asyncio.run(run())


# Every behaviour below holds for the blocking SDK call and for the asyncio one.
both_paths = pytest.mark.parametrize("send", [send_sync, send_async], ids=["sync", "async"])
Send = Callable[[Transport, OutgoingMessage], SendResult]


@both_paths
def test_an_accepted_sms_returns_twilios_sid(twilio_settings, twilio_fake, send: Send):
    result = send(TwilioSmsTransport(), sms(status_callback=STATUS_URL))

    assert re.fullmatch(r"SM[0-9a-f]{32}", result.provider_id)
    assert (result.status, result.sent_by) == ("queued", "twilio-sms")
    [request] = twilio_fake.requests
    assert request.path == f"/2010-04-01/Accounts/{twilio_fake.account_sid}/Messages.json"
    assert request.auth_ok
    assert request.sid == result.provider_id
    assert request.form["To"] == TO
    assert request.form["From"] == FROM_NUMBER
    assert request.form["Body"] == "MCI declared at Main St."
    assert request.form["StatusCallback"] == STATUS_URL
    assert "ValidityPeriod" not in request.form


@both_paths
def test_a_life_safety_sms_gets_a_short_validity_period(twilio_settings, twilio_fake, send: Send):
    send(TwilioSmsTransport(), sms(life_safety=True))

    assert twilio_fake.requests[0].form["ValidityPeriod"] == str(LIFE_SAFETY_VALIDITY_SECONDS)
    assert LIFE_SAFETY_VALIDITY_SECONDS <= 600


def test_sms_goes_through_the_messaging_service_when_one_is_configured(
    twilio_settings, twilio_fake
):
    twilio_settings.TWILIO_MESSAGING_SERVICE_SID = MESSAGING_SERVICE_SID

    result = send_sync(TwilioSmsTransport(), sms())

    form = twilio_fake.requests[0].form
    assert form["MessagingServiceSid"] == MESSAGING_SERVICE_SID
    assert "From" not in form
    assert result.status == "accepted"


@both_paths
@pytest.mark.parametrize(
    ("code", "reason"),
    [
        (21211, "invalid phone number"),
        (21614, "not SMS-capable"),
        (21610, "opted out"),
        (21608, "unverified"),
    ],
)
def test_an_unusable_number_fails_permanently_with_a_reason(
    twilio_settings, twilio_fake, send: Send, code: int, reason: str
):
    twilio_fake.script(TO, [code])

    with pytest.raises(TransportError) as raised:
        send(TwilioSmsTransport(), sms())

    error = raised.value
    assert error.permanent and error.bad_address
    assert error.code == code
    assert reason in error.message


@both_paths
@pytest.mark.parametrize(("outcome", "code"), [(429, 20429), (20429, 20429), (503, 20503)])
def test_rate_limits_and_server_errors_are_transient(
    twilio_settings, twilio_fake, send: Send, outcome: int, code: int
):
    twilio_fake.script(TO, [outcome])

    with pytest.raises(TransportError) as raised:
        send(TwilioSmsTransport(), sms())

    assert not raised.value.permanent
    assert not raised.value.bad_address
    assert raised.value.code == code


@both_paths
@pytest.mark.parametrize("code", [21611, 30001])
def test_a_full_sender_queue_is_transient_and_says_when_to_retry(
    twilio_settings, twilio_fake, send: Send, code: int
):
    twilio_fake.script(TO, [code])

    with pytest.raises(TransportError) as raised:
        send(TwilioSmsTransport(), sms())

    assert not raised.value.permanent
    assert raised.value.retry_after and raised.value.retry_after > 0


@both_paths
def test_a_dropped_connection_is_transient(twilio_settings, twilio_fake, send: Send):
    twilio_fake.script(TO, ["disconnect"])

    with pytest.raises(TransportError) as raised:
        send(TwilioSmsTransport(), sms())

    assert not raised.value.permanent
    assert "could not reach Twilio" in raised.value.message


@both_paths
def test_an_unreachable_twilio_is_transient(twilio_settings, send: Send):
    with FakeTwilioServer() as gone:
        closed_url = gone.url
    twilio_settings.TWILIO_API_BASE_URL = closed_url

    with pytest.raises(TransportError) as raised:
        send(TwilioSmsTransport(), sms())

    assert not raised.value.permanent


@both_paths
def test_wrong_credentials_are_reported_plainly_and_not_blamed_on_the_number(
    twilio_settings, twilio_fake, send: Send
):
    twilio_settings.TWILIO_AUTH_TOKEN = "not-the-token"

    with pytest.raises(TransportError) as raised:
        send(TwilioSmsTransport(), sms())

    assert twilio_fake.requests[0].auth_ok is False
    assert raised.value.code == 20003
    assert raised.value.permanent and not raised.value.bad_address
    assert "TWILIO_AUTH_TOKEN" in raised.value.message


@both_paths
def test_the_sdk_ignores_twilio_edge_and_region_from_the_environment(
    twilio_settings, twilio_fake, monkeypatch, send: Send
):
    # The SDK reads TWILIO_EDGE / TWILIO_REGION from os.environ and would rewrite the host.
    monkeypatch.setenv("TWILIO_EDGE", "sydney")
    monkeypatch.setenv("TWILIO_REGION", "au1")

    send(TwilioSmsTransport(), sms())

    assert len(twilio_fake.sent("Messages")) == 1


@both_paths
def test_twilio_transports_without_credentials_say_so(no_twilio_settings, send: Send):
    for transport, message in ((TwilioSmsTransport(), sms()), (TwilioVoiceTransport(), call())):
        with pytest.raises(TransportError, match=r"^Twilio is not configured$") as raised:
            send(transport, message)
        assert raised.value.permanent


@both_paths
def test_an_exercise_sms_starts_with_the_prefix_exactly_once(
    twilio_settings, twilio_fake, send: Send
):
    send(TwilioSmsTransport(), sms(exercise=True))
    send(TwilioSmsTransport(), sms(exercise=True, body=f"{EXERCISE_PREFIX}. Drill at the mall"))

    bodies = [r.form["Body"] for r in twilio_fake.requests]
    assert bodies == [
        f"{EXERCISE_PREFIX}. MCI declared at Main St.",
        f"{EXERCISE_PREFIX}. Drill at the mall",
    ]
    assert all(body.count("EXERCISE") == 3 for body in bodies)


def test_a_long_sms_is_cut_to_twilios_limit_instead_of_refused(twilio_settings, twilio_fake):
    result = send_sync(TwilioSmsTransport(), sms(body="word " * 500, exercise=True))

    body = twilio_fake.requests[0].form["Body"]
    assert result.provider_id.startswith("SM")
    assert len(body) <= 1600
    assert body.startswith(EXERCISE_PREFIX) and body.endswith("...")


def parse_twiml(twiml: str) -> ET.Element:
    return ET.fromstring(twiml)


@both_paths
def test_a_voice_call_says_the_message_twice_and_gathers_one_digit(
    twilio_settings, twilio_fake, send: Send
):
    result = send(TwilioVoiceTransport(), call(status_callback=STATUS_URL))

    assert re.fullmatch(r"CA[0-9a-f]{32}", result.provider_id)
    assert result.sent_by == "twilio-voice"
    [request] = twilio_fake.requests
    assert request.path.endswith("/Calls.json")
    assert (request.form["To"], request.form["From"]) == (TO, FROM_NUMBER)
    assert request.form["StatusCallback"] == STATUS_URL
    response = parse_twiml(request.form["Twiml"])
    gather = response.find("Gather")
    assert gather is not None
    assert gather.get("numDigits") == "1"
    assert gather.get("action") == GATHER_URL
    said = [say.text for say in gather.iter("Say")]
    assert said.count("MCI declared at Main St.") == 2
    assert said.count("Press 1 to acknowledge.") == 2
    # After the gather times out, one last sentence, then the call ends.
    assert [child.tag for child in response] == ["Gather", "Say"]


def test_a_voice_call_for_an_exercise_starts_each_reading_with_the_prefix_once(
    twilio_settings, twilio_fake
):
    send_sync(TwilioVoiceTransport(), call(exercise=True, body=f"{EXERCISE_PREFIX}. Drill"))

    gather = parse_twiml(twilio_fake.requests[0].form["Twiml"]).find("Gather")
    readings = [s.text for s in gather.iter("Say") if s.text and "Drill" in s.text]
    assert readings == [f"{EXERCISE_PREFIX}. Drill"] * 2


def test_a_very_long_voice_message_is_shortened_to_fit_twilios_twiml_limit(
    twilio_settings, twilio_fake
):
    body = "Casualties & patients <en route> to A1. " * 200

    result = send_sync(TwilioVoiceTransport(), call(body=body))

    twiml = twilio_fake.requests[0].form["Twiml"]
    assert result.provider_id.startswith("CA")
    assert len(twiml) <= 4000
    gather = parse_twiml(twiml).find("Gather")
    readings = [s.text for s in gather.iter("Say") if s.text.startswith("Casualties")]
    assert len(readings) == 2 and readings[0].endswith("...")


def test_voice_needs_a_from_number_even_with_a_messaging_service(twilio_settings, twilio_fake):
    twilio_settings.TWILIO_FROM_NUMBER = ""
    twilio_settings.TWILIO_MESSAGING_SERVICE_SID = MESSAGING_SERVICE_SID

    with pytest.raises(TransportError, match="TWILIO_FROM_NUMBER") as raised:
        send_sync(TwilioVoiceTransport(), call())

    assert raised.value.permanent
    assert twilio_fake.requests == []


@both_paths
def test_an_invalid_number_for_a_call_fails_permanently(twilio_settings, twilio_fake, send: Send):
    with pytest.raises(TransportError) as raised:
        send(TwilioVoiceTransport(), call(to="12345"))

    assert raised.value.code == 21217
    assert raised.value.bad_address


def test_a_failed_send_can_be_retried_on_the_same_transport(twilio_settings, twilio_fake):
    twilio_fake.script(TO, [429, Outcome()])
    transport = TwilioSmsTransport()

    with transport:
        with pytest.raises(TransportError):
            transport.send(sms())
        result = transport.send(sms())

    assert result.provider_id.startswith("SM")
    assert [r.status for r in twilio_fake.requests] == [429, 201]


def test_concurrent_async_sends_respect_the_semaphore_and_overlap(twilio_settings, twilio_fake):
    twilio_fake.latency_ms = 50
    bound = 50

    async def fan_out() -> list[SendResult]:
        semaphore = asyncio.Semaphore(bound)
        async with TwilioSmsTransport() as transport:

            async def one(i: int) -> SendResult:
                async with semaphore:
                    return await transport.asend(sms(to=f"+1555300{i:04d}", key=str(i)))

            return await asyncio.gather(*(one(i) for i in range(200)))

    results = asyncio.run(fan_out())

    assert len({r.provider_id for r in results}) == 200
    assert len(twilio_fake.sent("Messages")) == 200
    # Serial sending would never have more than one request in flight.
    assert bound * 0.9 <= twilio_fake.max_concurrency <= bound
