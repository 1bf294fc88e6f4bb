"""Who may open a board socket, which groups it joins, and what it may subscribe to."""

from __future__ import annotations

import pytest

from boards.consumers import CLOSE_SIGNED_OUT, MAX_SUBSCRIPTIONS
from tests.incidents.conftest import declare

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_anonymous_socket_is_closed_with_the_signed_out_code(run, open_raw):
    async def scenario():
        board, connected, _ = await open_raw(None)
        assert connected  # accepted only to be told why it is closed
        closing = await board.communicator.receive_output(timeout=2)
        assert closing == {"type": "websocket.close", "code": CLOSE_SIGNED_OUT}

    run(scenario)


def test_a_socket_from_a_foreign_origin_is_refused(run, open_raw, dispatcher_a):
    async def scenario():
        _, connected, _ = await open_raw(dispatcher_a, origin=False)
        assert not connected

    run(scenario)


def test_hello_names_the_regions_and_hospitals_each_board_follows(
    run, open_raw, world, dispatcher_a, nurse_a1, official_a, outsider_b
):
    async def hello_of(user):
        board, connected, _ = await open_raw(user)
        assert connected
        hello = await board.receive()
        await board.close()
        return hello

    async def scenario():
        dispatcher = await hello_of(dispatcher_a)
        assert (dispatcher["type"], dispatcher["user"]) == ("hello", dispatcher_a.pk)
        assert (dispatcher["regions"], dispatcher["hospitals"]) == ([world.region_a.pk], [])
        nurse = await hello_of(nurse_a1)
        assert (nurse["regions"], nurse["hospitals"]) == ([], [world.hospital_a1.pk])
        official = await hello_of(official_a)
        assert (official["regions"], official["hospitals"]) == ([world.region_a.pk], [])
        outsider = await hello_of(outsider_b)
        assert outsider["regions"] == [world.region_b.pk]

    run(scenario)


def test_a_dispatcher_subscribes_to_an_incident_of_their_region(
    run, open_board, world, dispatcher_a
):
    incident = declare(world.region_a, dispatcher_a)

    async def scenario():
        board = await open_board(dispatcher_a)
        await board.send({"subscribe": incident.pk})
        answer = await board.receive()
        assert answer == {
            "type": "subscribed",
            "incident": incident.pk,
            "last_seq": incident.last_seq,
            "access": "act",
        }
        await board.close()

    run(scenario)


def test_subscriptions_the_user_may_not_have_are_refused_without_saying_why(
    run, open_board, world, dispatcher_a, nurse_a2, outsider_b
):
    world.region_a.hospitals_to_notify = 1  # A1 only: A2's nurse has no part in it
    world.region_a.save()
    incident = declare(world.region_a, dispatcher_a)

    async def scenario():
        for user in (outsider_b, nurse_a2):
            board = await open_board(user)
            await board.send({"subscribe": incident.pk})
            refused = await board.receive()
            assert refused["type"] == "refused"
            await board.send({"subscribe": 999_999})  # does not exist: the same answer
            missing = await board.receive()
            assert missing["reason"] == refused["reason"]
            await board.close()

    run(scenario)


def test_malformed_messages_get_a_clear_error_and_the_socket_stays_open(
    run, open_board, dispatcher_a
):
    async def scenario():
        board = await open_board(dispatcher_a)
        await board.communicator.send_to(text_data="not json")
        assert "JSON object" in (await board.receive())["message"]
        await board.send({"subscribe": "twelve"})
        assert (await board.receive())["type"] == "refused"
        await board.send({"dance": 1})
        assert (await board.receive())["type"] == "error"
        await board.send({"ping": 7})
        pong = await board.receive()
        assert (pong["type"], pong["ping"]) == ("pong", 7)
        await board.close()

    run(scenario)


def test_a_page_may_follow_a_bounded_number_of_incidents(run, open_board, world, dispatcher_a):
    incidents = [
        declare(world.region_a, dispatcher_a, title=f"Incident {n}")
        for n in range(MAX_SUBSCRIPTIONS + 1)
    ]

    async def scenario():
        board = await open_board(dispatcher_a)
        for incident in incidents[:MAX_SUBSCRIPTIONS]:
            await board.send({"subscribe": incident.pk})
            assert (await board.receive())["type"] == "subscribed"
        await board.send({"subscribe": incidents[-1].pk})
        refused = await board.receive()
        assert refused["type"] == "refused" and str(MAX_SUBSCRIPTIONS) in refused["reason"]
        await board.close()

    run(scenario)
