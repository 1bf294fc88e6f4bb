"""The in-app channel.

This transport has nothing to deliver: the notifications app persists the in-app message
and pushes it to the user's channel group itself, in the same step that records the
delivery. The transport exists so in-app deliveries go through the same interface and
registry as every other channel; its provider id is ``in_app-<key>``.
"""

from __future__ import annotations

import uuid

from notifications.delivery.transports.base import (
    DeliveryChannel,
    OutgoingMessage,
    SendResult,
    Transport,
)


class InAppTransport(Transport):
    """Accepts every well-formed message; the caller stores and pushes it."""

    kind = DeliveryChannel.IN_APP.value
    label = DeliveryChannel.IN_APP.label
    sent_by = "in_app"

    def send(self, message: OutgoingMessage) -> SendResult:
        key = message.key or uuid.uuid4().hex
        return SendResult(provider_id=f"in_app-{key}", status="sent", sent_by=self.sent_by)

    async def asend(self, message: OutgoingMessage) -> SendResult:
        return self.send(message)
