"""Transports: one module per channel behind one interface, and the registry of kinds.

``transport_for(channel)`` is the entry point: SMS and voice go through Twilio when it is
configured and through the console transport (logged, "NOT SENT") otherwise; email uses
Django's configured mail backend; in-app is handled by the notifications app itself.
"""

from __future__ import annotations

from notifications.delivery.transports.base import (
    Channel,
    OutgoingMessage,
    SendResult,
    Transport,
    TransportError,
)
from notifications.delivery.transports.console import ConsoleTransport
from notifications.delivery.transports.email import EmailTransport
from notifications.delivery.transports.in_app import InAppTransport
from notifications.delivery.transports.sms import TwilioSmsTransport
from notifications.delivery.transports.twilio_client import twilio_configured
from notifications.delivery.transports.voice import TwilioVoiceTransport

REGISTRY: dict[str, type[Transport]] = {
    cls.kind: cls
    for cls in (
        TwilioSmsTransport,
        TwilioVoiceTransport,
        EmailTransport,
        InAppTransport,
        ConsoleTransport,
    )
}
# Channels that need Twilio; without it they fall back to the console transport.
TWILIO_CHANNELS = frozenset({Channel.SMS.value, Channel.VOICE.value})


def transport_for(channel: str) -> Transport:
    """A new transport for ``channel`` ("sms", "voice", "email", "in_app" or "console").

    Raises ValueError for an unknown channel. The caller closes it (``close``/``aclose`` or a
    ``with``/``async with`` block) when done, so its connections are reused across a batch.
    """
    try:
        cls = REGISTRY[channel]
    except KeyError:
        raise ValueError(
            f"unknown channel {channel!r}: expected one of {', '.join(REGISTRY)}"
        ) from None
    if channel in TWILIO_CHANNELS and not twilio_configured():
        return ConsoleTransport()
    return cls()


__all__ = [
    "REGISTRY",
    "Channel",
    "ConsoleTransport",
    "EmailTransport",
    "InAppTransport",
    "OutgoingMessage",
    "SendResult",
    "Transport",
    "TransportError",
    "TwilioSmsTransport",
    "TwilioVoiceTransport",
    "transport_for",
    "twilio_configured",
]
