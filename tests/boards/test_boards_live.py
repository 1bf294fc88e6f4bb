"""Real sockets on the Redis channel layer: each board gets what its user may see, once."""

from __future__ import annotations

import pytest

from asim import realtime
from boards import broadcast, consumers
from incidents import services
from tests.incidents.conftest import declare

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def one_hospital(world):
    world.region_a.hospitals_to_notify = 1  # A1 only
    world.region_a.save()
    return world


def test_the_dispatch_board_gets_the_declaration_and_each_recommended_hospital_in_order(
    run, open_board, act, world, dispatcher_a
):
    async def scenario():
        board = await open_board(dispatcher_a)

        def declare_and_count():
            incident = declare(world.region_a, dispatcher_a)
            return incident.hospitals.count()

        hospitals = await act(declare_and_count)
        assert hospitals == 2  # A1 and A2; B1 is too far away
        declared, *added = await board.receive_events(1 + hospitals)
        assert declared["kind"] == "incident.declared"
        assert declared["data"]["title"] == "Shooting at Central Mall"
        assert declared["data"]["estimated"]["immediate"] == 2
        assert [e["kind"] for e in added] == ["hospital.added"] * len(added)
        assert [e["seq"] for e in [declared, *added]] == list(range(1, len(added) + 2))
        await board.close()

    run(scenario)


def test_the_er_board_of_the_recommended_hospital_alerts_and_the_other_hospitals_stays_quiet(
    run, open_board, act, one_hospital, dispatcher_a, nurse_a1, nurse_a2
):
    world = one_hospital

    async def scenario():
        a1, a2 = await open_board(nurse_a1), await open_board(nurse_a2)
        incident = await act(lambda: declare(world.region_a, dispatcher_a))
        declared, added = await a1.receive_events(2)
        assert (declared["kind"], added["kind"]) == ("incident.declared", "hospital.added")
        assert added["data"]["hospital_id"] == world.hospital_a1.pk
        await a2.assert_nothing()
        # Now A2 joins: its board hears of the incident from then on.
        await act(
            lambda: services.incident_hospital_add(
                actor=dispatcher_a, incident=incident, hospital=world.hospital_a2
            )
        )
        (joined,) = await a2.receive_events(1)
        assert (joined["kind"], joined["data"]["hospital_id"]) == (
            "hospital.added",
            world.hospital_a2.pk,
        )
        await a1.receive_events(1)  # public: A1's board sees A2 join the incident
        await a1.close()
        await a2.close()

    run(scenario)


def test_an_er_board_gets_only_its_own_hospitals_patients(
    run, open_board, act, one_hospital, dispatcher_a, nurse_a1, nurse_a2
):
    world = one_hospital
    incident = declare(world.region_a, dispatcher_a)
    services.incident_hospital_add(
        actor=dispatcher_a, incident=incident, hospital=world.hospital_a2
    )

    async def scenario():
        a1, a2 = await open_board(nurse_a1), await open_board(nurse_a2)
        await act(
            lambda: services.patient_register(
                actor=dispatcher_a,
                incident=incident,
                patients=[
                    {
                        "tag_number": "T-1",
                        "category": "immediate",
                        "destination": world.hospital_a1,
                    },
                    {"tag_number": "T-2", "category": "delayed", "destination": world.hospital_a2},
                    {"tag_number": "T-3", "category": "minor"},
                ],
            )
        )
        (mine,) = await a1.receive_events(1)
        assert (mine["kind"], mine["data"]["tag_number"]) == ("patient.registered", "T-1")
        await a1.assert_nothing()
        (theirs,) = await a2.receive_events(1)
        assert theirs["data"]["tag_number"] == "T-2"
        await a2.assert_nothing()
        await a1.close()
        await a2.close()

    run(scenario)


def test_officials_get_public_summaries_without_data_and_never_patients(
    run, open_board, act, one_hospital, dispatcher_a, official_a
):
    world = one_hospital

    async def scenario():
        board, dispatch = await open_board(official_a), await open_board(dispatcher_a)
        incident = await act(lambda: declare(world.region_a, dispatcher_a))
        declared, added = await board.receive_events(2)
        await dispatch.receive_events(2)
        assert declared["summary"] == (
            "Active shooter declared: Shooting at Central Mall, 100 Main St"
        )
        assert "data" not in declared and "data" not in added
        assert "hospitals" not in declared
        await act(
            lambda: services.patient_register(
                actor=dispatcher_a,
                incident=incident,
                patients=[{"tag_number": "T-9", "category": "immediate"}],
            )
        )
        # The dispatcher hears of the patient in the same run: the official's silence is a
        # filter, not a broken broadcast.
        (registered,) = await dispatch.receive_events(1)
        assert registered["data"]["tag_number"] == "T-9"
        await board.assert_nothing()
        await act(lambda: services.incident_deescalate(actor=dispatcher_a, incident=incident))
        (deescalated,) = await board.receive_events(1)
        assert deescalated["kind"] == "incident.deescalated" and "data" not in deescalated
        await board.close()
        await dispatch.close()

    run(scenario)


def test_another_regions_staff_get_nothing(run, open_board, act, world, dispatcher_a, outsider_b):
    async def scenario():
        board, own = await open_board(outsider_b), await open_board(dispatcher_a)
        await act(lambda: declare(world.region_a, dispatcher_a))
        (declared, *_) = await own.receive_events(1)  # region A's dispatcher does hear it
        assert declared["kind"] == "incident.declared"
        await board.assert_nothing()
        await board.close()
        await own.close()

    run(scenario)


def test_an_event_arriving_through_region_and_incident_groups_is_forwarded_once(
    run, open_board, act, world, dispatcher_a
):
    incident = declare(world.region_a, dispatcher_a)

    async def scenario():
        board = await open_board(dispatcher_a)
        await board.send({"subscribe": incident.pk})
        assert (await board.receive())["type"] == "subscribed"
        await act(
            lambda: services.incident_update(
                actor=dispatcher_a, incident=incident, changes={"title": "Renamed"}
            )
        )
        received = await board.drain()
        assert [(e["kind"], e["seq"]) for e in received] == [
            ("incident.updated", incident.last_seq + 1)
        ]
        await board.close()

    run(scenario)


def test_a_subscribed_er_page_of_a_removed_hospital_reads_up_to_its_stand_down(
    run, open_board, act, one_hospital, dispatcher_a, nurse_a1
):
    world = one_hospital
    incident = declare(world.region_a, dispatcher_a)
    services.incident_hospital_add(
        actor=dispatcher_a, incident=incident, hospital=world.hospital_a2
    )
    row_a1 = incident.hospitals.get(hospital=world.hospital_a1)

    async def scenario():
        board, dispatch = await open_board(nurse_a1), await open_board(dispatcher_a)
        await board.send({"subscribe": incident.pk})
        assert (await board.receive())["access"] == "hospital"
        await act(
            lambda: services.incident_hospital_remove(actor=dispatcher_a, incident_hospital=row_a1)
        )
        removed, stood_down = await board.receive_events(2)
        assert (removed["kind"], removed["hospital"]) == ("hospital.removed", world.hospital_a1.pk)
        assert (stood_down["kind"], stood_down["data"]["reason"]) == (
            "hospital.stood_down",
            "removed",
        )
        await board.assert_nothing()  # still subscribed: it may read up to its stand-down
        await dispatch.receive_events(2)  # hospital.removed, hospital.stood_down
        await act(lambda: services.incident_deescalate(actor=dispatcher_a, incident=incident))
        (deescalated,) = await dispatch.receive_events(1)  # the region's board does hear it
        assert deescalated["kind"] == "incident.deescalated"
        await board.assert_nothing()  # public, but after A1's removal: no longer its business
        await board.close()
        await dispatch.close()

    run(scenario)


def test_delivery_progress_reaches_region_boards_but_not_an_er_only_board(
    run, open_board, world, dispatcher_a, em_a, nurse_a1
):
    progress = {
        "type": "progress",
        "incident": None,
        "notification": 41,
        "kind": "update.posted",
        "total": 10_000,
        "counts": {"sent": 9_000, "delivered": 800, "failed": 200},
        "acknowledged": 12,
        "summary": {"reached": 800, "acknowledged": 12, "text": "Waiting for receipts: …"},
        "at": "2025-01-01T12:00:00+00:00",
    }

    async def scenario():
        em, nurse = await open_board(em_a), await open_board(nurse_a1)
        await realtime.asend([realtime.region_group(world.region_a.pk)], progress)
        assert await em.receive() == progress
        # One send to both groups: the region board gets it, the ER-only board does not.
        other = {**progress, "incident": 7}
        await realtime.asend(
            [
                realtime.region_group(world.region_a.pk),
                realtime.hospital_group(world.hospital_a1.pk),
            ],
            other,
        )
        assert await em.receive() == other
        await nurse.assert_nothing()
        await em.close()
        await nurse.close()

    run(scenario)


def test_an_in_app_message_reaches_only_its_users_boards(
    run, open_board, dispatcher_a, nurse_a1, nurse_a2
):
    message = {
        "type": "message",
        "delivery": 5,
        "notification": 4,
        "incident": 3,
        "kind": "incident.declared",
        "text": "EXERCISE EXERCISE EXERCISE MCI declared",
        "life_safety": True,
        "exercise": True,
        "at": "2025-01-01T12:00:00+00:00",
    }

    async def scenario():
        mine = await open_board(nurse_a1)  # an ER-only board still gets its own messages
        others = [await open_board(nurse_a2), await open_board(dispatcher_a)]
        await realtime.asend([realtime.user_group(nurse_a1.pk)], message)
        assert await mine.communicator.receive_json_from(timeout=2) == message
        for board in others:
            await board.assert_nothing()
        for board in (mine, *others):
            await board.close()

    run(scenario)


def test_forwarding_an_event_to_many_boards_costs_no_database_query(
    run, open_board, monkeypatch, world, dispatcher_a, nurse_a1, official_a, em_a
):
    incident = declare(world.region_a, dispatcher_a)
    hospital_added = incident.events.filter(kind="hospital.added").first()
    envelope = broadcast.envelope_for(hospital_added, hospitals=[world.hospital_a1.pk])
    database_calls: list[str] = []
    real = consumers.database_sync_to_async

    def counting(fn):
        database_calls.append(fn.__name__)
        return real(fn)

    async def scenario():
        boards = [await open_board(u) for u in (dispatcher_a, nurse_a1, official_a, em_a)]
        assert database_calls  # connecting resolves each audience once…
        database_calls.clear()
        await realtime.asend(broadcast.groups_for(envelope), dict(envelope))
        for board in boards:
            (got,) = await board.receive_events(1)
            assert got["seq"] == hospital_added.seq
        assert database_calls == []  # …forwarding asks the database nothing
        for board in boards:
            await board.close()

    monkeypatch.setattr(consumers, "database_sync_to_async", counting)
    run(scenario)


def test_a_patient_sent_elsewhere_is_told_to_the_er_it_was_headed_to(
    run, open_board, act, one_hospital, dispatcher_a, nurse_a1, nurse_a2
):
    world = one_hospital
    incident = declare(world.region_a, dispatcher_a)
    services.incident_hospital_add(
        actor=dispatcher_a, incident=incident, hospital=world.hospital_a2
    )
    (patient,) = services.patient_register(
        actor=dispatcher_a,
        incident=incident,
        patients=[{"tag_number": "T-5", "category": "delayed", "destination": world.hospital_a1}],
    )

    async def scenario():
        a1, a2 = await open_board(nurse_a1), await open_board(nurse_a2)
        await act(
            lambda: services.patient_assign_destination(
                actor=dispatcher_a, patient=patient, hospital=world.hospital_a2
            )
        )
        for board in (a1, a2):  # A1 drops the patient, A2 expects it
            (moved,) = await board.receive_events(1)
            assert (moved["kind"], moved["data"]["destination_id"]) == (
                "patient.destination",
                world.hospital_a2.pk,
            )
            assert moved["data"]["previous_id"] == world.hospital_a1.pk
        await a1.close()
        await a2.close()

    run(scenario)
