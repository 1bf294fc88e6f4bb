"""Transports: one module per channel behind one interface, and the registry of kinds.

The registry is where channel choices come from: ``DeliveryChannel`` (every contact-point
channel of agencies.models.Channel, and in-app), with exactly one transport per channel;
the console transport stands in for Twilio when it is not configured.

``transport_for(channel)`` is the entry point: SMS and voice go through Twilio when it is
configured and through the console transport (logged, "NOT SENT") otherwise; email uses
Django's configured mail backend; in-app is handled by the notifications app itself.
"""

from __future__ import annotations

from notifications.delivery.transports.base import (
    DeliveryChannel,
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

CHANNEL_TRANSPORTS: dict[str, type[Transport]] = {
    cls.kind: cls
    for cls in (TwilioSmsTransport, TwilioVoiceTransport, EmailTransport, InAppTransport)
}
if sorted(CHANNEL_TRANSPORTS) != sorted(DeliveryChannel.values):
    raise RuntimeError(
        f"one transport per channel: {sorted(DeliveryChannel.values)} have "
        f"{sorted(CHANNEL_TRANSPORTS)}"
    )
REGISTRY: dict[str, type[Transport]] = {
    **CHANNEL_TRANSPORTS,
    ConsoleTransport.kind: ConsoleTransport,
}
# Channels that need Twilio; without it they fall back to the console transport.
TWILIO_CHANNELS = frozenset({DeliveryChannel.SMS.value, DeliveryChannel.VOICE.value})


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
    "CHANNEL_TRANSPORTS",
    "REGISTRY",
    "ConsoleTransport",
    "DeliveryChannel",
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
