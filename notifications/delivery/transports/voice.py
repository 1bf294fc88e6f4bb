"""Twilio voice: a call that says the message twice and asks to press 1 to acknowledge.

The TwiML goes inline (``Twiml``), so the call speaks without first fetching anything from
our server; the keypress is POSTed to the message's ``gather_url``.
"""

from __future__ import annotations

from typing import Any

from twilio.base import values
from twilio.rest import Client

from notifications.delivery.messages import voice_twiml
from notifications.delivery.transports.base import DeliveryChannel, OutgoingMessage, TransportError
from notifications.delivery.transports.twilio_client import TwilioTransport


class TwilioVoiceTransport(TwilioTransport):
    """Voice calls through Twilio's Calls API; raises TransportError on any refusal."""

    kind = DeliveryChannel.VOICE.value
    label = DeliveryChannel.VOICE.label
    sent_by = "twilio-voice"

    def create_kwargs(self, message: OutgoingMessage) -> dict[str, Any]:
        """The ``calls.create`` arguments for ``message`` (TwiML with the exercise prefix).

        A call needs a caller id: the From number, even when SMS uses a Messaging Service.
        """
        if not self.config.from_number:
            raise TransportError(
                "voice calls need TWILIO_FROM_NUMBER (a Messaging Service cannot place calls)",
                permanent=True,
            )
        twiml = voice_twiml(message.body, exercise=message.exercise, gather_url=message.gather_url)
        return {
            "to": message.to,
            "from_": self.config.from_number,
            "twiml": twiml,
            "status_callback": message.status_callback or values.unset,
        }

    def resources(self, client: Client) -> Any:
        return client.calls
