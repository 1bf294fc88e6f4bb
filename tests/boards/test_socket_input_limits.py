"""A board socket bounds what it parses: a hostile message gets a typed error frame and the
socket stays open (asim/input_limits.py)."""

from __future__ import annotations

import pytest

from boards.consumers import MAX_MESSAGE_CHARS
from tests.incidents.conftest import declare

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_5000_deep_message_gets_an_error_frame_and_the_socket_stays_open(
    run, open_board, world, dispatcher_a
):
    incident = declare(world.region_a, dispatcher_a, title="Shots fired")

    async def scenario():
        board = await open_board(dispatcher_a)
        await board.communicator.send_to(text_data="[" * 5000 + "]" * 5000)
        error = await board.receive()  # checked against ErrorEnvelope
        assert error["type"] == "error" and "too large" in error["message"]
        await board.send({"subscribe": incident.pk})
        assert (await board.receive())["type"] == "subscribed"
        await board.close()

    run(scenario)


def test_a_deep_message_within_the_size_limit_is_refused_as_too_deeply_nested(
    run, open_board, dispatcher_a
):
    deep = '{"ping": ' + "[" * 2000 + "]" * 2000 + "}"
    assert len(deep) <= MAX_MESSAGE_CHARS

    async def scenario():
        board = await open_board(dispatcher_a)
        await board.communicator.send_to(text_data=deep)
        error = await board.receive()
        assert error["type"] == "error" and "nested too deeply" in error["message"]
        await board.send({"ping": 7})
        pong = await board.receive()
        assert (pong["type"], pong["ping"]) == ("pong", 7)
        await board.close()

    run(scenario)
