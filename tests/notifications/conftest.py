"""Fixtures for notification tests: the fake Twilio API, Twilio settings pointing at it, a
webhook receiver and an SMTP server, all real servers on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from notifications.delivery.transports.console import clear_console_outbox
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


# --- notification flow fixtures --------------------------------------------------------------

PUBLIC_BASE_URL = "https://asim.example.org"


@pytest.fixture
def notify_settings(settings):
    """Fast retries, a public base URL for webhooks, email to Django's test outbox."""
    settings.NOTIFY_RETRY_BASE_SECONDS = 0
    settings.NOTIFY_RETRY_MAX_SECONDS = 0
    settings.NOTIFY_MAX_ATTEMPTS = 4
    settings.NOTIFY_BATCH_SIZE = 200
    settings.NOTIFY_CONCURRENCY = 10
    settings.PUBLIC_BASE_URL = PUBLIC_BASE_URL
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return settings


@pytest.fixture(autouse=True)
def _fresh_progress_gates() -> Iterator[None]:
    """Progress throttling keys live in the (shared) cache: start every test without them."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def pushed(monkeypatch) -> list[tuple[list[str], dict]]:
    """Every envelope sent to the boards through asim.realtime, as (groups, envelope)."""
    from asim import realtime

    sent: list[tuple[list[str], dict]] = []

    async def record(groups, envelope) -> None:
        sent.append((list(groups), envelope))

    monkeypatch.setattr(realtime, "asend", record)
    return sent


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """`with on_commit(): service(...)` runs what the service queues after commit."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def signed_post(client, path: str, params: dict, *, token: str, url: str | None = None):
    """POST ``params`` form-encoded to ``path`` the way Twilio does, signed for ``url``
    (default: PUBLIC_BASE_URL + path, the URL Twilio was given)."""
    from urllib.parse import urlencode

    from tests.fakes.twilio_server import sign

    signature = sign(url or PUBLIC_BASE_URL + path, params, token)
    return client.post(
        path,
        urlencode(params),
        content_type="application/x-www-form-urlencoded",
        HTTP_X_TWILIO_SIGNATURE=signature,
    )


def twiml_text(response) -> str:
    """The text of the first <Message> or <Say> of a TwiML answer ("" for none)."""
    import xml.etree.ElementTree as ET

    root = ET.fromstring(response.content)
    node = root.find("Message")
    if node is None:
        node = root.find("Say")
    return "" if node is None else (node.text or "")
