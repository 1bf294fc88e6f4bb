"""Twilio SMS: ``messages.create`` with our sender, a status callback and, for life-safety
messages, a short ``ValidityPeriod`` so an alert stuck in a sender queue fails visibly instead
of arriving late."""

from __future__ import annotations

from typing import Any

from twilio.base import values
from twilio.rest import Client

from notifications.delivery.messages import sms_text
from notifications.delivery.transports.base import DeliveryChannel, OutgoingMessage
from notifications.delivery.transports.twilio_client import TwilioTransport

# Seconds a life-safety SMS may wait in Twilio's queue before Twilio drops it as failed
# (error 30036). Five minutes: later than that, a mass-casualty alert misleads more than it helps.
LIFE_SAFETY_VALIDITY_SECONDS = 300


class TwilioSmsTransport(TwilioTransport):
    """SMS through Twilio's Messages API; raises TransportError on any refusal."""

    kind = DeliveryChannel.SMS.value
    label = DeliveryChannel.SMS.label
    sent_by = "twilio-sms"

    def create_kwargs(self, message: OutgoingMessage) -> dict[str, Any]:
        """The ``messages.create`` arguments for ``message`` (exercise prefix included)."""
        kwargs: dict[str, Any] = {
            "to": message.to,
            "body": sms_text(message.body, exercise=message.exercise),
            "status_callback": message.status_callback or values.unset,
        }
        # A Messaging Service spreads load over its senders; prefer it when configured.
        if self.config.messaging_service_sid:
            kwargs["messaging_service_sid"] = self.config.messaging_service_sid
        else:
            kwargs["from_"] = self.config.from_number
        if message.life_safety:
            kwargs["validity_period"] = LIFE_SAFETY_VALIDITY_SECONDS
        return kwargs

    def resources(self, client: Client) -> Any:
        return client.messages
