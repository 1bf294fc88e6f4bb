"""The timeline: gapless seq under concurrent writers, publish on commit only, schemas."""

from __future__ import annotations

import threading
from typing import TypedDict

import pytest
from django.db import connection, transaction

from incidents import events
from incidents.models import Incident, IncidentEvent
from tests.incidents.conftest import declare


@pytest.fixture
def collected():
    """Subscribe an on-commit and an in-transaction collector for the test's duration."""
    seen: dict[str, list[IncidentEvent]] = {"committed": [], "in_transaction": []}
    stop = [
        events.subscribe(seen["committed"].append),
        events.subscribe_in_transaction(seen["in_transaction"].append),
    ]
    yield seen
    for unsubscribe in stop:
        unsubscribe()


def _append(incident: Incident, n: int = 0):
    return events.append_event(
        incident=incident,
        kind=events.INCIDENT_UPDATED,
        actor=None,
        summary=f"writer {n}",
        data={"changes": {}},
    )


@pytest.mark.django_db(transaction=True)
def test_parallel_writers_get_gapless_unique_seqs(world, dispatcher_a):
    incident = declare(world.region_a, dispatcher_a)
    start = incident.last_seq
    writers, per_writer = 8, 15
    barrier = threading.Barrier(writers)
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            barrier.wait()
            for i in range(per_writer):
                with transaction.atomic():  # each its own transaction, on its own connection
                    _append(Incident.objects.get(pk=incident.pk), n * 100 + i)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    seqs = list(IncidentEvent.objects.filter(incident=incident).values_list("seq", flat=True))
    assert sorted(seqs) == list(range(1, start + writers * per_writer + 1))
    assert Incident.objects.get(pk=incident.pk).last_seq == start + writers * per_writer


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_writer_leaves_no_gap_and_publishes_nothing(world, dispatcher_a, collected):
    incident = declare(world.region_a, dispatcher_a)
    published_before = len(collected["committed"])
    with pytest.raises(RuntimeError), transaction.atomic():
        _append(incident)
        raise RuntimeError("the change failed after its event")
    assert len(collected["committed"]) == published_before
    assert len(collected["in_transaction"]) == published_before + 1  # it ran, then rolled back
    event = _append(Incident.objects.get(pk=incident.pk))
    assert event.seq == published_before + 1  # the rolled-back seq is handed out again
    assert collected["committed"][-1].pk == event.pk


def test_subscribers_hear_of_an_event_only_on_commit(
    incident, collected, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        event = _append(incident)
    assert collected["in_transaction"] == [event]  # synchronously, inside the transaction
    assert collected["committed"] == []
    for callback in callbacks:
        callback()
    assert collected["committed"] == [event]


def test_nothing_is_published_for_a_rolled_back_savepoint(
    incident, collected, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        _append(incident)
        raise RuntimeError("rolled back")
    assert callbacks == []
    assert collected["committed"] == []


def test_a_failing_subscriber_does_not_stop_the_others(
    incident, collected, django_capture_on_commit_callbacks
):
    def broken(event: IncidentEvent) -> None:
        raise RuntimeError("broadcaster down")

    unsubscribe = events.subscribe(broken)
    try:
        events._on_commit_subscribers.insert(0, events._on_commit_subscribers.pop())
        with django_capture_on_commit_callbacks(execute=True):
            event = _append(incident)
    finally:
        unsubscribe()
    assert collected["committed"] == [event]


def test_an_in_transaction_subscriber_failure_rolls_the_change_back(incident):
    def refuse(event: IncidentEvent) -> None:
        raise RuntimeError("outbox unavailable")

    unsubscribe = events.subscribe_in_transaction(refuse)
    before = incident.last_seq
    try:
        with pytest.raises(RuntimeError), transaction.atomic():  # the service's transaction
            _append(incident)
    finally:
        unsubscribe()
    incident.refresh_from_db()
    assert incident.last_seq == before
    assert not IncidentEvent.objects.filter(incident=incident, seq=before + 1).exists()


def test_the_timeline_is_append_only(incident):
    event = incident.events.first()
    event.summary = "rewritten"
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    with pytest.raises(ValueError, match="append-only"):
        event.delete()


def test_an_unknown_kind_is_refused(incident):
    with pytest.raises(ValueError, match="Unknown event kind"):
        events.append_event(incident=incident, kind="bogus", actor=None, summary="", data={})


class Drilled(TypedDict):
    drill: str


@pytest.fixture
def registry():
    """The kind tables as they are, restored after the test."""
    tables = (events.KIND_SCHEMAS, events.AUDIENCES, events.ALSO_ABOUT)
    saved = [dict(table) for table in tables]
    yield
    for table, before in zip(tables, saved, strict=True):
        table.clear()
        table.update(before)


def test_another_app_registers_a_kind_with_its_schema_and_audience(incident, registry):
    events.register_kind("test.drilled", payload=Drilled, audience=events.OPERATIONAL)
    events.register_kind("test.drilled", payload=Drilled, audience=events.OPERATIONAL)
    event = events.append_event(
        incident=incident, kind="test.drilled", actor=None, summary="Drill", data={"drill": "x"}
    )
    assert event.public and events.payload_errors(event.kind, event.data) == []
    with pytest.raises(ValueError, match="already registered"):
        events.register_kind("test.drilled", payload=Drilled, audience=events.PATIENT)
    with pytest.raises(ValueError, match="already registered"):
        events.register_kind(events.INCIDENT_CLOSED, payload=Drilled, audience=events.OPERATIONAL)
    with pytest.raises(TypeError, match="TypedDict"):
        events.register_kind("test.other", payload=dict, audience=events.OPERATIONAL)


def test_readiness_registers_the_checklist_and_role_kinds():
    for kind in ("checklist.started", "checklist.checked", "checklist.unchecked"):
        assert events.AUDIENCES[kind] == events.OPERATIONAL
    for kind in ("role.assigned", "role.relieved"):
        assert events.AUDIENCES[kind] == events.OPERATIONAL


def test_payload_checker_catches_missing_extra_and_mistyped_keys():
    assert events.payload_errors(events.INCIDENT_CLOSED, {"status": "closed"}) == [
        "data.patients_out: missing",
        "data.previous: missing",
        "data.summary: missing",
    ]
    errors = events.payload_errors(
        events.HOSPITAL_CAPACITY,
        {
            "hospital_id": "7",
            "hospital": "A1",
            "capacity": {"immediate": 1, "delayed": None},
            "previous": None,
            "revision": 1,
            "extra": True,
        },
    )
    assert "data.extra: not in the schema" in errors
    assert "data.capacity.minor: missing" in errors
    assert any(e.startswith("data.hospital_id") for e in errors)
