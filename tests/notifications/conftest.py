"""Fixtures for notification tests: the fake Twilio API, Twilio settings pointing at it, a
webhook receiver and an SMTP server, all real servers on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from notifications.transports.console import clear_console_outbox
from tests.fakes.twilio_server import FakeTwilioServer
from tests.notifications.sinks import SmtpSink, WebhookSink

FROM_NUMBER = "+15005550006"
MESSAGING_SERVICE_SID = "MG" + "a" * 32


@pytest.fixture
def twilio_fake() -> Iterator[FakeTwilioServer]:
    """A running fake Twilio API with no latency and no failures (configure it in the test)."""
    with FakeTwilioServer() as server:
        yield server


@pytest.fixture
def twilio_settings(settings, twilio_fake: FakeTwilioServer):
    """Django settings with Twilio configured against the fake (From number, no service)."""
    settings.TWILIO_ACCOUNT_SID = twilio_fake.account_sid
    settings.TWILIO_AUTH_TOKEN = twilio_fake.auth_token
    settings.TWILIO_FROM_NUMBER = FROM_NUMBER
    settings.TWILIO_MESSAGING_SERVICE_SID = ""
    settings.TWILIO_API_BASE_URL = twilio_fake.url
    settings.TWILIO_CONFIGURED = True
    return settings


@pytest.fixture
def no_twilio_settings(settings):
    """Django settings for the embedded mode: no Twilio credentials at all."""
    settings.TWILIO_ACCOUNT_SID = ""
    settings.TWILIO_AUTH_TOKEN = ""
    settings.TWILIO_FROM_NUMBER = ""
    settings.TWILIO_MESSAGING_SERVICE_SID = ""
    settings.TWILIO_CONFIGURED = False
    return settings


@pytest.fixture
def webhook_sink() -> Iterator[WebhookSink]:
    sink = WebhookSink().start()
    yield sink
    sink.stop()


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    sink = SmtpSink(
        refuse={
            "nobody@example.org": "550 5.1.1 No such user here",
            "busy@example.org": "451 4.3.0 Mailbox temporarily unavailable",
        }
    ).start()
    yield sink
    sink.stop()


@pytest.fixture(autouse=True)
def _empty_console_outbox() -> Iterator[None]:
    clear_console_outbox()
    yield
    clear_console_outbox()
