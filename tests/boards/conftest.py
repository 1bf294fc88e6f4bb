"""Board sockets for consumer tests: the real ASGI application (session auth, origin check,
routing) driven by Channels' WebsocketCommunicator over the Redis channel layer.

Tests are plain sync functions that run one async scenario with `run(...)`, on a
transactional database: the consumer's queries (channels' `database_sync_to_async`, which
closes connections between calls) must see committed data, and a service's on-commit
broadcast must really happen. Database work inside a scenario goes through `act(...)`.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from asim.asgi import application
from boards.envelopes import envelope_errors

ORIGIN = (b"origin", b"http://testserver")


def session_cookie(user: Any) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


class Board:
    """One board socket; every envelope it receives is checked against its schema."""

    def __init__(self, communicator: WebsocketCommunicator) -> None:
        self.communicator = communicator
        self.received: list[dict[str, Any]] = []

    async def receive(self, timeout: float = 2) -> dict[str, Any]:
        envelope = json.loads(await self.communicator.receive_from(timeout=timeout))
        assert envelope_errors(envelope) == [], envelope
        self.received.append(envelope)
        return envelope

    async def receive_events(self, count: int, timeout: float = 2) -> list[dict[str, Any]]:
        """The next `count` envelopes, all of which must be events."""
        found = [await self.receive(timeout) for _ in range(count)]
        assert [e["type"] for e in found] == ["event"] * count, found
        return found

    async def drain(self, quiet: float = 0.3) -> list[dict[str, Any]]:
        """Everything that arrives until the socket stays quiet for `quiet` seconds."""
        found = []
        while not await self.communicator.receive_nothing(timeout=quiet):
            found.append(await self.receive())
        return found

    async def assert_nothing(self, timeout: float = 0.3) -> None:
        if not await self.communicator.receive_nothing(timeout=timeout):
            unexpected = await self.communicator.receive_from()
            raise AssertionError(f"the board received {unexpected}")

    async def send(self, message: Any) -> None:
        await self.communicator.send_json_to(message)

    async def close(self) -> None:
        await self.communicator.disconnect()


async def _open(cookie: str | None, *, origin: bool = True) -> tuple[Board, Any, Any]:
    headers = [ORIGIN] if origin else []
    if cookie:
        headers.append((b"cookie", f"sessionid={cookie}".encode()))
    communicator = WebsocketCommunicator(application, "/ws/board/", headers=headers)
    connected, detail = await communicator.connect(timeout=3)
    return Board(communicator), connected, detail


@pytest.fixture
def run() -> Callable[[Callable[[], Awaitable[None]]], None]:
    """run(scenario): run an async scenario to the end from a sync test."""

    def _run(scenario: Callable[[], Awaitable[None]]) -> None:
        async def guarded() -> None:
            await asyncio.wait_for(scenario(), timeout=30)

        async_to_sync(guarded)()

    return _run


@pytest.fixture
def open_board() -> Callable[..., Awaitable[Board]]:
    """await open_board(user): a connected board socket, its hello already received."""

    async def _open_board(user: Any) -> Board:
        cookie = await database_sync_to_async(session_cookie)(user)
        board, connected, _ = await _open(cookie)
        assert connected
        hello = await board.receive()
        assert hello["type"] == "hello"
        return board

    return _open_board


@pytest.fixture
def open_raw() -> Callable[..., Awaitable[tuple[Board, Any, Any]]]:
    """await open_raw(user_or_None, origin=True) → (board, connected, detail), nothing read."""

    async def _open_raw(user: Any, *, origin: bool = True) -> tuple[Board, Any, Any]:
        cookie = await database_sync_to_async(session_cookie)(user) if user else None
        return await _open(cookie, origin=origin)

    return _open_raw


@pytest.fixture
def act() -> Callable[..., Awaitable[Any]]:
    """await act(fn): call fn() from a scenario; its commits broadcast as in production."""

    async def _act(fn: Callable[[], Any]) -> Any:
        return await database_sync_to_async(fn)()

    return _act
