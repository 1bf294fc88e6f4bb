"""Message text helpers shared by every transport: the exercise prefix, limits and TwiML.

Text only: no models, no I/O. Transports call :func:`outgoing_text` so an exercise message
carries the prefix exactly once, whether or not the message builder already added it.
"""

from __future__ import annotations

import re

from twilio.twiml.voice_response import VoiceResponse

EXERCISE_PREFIX = "EXERCISE EXERCISE EXERCISE"
# ". " rather than a dash: an en dash is not in the GSM-7 alphabet and would turn every SMS
# into UCS-2 (70 characters per segment instead of 160).
EXERCISE_SEPARATOR = ". "

SMS_MAX_CHARS = 1600  # Twilio refuses longer bodies (21617)
TWIML_MAX_CHARS = 4000  # Twilio refuses longer inline TwiML (32018)
EMAIL_SUBJECT_MAX_CHARS = 150
ELLIPSIS = "..."  # ASCII, for the same GSM-7 reason

VOICE_LANGUAGE = "en-US"
VOICE_ACK_PROMPT = "Press 1 to acknowledge."
VOICE_NO_ANSWER = "No key was pressed. This alert is not acknowledged. Goodbye."
VOICE_GATHER_TIMEOUT_SECONDS = 8

_WHITESPACE = re.compile(r"\s+")


def with_exercise_prefix(text: str) -> str:
    """Return ``text`` starting with "EXERCISE EXERCISE EXERCISE", added only if missing."""
    stripped = text.lstrip()
    if stripped.startswith(EXERCISE_PREFIX):
        return stripped
    if not stripped:
        return EXERCISE_PREFIX
    return f"{EXERCISE_PREFIX}{EXERCISE_SEPARATOR}{stripped}"


def outgoing_text(text: str, *, exercise: bool) -> str:
    """The text a person receives: prefixed exactly once when the incident is an exercise."""
    return with_exercise_prefix(text) if exercise else text


def truncate(text: str, limit: int) -> str:
    """Cut ``text`` to at most ``limit`` characters, at a word boundary, ending in "..."."""
    if len(text) <= limit:
        return text
    if limit <= len(ELLIPSIS):
        return text[:limit]
    cut = text[: limit - len(ELLIPSIS)]
    # Back up to a word boundary unless the cut already is one, or backing up would throw
    # away most of the text (one very long word).
    space = cut.rfind(" ")
    if not text[len(cut)].isspace() and space > len(cut) // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.") + ELLIPSIS


def sms_text(text: str, *, exercise: bool) -> str:
    """The SMS body: exercise prefix, then cut to Twilio's 1,600-character limit."""
    return truncate(outgoing_text(text, exercise=exercise), SMS_MAX_CHARS)


def email_subject(subject: str, body: str, *, exercise: bool) -> str:
    """A one-line subject (the body's start when no subject is given), exercise-prefixed."""
    line = _WHITESPACE.sub(" ", subject or body).strip() or "ASIM notification"
    return truncate(outgoing_text(line, exercise=exercise), EMAIL_SUBJECT_MAX_CHARS)


def _spoken(text: str) -> str:
    # Line breaks and runs of spaces mean nothing to text-to-speech; they only cost characters.
    return _WHITESPACE.sub(" ", text).strip()


def _render_voice(text: str, gather_url: str | None) -> str:
    response = VoiceResponse()
    if gather_url:
        gather = response.gather(
            num_digits=1,
            action=gather_url,
            method="POST",
            timeout=VOICE_GATHER_TIMEOUT_SECONDS,
        )
        for _ in range(2):
            gather.say(text, language=VOICE_LANGUAGE)
            gather.say(VOICE_ACK_PROMPT, language=VOICE_LANGUAGE)
            gather.pause(length=1)
        response.say(VOICE_NO_ANSWER, language=VOICE_LANGUAGE)
    else:
        for _ in range(2):
            response.say(text, language=VOICE_LANGUAGE)
            response.pause(length=1)
        response.say("Goodbye.", language=VOICE_LANGUAGE)
    return str(response)


def voice_twiml(text: str, *, exercise: bool, gather_url: str | None) -> str:
    """TwiML that says the message twice and, with ``gather_url``, asks to press 1.

    With a ``gather_url``: ``<Gather numDigits="1" action=gather_url>`` holding the message
    and "Press 1 to acknowledge." twice, then a final ``<Say>`` for when no key was pressed.
    The message is shortened (never the structure) so the document stays within Twilio's
    4,000-character limit for inline TwiML.
    """
    spoken = _spoken(outgoing_text(text, exercise=exercise))
    twiml = _render_voice(spoken, gather_url)
    if len(twiml) <= TWIML_MAX_CHARS:
        return twiml
    # XML escaping makes the rendered length hard to predict ("&" costs 5), so search for the
    # longest prefix of the text that fits: about a dozen renders for any message.
    fits, too_long = 0, len(spoken)
    while too_long - fits > 1:
        middle = (fits + too_long) // 2
        if len(_render_voice(truncate(spoken, middle), gather_url)) <= TWIML_MAX_CHARS:
            fits = middle
        else:
            too_long = middle
    twiml = _render_voice(truncate(spoken, fits), gather_url)
    if fits == 0 or len(twiml) > TWIML_MAX_CHARS:
        raise ValueError("the gather URL alone makes the TwiML longer than 4,000 characters")
    return twiml
