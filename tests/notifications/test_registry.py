"""The registry picks a transport per channel; the console and in-app transports."""

from __future__ import annotations

import asyncio
import logging

import pytest

from agencies.models import Channel
from notifications.delivery.messages import EXERCISE_PREFIX
from notifications.delivery.transports import (
    CHANNEL_TRANSPORTS,
    REGISTRY,
    ConsoleTransport,
    DeliveryChannel,
    EmailTransport,
    InAppTransport,
    OutgoingMessage,
    TwilioSmsTransport,
    TwilioVoiceTransport,
    transport_for,
)
from notifications.delivery.transports.console import NOT_SENT, console_outbox
from notifications.models import Delivery


def message(**overrides: object) -> OutgoingMessage:
    fields: dict = {"channel": "sms", "to": "+15551230001", "body": "MCI declared", "key": "9"}
    return OutgoingMessage(**{**fields, **overrides})


def test_with_twilio_configured_sms_and_voice_go_through_twilio(twilio_settings):
    assert isinstance(transport_for("sms"), TwilioSmsTransport)
    assert isinstance(transport_for("voice"), TwilioVoiceTransport)


def test_without_twilio_sms_and_voice_fall_back_to_the_console(no_twilio_settings):
    assert isinstance(transport_for("sms"), ConsoleTransport)
    assert isinstance(transport_for("voice"), ConsoleTransport)


def test_email_in_app_and_console_do_not_depend_on_twilio(no_twilio_settings):
    assert isinstance(transport_for("email"), EmailTransport)
    assert isinstance(transport_for("in_app"), InAppTransport)
    assert isinstance(transport_for("console"), ConsoleTransport)


def test_an_unknown_channel_is_refused_with_the_known_ones():
    with pytest.raises(ValueError, match=r"unknown channel 'fax'.*sms, voice, email, in_app"):
        transport_for("fax")


def test_every_channel_has_a_transport_and_the_console_is_not_a_channel():
    assert set(DeliveryChannel.values) <= set(REGISTRY)
    assert "console" not in DeliveryChannel.values
    assert all(REGISTRY[kind].kind == kind for kind in REGISTRY)


def test_the_channels_are_the_contact_channels_and_in_app_each_with_one_transport():
    assert DeliveryChannel.values == [*Channel.values, "in_app"]
    assert sorted(CHANNEL_TRANSPORTS) == sorted(DeliveryChannel.values)
    assert Delivery._meta.get_field("channel").choices == DeliveryChannel.choices


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"channel": "fax"}, "channel"),
        ({"to": " "}, "to"),
        ({"body": ""}, "body"),
    ],
)
def test_a_malformed_message_is_refused_before_any_transport(overrides, error):
    with pytest.raises(ValueError, match=f"^{error}:"):
        message(**overrides)


def test_the_console_transport_says_plainly_that_nothing_was_sent(no_twilio_settings, caplog):
    caplog.set_level(logging.INFO, logger="notifications")

    result = transport_for("sms").send(message(exercise=True))

    assert result.provider_id.startswith("console-")
    assert (result.status, result.sent_by) == ("sent", "console")
    assert f"{NOT_SENT}: sms to +15551230001" in caplog.text
    assert NOT_SENT == "NOT SENT (console transport)"
    [kept] = console_outbox()
    assert kept.provider_id == result.provider_id
    assert kept.text == f"{EXERCISE_PREFIX}. MCI declared"


def test_the_console_transport_works_from_an_event_loop(no_twilio_settings):
    transport = transport_for("voice")

    async def fan_out() -> list[str]:
        results = await asyncio.gather(*(transport.asend(message(key=str(i))) for i in range(5)))
        return [r.provider_id for r in results]

    ids = asyncio.run(fan_out())
    assert len(set(ids)) == 5
    assert [r.message.key for r in console_outbox()] == ["0", "1", "2", "3", "4"]


def test_the_in_app_transport_answers_with_the_delivery_key():
    result = InAppTransport().send(message(channel="in_app", to="user:12", key="delivery-5"))

    assert result.provider_id == "in_app-delivery-5"
    assert (result.status, result.sent_by) == ("sent", "in_app")
