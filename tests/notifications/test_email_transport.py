"""Email through Django's mail framework: the test outbox and a real local SMTP server."""

from __future__ import annotations

import asyncio
import email
from email import policy

import pytest
from django.core import mail

from notifications.delivery.messages import EXERCISE_PREFIX
from notifications.delivery.transports import (
    EmailTransport,
    OutgoingMessage,
    TransportError,
    transport_for,
)


def message(**overrides: object) -> OutgoingMessage:
    fields: dict = {
        "channel": "email",
        "to": "er-charge@a1.example.org",
        "subject": "MCI declared",
        "body": "MCI declared at Main St. Expect 12 patients.",
        "key": "delivery-31",
    }
    return OutgoingMessage(**{**fields, **overrides})


@pytest.fixture
def locmem(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.DEFAULT_FROM_EMAIL = "ASIM <alerts@asim.example.org>"
    mail.outbox = []
    return settings


@pytest.fixture
def smtp(settings, smtp_sink):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = smtp_sink.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.DEFAULT_FROM_EMAIL = "ASIM <alerts@asim.example.org>"
    return smtp_sink


def test_an_email_lands_in_the_outbox_with_our_message_id(locmem):
    result = transport_for("email").send(message())

    [sent] = mail.outbox
    assert sent.to == ["er-charge@a1.example.org"]
    assert sent.from_email == "ASIM <alerts@asim.example.org>"
    assert sent.subject == "MCI declared"
    assert sent.body == "MCI declared at Main St. Expect 12 patients."
    assert result.provider_id == sent.extra_headers["Message-ID"]
    assert result.provider_id.endswith("@asim.example.org>")
    assert (result.status, result.sent_by) == ("sent", "email")


def test_an_exercise_email_prefixes_subject_and_body_exactly_once(locmem):
    EmailTransport().send(message(exercise=True, body=f"{EXERCISE_PREFIX}. Drill."))

    [sent] = mail.outbox
    assert sent.subject == f"{EXERCISE_PREFIX}. MCI declared"
    assert sent.body == f"{EXERCISE_PREFIX}. Drill."


def test_an_email_without_a_subject_takes_the_start_of_the_body(locmem):
    EmailTransport().send(message(subject=""))

    assert mail.outbox[0].subject == "MCI declared at Main St. Expect 12 patients."


def test_emails_can_be_sent_from_an_event_loop(locmem):
    transport = EmailTransport()

    async def fan_out() -> None:
        await asyncio.gather(*(transport.asend(message(key=f"d{i}")) for i in range(3)))

    asyncio.run(fan_out())
    assert len(mail.outbox) == 3


def test_an_email_goes_through_a_real_smtp_server(smtp):
    result = EmailTransport().send(message(exercise=True))

    [received] = smtp.received
    assert received.rcpt_to == ["er-charge@a1.example.org"]
    assert received.mail_from == "alerts@asim.example.org"
    parsed = email.message_from_bytes(received.data, policy=policy.default)
    assert parsed["Subject"] == f"{EXERCISE_PREFIX}. MCI declared"
    assert parsed["Message-ID"] == result.provider_id
    assert parsed.get_content().startswith(f"{EXERCISE_PREFIX}. MCI declared at Main St.")


def test_a_recipient_the_mail_server_does_not_know_fails_permanently(smtp):
    with pytest.raises(TransportError) as raised:
        EmailTransport().send(message(to="nobody@example.org"))

    assert raised.value.permanent and raised.value.bad_address
    assert raised.value.code == 550
    assert smtp.received == []


def test_a_temporarily_refused_recipient_is_retried_later(smtp):
    with pytest.raises(TransportError) as raised:
        EmailTransport().send(message(to="busy@example.org"))

    assert not raised.value.permanent and not raised.value.bad_address


def test_an_unreachable_mail_server_is_transient(smtp, settings):
    smtp.stop()

    with pytest.raises(TransportError, match="could not reach the mail server") as raised:
        EmailTransport().send(message())

    assert not raised.value.permanent
