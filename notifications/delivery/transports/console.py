"""The console transport: the embedded mode's stand-in for SMS and voice.

Nothing leaves the machine. Each message is logged with "NOT SENT (console transport)" and
kept in :data:`outbox` (the most recent ones), so a developer or a test can see what would
have gone out.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections import deque
from dataclasses import dataclass

from notifications.delivery.messages import outgoing_text
from notifications.delivery.transports.base import OutgoingMessage, SendResult, Transport

logger = logging.getLogger(__name__)

NOT_SENT = "NOT SENT (console transport)"
PROVIDER_ID_PREFIX = "console-"  # how boards tell a kept message from a sent one
OUTBOX_SIZE = 1000


@dataclass(frozen=True)
class ConsoleRecord:
    """A message the console transport kept instead of sending."""

    provider_id: str
    message: OutgoingMessage
    text: str  # what the person would have received, exercise prefix included


outbox: deque[ConsoleRecord] = deque(maxlen=OUTBOX_SIZE)
_outbox_lock = threading.Lock()


def console_outbox() -> list[ConsoleRecord]:
    """A copy of the messages kept so far, oldest first."""
    with _outbox_lock:
        return list(outbox)


def clear_console_outbox() -> None:
    """Forget the kept messages (tests)."""
    with _outbox_lock:
        outbox.clear()


class ConsoleTransport(Transport):
    """Logs and keeps the message; never raises for a well-formed message."""

    kind = "console"
    label = "Console (not sent)"
    sent_by = "console"

    def send(self, message: OutgoingMessage) -> SendResult:
        provider_id = f"{PROVIDER_ID_PREFIX}{uuid.uuid4().hex}"
        text = outgoing_text(message.body, exercise=message.exercise)
        with _outbox_lock:
            outbox.append(ConsoleRecord(provider_id=provider_id, message=message, text=text))
        logger.info(
            "%s: %s to %s (key %s): %s",
            NOT_SENT,
            message.channel,
            message.to,
            message.key or "-",
            text,
        )
        return SendResult(provider_id=provider_id, status="sent", sent_by=self.sent_by)

    async def asend(self, message: OutgoingMessage) -> SendResult:
        # No I/O worth a thread.
        return self.send(message)
