"""The one small interface every transport implements (healthchecks' ``hc/api/transports.py``).

A transport turns an :class:`OutgoingMessage` into one provider call and answers a
:class:`SendResult`, or raises :class:`TransportError` saying whether trying again can help.
Transports know nothing about models: the notifications app builds the message from a
Delivery and records the result.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import ClassVar, Self

from django.db import models

from agencies.models import Channel as ContactChannel

# The channels a message goes out on: every contact-point channel (an address in the roster,
# agencies.models.Channel) and in-app (a member's login). The registry (transports/__init__.py)
# holds one transport per value and is where the rest of the app takes its choices from.
DeliveryChannel = models.TextChoices(
    "DeliveryChannel",
    [(channel.name, (channel.value, channel.label)) for channel in ContactChannel]
    + [("IN_APP", ("in_app", "In-app"))],
)


@dataclass(frozen=True)
class OutgoingMessage:
    """One message to one address on one channel, ready for a transport.

    ``body`` is the text before the exercise prefix; transports add it exactly once when
    ``exercise`` is set. ``key`` identifies the delivery (its id) so logs and provider ids can
    be traced back; ``status_callback`` and ``gather_url`` are absolute URLs Twilio calls.
    ``life_safety`` messages get a short SMS validity period so a stale alert fails visibly.
    """

    channel: str
    to: str
    body: str
    subject: str = ""
    exercise: bool = False
    life_safety: bool = False
    status_callback: str | None = None
    gather_url: str | None = None
    key: str = ""

    def __post_init__(self) -> None:
        if self.channel not in DeliveryChannel.values:
            raise ValueError(
                f"channel: expected one of {DeliveryChannel.values}, got {self.channel!r}"
            )
        if not self.to.strip():
            raise ValueError("to: an address is required")
        if not self.body.strip():
            raise ValueError("body: the message is empty")


@dataclass(frozen=True)
class SendResult:
    """What the provider answered: its id for the message, its status, and which transport."""

    provider_id: str
    status: str
    sent_by: str


class TransportError(Exception):
    """The message was not accepted.

    ``permanent``: trying again will not help (a bad address, rejected credentials); otherwise
    retry with backoff, no sooner than ``retry_after`` seconds when the provider said so.
    ``bad_address``: the address itself is unusable (invalid number, not SMS-capable, opted
    out) so its contact point should be marked failed. ``code`` is the provider's error code.
    """

    def __init__(
        self,
        message: str,
        *,
        permanent: bool,
        code: int | None = None,
        retry_after: float | None = None,
        bad_address: bool = False,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.code = code
        self.retry_after = retry_after
        self.bad_address = bad_address

    def __repr__(self) -> str:
        kind = "permanent" if self.permanent else "transient"
        return f"TransportError({self.message!r}, {kind}, code={self.code})"


class Transport:
    """Base class: ``send`` (blocking) and ``asend`` (for concurrent fan-out).

    ``send``/``asend`` return a SendResult or raise TransportError, never anything else for a
    provider problem. A transport may hold connections: close it with ``close``/``aclose`` or
    use it as a (async) context manager. ``asend`` runs ``send`` in a thread unless a
    subclass has a native asynchronous path.
    """

    kind: ClassVar[str]
    label: ClassVar[str]

    def send(self, message: OutgoingMessage) -> SendResult:
        """Send one message; raises TransportError on failure."""
        raise NotImplementedError

    async def asend(self, message: OutgoingMessage) -> SendResult:
        """Send one message from an event loop; raises TransportError on failure."""
        return await asyncio.to_thread(self.send, message)

    def close(self) -> None:
        """Release connections held for ``send``."""

    async def aclose(self) -> None:
        """Release connections held for ``asend`` (bound to the running event loop)."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()
