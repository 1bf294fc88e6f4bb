"""Message text: the exercise prefix exactly once, Twilio's length limits, the voice script."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from notifications.delivery.messages import (
    EXERCISE_PREFIX,
    email_subject,
    outgoing_text,
    sms_text,
    truncate,
    voice_twiml,
    with_exercise_prefix,
)


@pytest.mark.parametrize(
    "text",
    [
        "Shots fired at Main St.",
        f"{EXERCISE_PREFIX}. Shots fired at Main St.",
        f"  {EXERCISE_PREFIX}. Shots fired at Main St.",
    ],
)
def test_an_exercise_message_carries_the_prefix_exactly_once(text):
    once = with_exercise_prefix(text)

    assert once == f"{EXERCISE_PREFIX}. Shots fired at Main St."
    assert with_exercise_prefix(once) == once
    assert outgoing_text(once, exercise=True) == once


def test_a_real_incident_message_is_left_alone():
    assert outgoing_text("Shots fired at Main St.", exercise=False) == "Shots fired at Main St."


def test_truncation_cuts_at_a_word_and_says_so():
    assert truncate("short", 10) == "short"
    cut = truncate("Patients en route to hospital A1 now", 20)
    assert cut == "Patients en route..."
    assert len(cut) <= 20


def test_an_exercise_sms_keeps_its_prefix_when_cut_to_1600_characters():
    body = sms_text("x " * 2000, exercise=True)

    assert len(body) <= 1600
    assert body.startswith(EXERCISE_PREFIX)
    assert body.count(EXERCISE_PREFIX) == 1


def test_an_email_subject_is_one_prefixed_line():
    subject = email_subject("", "MCI declared\nat Main St.\n\nDetails follow", exercise=True)

    assert subject == f"{EXERCISE_PREFIX}. MCI declared at Main St. Details follow"
    assert "\n" not in email_subject("Two\nlines", "body", exercise=False)


def test_the_voice_script_without_a_gather_url_still_says_the_message_twice():
    response = ET.fromstring(voice_twiml("Go to staging.", exercise=False, gather_url=None))

    assert response.find("Gather") is None
    assert [s.text for s in response.iter("Say")].count("Go to staging.") == 2


def test_the_voice_script_escapes_the_gather_url_and_the_text():
    url = "https://asim.example.org/hooks/twilio/gather?d=1&k=2"
    twiml = voice_twiml("A & B <now>", exercise=False, gather_url=url)

    response = ET.fromstring(twiml)
    assert response.find("Gather").get("action") == url
    assert [s.text for s in response.iter("Say")].count("A & B <now>") == 2


def test_the_voice_script_always_fits_in_4000_characters():
    for size in (500, 1990, 2000, 4000, 20_000):
        twiml = voice_twiml("&" * size, exercise=True, gather_url="https://x.example/g")
        assert len(twiml) <= 4000
        ET.fromstring(twiml)
