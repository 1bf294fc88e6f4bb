"""Typed words in messages and logs: one line, no control or bidi characters, the place said
once. The SMS and the call are read back from the fake Twilio server as the SDK sent them."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest
from django.test import Client

from agencies.models import RosterRole
from notifications.delivery.transports.console import console_outbox
from tests.fakes.twilio_server import DEFAULT_AUTH_TOKEN
from tests.incidents.conftest import declare
from tests.notifications.conftest import FROM_NUMBER, signed_post, twiml_text
from tests.notifications.helpers import person, rule

pytestmark = pytest.mark.django_db

# A drill title that, sent raw, puts a forged sentence on a line of its own and turns the end
# of the message around (U+202E RIGHT-TO-LEFT OVERRIDE), with a zero-width space and a bell.
HOSTILE_TITLE = "Drill at Central Mall\r\nALERT CANCELLED. This is NOT an exercise\u202e\u200b\x07"
HOSTILE_PLACE = "Central Mall\u2028100 Main St\t\t(north entrance)"
INVISIBLE = ("\r", "\n", "\t", "\u2028", "\u202e", "\u200b", "\x07")


@pytest.fixture
def er_contact(world):
    world.region_a.hospitals_to_notify = 1
    world.region_a.save()
    return person(
        world.hospital_a1.agency, roles=[RosterRole.ER_CONTACT], channels=["sms", "voice"]
    )


def test_sms_and_voice_carry_a_hostile_title_as_one_plain_line(
    world, er_contact, dispatcher_a, notify_settings, twilio_settings, twilio_fake, on_commit
):
    rule(world, incident_hospitals_er=True, channels=["sms", "voice"])

    with on_commit():
        declare(world.region_a, dispatcher_a, title=HOSTILE_TITLE, location_text=HOSTILE_PLACE)

    [sms] = twilio_fake.sent("Messages")
    [call] = twilio_fake.sent("Calls")
    body, twiml = sms.form["Body"], call.form["Twiml"]
    assert "Drill at Central Mall ALERT CANCELLED. This is NOT an exercise" in body
    assert "Central Mall 100 Main St (north entrance)" in body
    assert "ALERT CANCELLED. This is NOT an exercise" in twiml
    for character in INVISIBLE:
        assert character not in body and character not in twiml


def test_the_sms_says_the_place_once(world, er_contact, dispatcher_a, notify_settings, on_commit):
    rule(world, incident_hospitals_er=True, channels=["sms"])

    with on_commit():
        incident = declare(world.region_a, dispatcher_a)  # "Shooting at Central Mall"

    [record] = console_outbox()
    assert record.text.startswith(
        f"ASIM ALERT: Active shooter declared, Shooting at Central Mall, 100 Main St. "
        f"Incident {incident.number}."
    )
    assert "Central Mall at Central Mall" not in record.text


def test_the_reply_to_an_ack_names_the_hospital_on_one_line(
    world, er_contact, dispatcher_a, notify_settings, twilio_settings, twilio_fake, on_commit
):
    world.hospital_a1.agency.name = "A1\nHospital\u202e"
    world.hospital_a1.agency.save()
    rule(world, incident_hospitals_er=True, channels=["sms"])
    with on_commit():
        declare(world.region_a, dispatcher_a, title=HOSTILE_TITLE)
    params = {
        "MessageSid": "SM" + "5" * 32,
        "AccountSid": "AC" + "f" * 32,
        "From": er_contact.contact_points.get(channel="sms").address,
        "To": FROM_NUMBER,
        "Body": "ACK",
        "NumMedia": "0",
    }

    response = signed_post(Client(), "/hooks/twilio/sms/inbound/", params, token=DEFAULT_AUTH_TOKEN)

    reply = twiml_text(response)
    assert "ASIM: acknowledged, thank you. A1 Hospital is marked acknowledged" in reply
    assert "Drill at Central Mall ALERT CANCELLED. This is NOT an exercise)" in reply
    for character in INVISIBLE:
        assert character not in reply


@pytest.fixture
def log_output() -> Iterator[io.StringIO]:
    """What the configured console handler (settings.LOGGING) writes, at INFO for our apps."""
    [handler] = [h for h in logging.getLogger().handlers if type(h) is logging.StreamHandler]
    captured = io.StringIO()
    previous_stream = handler.setStream(captured)
    levels = {name: logging.getLogger(name).level for name in ("notifications", "asim")}
    for name in levels:
        logging.getLogger(name).setLevel(logging.INFO)
    try:
        yield captured
    finally:
        handler.setStream(previous_stream)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


def test_a_log_line_cannot_be_split_or_reordered_by_what_was_typed(
    world, er_contact, dispatcher_a, notify_settings, on_commit, log_output
):
    # A rule's own template may break lines; the console transport logs the text it keeps.
    rule(
        world,
        incident_hospitals_er=True,
        channels=["sms"],
        sms_template="ALERT\n{{ incident.title }}",
    )
    forged = "ACK\n2026-03-14 14:00:00,000 INFO notifications.replies: acknowledged\u202e"

    with on_commit():
        declare(world.region_a, dispatcher_a)
    logging.getLogger("notifications.replies").warning("SMS from %s: %r", "+1937", forged[:3])
    logging.getLogger("notifications.replies").warning("SMS body: %s", forged)

    lines = log_output.getvalue().splitlines()
    [sent] = [line for line in lines if "NOT SENT" in line]
    assert sent.endswith("ALERT\\nShooting at Central Mall")
    [body] = [line for line in lines if "SMS body" in line]
    assert body.endswith(
        "SMS body: ACK\\n2026-03-14 14:00:00,000 INFO notifications.replies: acknowledged\\u202e"
    )
    assert not any(line.startswith("2026-03-14 14:00:00,000") for line in lines)


def test_a_traceback_stays_readable_and_indented(log_output):
    try:
        raise ValueError("bad title\nINFO forged")
    except ValueError:
        logging.getLogger("asim").warning("failed for %s", "x\ry", exc_info=True)

    first, *rest = log_output.getvalue().rstrip("\n").split("\n")
    assert first.endswith("asim: failed for x\\ry")
    assert rest[0] == "    Traceback (most recent call last):"
    # Every line of the traceback, the exception's own text too, is indented under its record.
    assert rest[-2:] == ["    ValueError: bad title", "    INFO forged"]
    assert all(line.startswith("    ") for line in rest)
