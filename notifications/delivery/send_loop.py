"""The worker's sending event loop: one per process, in its own thread, with one open
transport per channel, reused batch after batch.

Django's ORM is synchronous and stays on the task's own thread (notifications.delivery.sending);
only provider calls run here. Keeping the loop (and so each transport's HTTP connection
pool) alive between batches avoids reconnecting to the provider for every batch, and lets
the task thread claim and record deliveries while calls are in flight.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import logging
import os
import threading
from collections.abc import Callable, Coroutine, Hashable, Sequence
from typing import Any, TypeVar

from notifications.delivery.transports import OutgoingMessage, SendResult, Transport, TransportError
from notifications.delivery.transports import transport_for as new_transport

logger = logging.getLogger(__name__)
T = TypeVar("T")
K = TypeVar("K")
Outcome = SendResult | TransportError


def _new_loop() -> asyncio.AbstractEventLoop:
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop comes with uvicorn[standard]
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


async def _close_quietly(transport: Transport) -> None:
    try:
        await transport.aclose()
    except Exception:
        logger.warning("closing the %s transport failed", transport.kind, exc_info=True)


class SendLoop:
    """An event loop running forever in a daemon thread, and the transports opened on it.

    ``send_each(items, limit, answer)`` schedules the provider calls of a slice and reports
    each outcome (a SendResult, or the TransportError — never an exception) as it comes.
    A transport is replaced when its settings change (``TWILIO_*``: another account or base
    URL).
    """

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.loop = _new_loop()
        self._transports: dict[str, tuple[Hashable, Transport]] = {}  # loop thread only
        self._thread = threading.Thread(target=self._run, name="notify-send-loop", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()

    @property
    def alive(self) -> bool:
        return self.pid == os.getpid() and self._thread.is_alive() and not self.loop.is_closed()

    def submit(self, coroutine: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop)

    def semaphore(self, value: int) -> asyncio.Semaphore:
        """A concurrency bound for one batch (binds to this loop on first use)."""
        return asyncio.Semaphore(max(1, value))

    def transport(self, channel: str) -> Transport:
        """The open transport for ``channel`` (called on the loop thread)."""
        candidate = new_transport(channel)
        key = (type(candidate), getattr(candidate, "config", None))
        cached = self._transports.get(channel)
        if cached is not None and cached[0] == key:
            return cached[1]
        if cached is not None:
            self.loop.create_task(_close_quietly(cached[1]))
        self._transports[channel] = (key, candidate)
        return candidate

    async def _send(self, message: OutgoingMessage, limit: asyncio.Semaphore) -> Outcome:
        async with limit:
            try:
                return await self.transport(message.channel).asend(message)
            except TransportError as error:
                return error
            except Exception as error:  # a bug or an unexpected library error: retry later
                logger.exception("sending %s failed unexpectedly", message.key or message.to)
                return TransportError(
                    f"unexpected error: {type(error).__name__}: {error}", permanent=False
                )

    def send_each(
        self,
        items: Sequence[tuple[K, OutgoingMessage]],
        limit: asyncio.Semaphore,
        answer: Callable[[K, Outcome], None],
    ) -> concurrent.futures.Future[None]:
        """Send every message (bounded by ``limit``) and call ``answer(key, outcome)`` on the
        loop thread as each one completes; one hand-over for the whole slice."""

        async def one(key: K, message: OutgoingMessage) -> None:
            answer(key, await self._send(message, limit))

        async def every() -> None:
            await asyncio.gather(*(one(key, message) for key, message in items))

        return self.submit(every())

    def close(self) -> None:
        """Close the transports and stop the loop (process exit)."""
        if not self.alive:
            return

        async def close_all() -> None:
            for _, transport in list(self._transports.values()):
                await _close_quietly(transport)
            self._transports.clear()

        try:
            self.submit(close_all()).result(timeout=5)
        except Exception:
            logger.warning("closing the send loop's transports failed", exc_info=True)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=5)


_lock = threading.Lock()
_current: SendLoop | None = None


def send_loop() -> SendLoop:
    """This process's SendLoop, started on first use (and again in a forked child)."""
    global _current
    with _lock:
        if _current is None or not _current.alive:
            _current = SendLoop()
        return _current


@atexit.register
def _close() -> None:
    if _current is not None:
        _current.close()
