"""Committed events reach the boards that may see them — and only those, only after commit."""

from __future__ import annotations

import pytest
from django.db import transaction

from asim import realtime
from boards import broadcast
from boards.envelopes import envelope_errors
from incidents import events, services
from incidents.models import Incident
from tests.incidents.conftest import declare

pytestmark = pytest.mark.django_db(transaction=True)

ORIGINAL_KINDS = {
    "incident.declared",
    "incident.updated",
    "incident.deescalated",
    "incident.closed",
    "incident.reopened",
    "hospital.added",
    "hospital.removed",
    "hospital.acknowledged",
    "hospital.capacity",
    "patient.registered",
    "patient.retriaged",
    "patient.destination",
    "patient.transported",
    "patient.arrived",
    "update.posted",
}


@pytest.fixture
def sent(monkeypatch):
    """Every (groups, event envelope) the broadcaster hands to asim.realtime (the
    notifications app's progress envelopes go through the same function: left out)."""
    calls: list[tuple[list[str], dict]] = []

    def record(groups, envelope):
        if envelope.get("type") == "event":
            calls.append((list(groups), envelope))

    monkeypatch.setattr(broadcast.realtime, "send", record)
    return calls


@pytest.fixture
def one_hospital(world):
    world.region_a.hospitals_to_notify = 1  # A1 only
    world.region_a.save()
    return world


def test_a_declaration_goes_to_the_region_the_recommended_er_and_the_incident_after_commit(
    sent, one_hospital, dispatcher_a
):
    world = one_hospital
    with transaction.atomic():
        incident = declare(world.region_a, dispatcher_a)
        assert sent == []  # nothing before the commit
    declared, added = sent
    a1 = realtime.hospital_group(world.hospital_a1.pk)
    region, room = realtime.region_group(world.region_a.pk), realtime.incident_group(incident.pk)
    assert declared[0] == [region, a1, room]
    assert (declared[1]["kind"], declared[1]["seq"]) == ("incident.declared", 1)
    assert added[0] == [region, a1, room]
    assert added[1]["data"]["hospital_id"] == world.hospital_a1.pk
    assert all(envelope_errors(env) == [] for _, env in sent)


def test_a_rolled_back_change_broadcasts_nothing(sent, world, dispatcher_a):
    with pytest.raises(RuntimeError), transaction.atomic():
        declare(world.region_a, dispatcher_a)
        raise RuntimeError("the dispatcher's browser went away mid-request")
    assert sent == []
    assert not Incident.objects.exists()


def test_a_patient_event_goes_only_to_the_destination_hospitals_er(
    sent, one_hospital, dispatcher_a
):
    world = one_hospital
    incident = declare(world.region_a, dispatcher_a)
    services.incident_hospital_add(
        actor=dispatcher_a, incident=incident, hospital=world.hospital_a2
    )
    sent.clear()
    services.patient_register(
        actor=dispatcher_a,
        incident=incident,
        patients=[{"tag_number": "T-2", "category": "delayed", "destination": world.hospital_a2}],
    )
    ((groups, envelope),) = sent
    assert groups == [
        realtime.region_group(world.region_a.pk),
        realtime.hospital_group(world.hospital_a2.pk),
        realtime.incident_group(incident.pk),
    ]
    assert (envelope["public"], envelope["hospital"]) == (False, world.hospital_a2.pk)


def test_a_failed_send_is_logged_and_the_change_still_stands(
    monkeypatch, caplog, world, dispatcher_a
):
    def broken(groups, envelope):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(broadcast.realtime, "send", broken)
    incident = declare(world.region_a, dispatcher_a)
    assert Incident.objects.filter(pk=incident.pk).exists()
    assert "could not broadcast incident.declared #1" in caplog.text


def test_every_event_kind_the_services_emit_matches_its_envelope_schema(
    sent, one_hospital, dispatcher_a, nurse_a1, em_a
):
    world = one_hospital
    incident = declare(world.region_a, dispatcher_a, application=Incident.Application.EXERCISE)
    services.incident_update(actor=dispatcher_a, incident=incident, changes={"title": "Mall"})
    a2 = services.incident_hospital_add(
        actor=dispatcher_a, incident=incident, hospital=world.hospital_a2
    )
    row_a1 = incident.hospitals.get(hospital=world.hospital_a1)
    services.hospital_acknowledge(actor=nurse_a1, incident_hospital=row_a1)
    services.hospital_answer_capacity(
        actor=nurse_a1, incident_hospital=row_a1, immediate=2, delayed=3, minor=5
    )
    (patient,) = services.patient_register(
        actor=dispatcher_a, incident=incident, patients=[{"tag_number": "T-1", "category": "minor"}]
    )
    patient = services.patient_retriage(actor=dispatcher_a, patient=patient, category="immediate")
    patient = services.patient_assign_destination(
        actor=dispatcher_a, patient=patient, hospital=world.hospital_a1
    )
    (patient,) = services.patients_transport(
        actor=dispatcher_a, incident=incident, patients=[patient], unit="Medic 12"
    )
    services.patient_arrive(actor=nurse_a1, patient=patient)
    dlist = world.region_a.distribution_lists.create(name="County officials")
    services.situation_update_post(
        actor=em_a, incident=incident, body="Scene secure.", audience=[dlist]
    )
    services.incident_hospital_remove(actor=dispatcher_a, incident_hospital=a2)
    services.incident_deescalate(actor=dispatcher_a, incident=incident)
    services.incident_close(actor=dispatcher_a, incident=incident, summary="All transported.")
    services.incident_reopen(actor=dispatcher_a, incident=incident)

    envelopes = [env for _, env in sent]
    assert {env["kind"] for env in envelopes} >= ORIGINAL_KINDS
    assert set(events.KIND_SCHEMAS) >= ORIGINAL_KINDS
    for envelope in envelopes:
        assert envelope_errors(envelope) == [], envelope
        assert envelope["exercise"] is True
    assert [env["seq"] for env in envelopes] == list(range(1, len(envelopes) + 1))


def test_the_schema_check_catches_a_malformed_envelope():
    good = {
        "type": "event",
        "incident": 1,
        "region": 1,
        "seq": 1,
        "kind": "hospital.acknowledged",
        "at": "2025-01-01T00:00:00+00:00",
        "actor": "nurse",
        "summary": "A1 acknowledged",
        "public": True,
        "hospital": 3,
        "hospitals": [3],
        "exercise": False,
        "data": {"hospital_id": 3, "hospital": "A1", "by": "nurse"},
    }
    assert envelope_errors(good) == []
    assert envelope_errors({**good, "seq": "1"}) == ["envelope.seq: expected an integer"]
    assert envelope_errors({**good, "type": "evnt"}) == ["envelope.type: unknown type 'evnt'"]
    assert envelope_errors({**good, "data": {"hospital_id": 3}}) == [
        "data.by: missing",
        "data.hospital: missing",
    ]
    unknown_kind = {**good, "kind": "checklist.somethingnew", "data": {"anything": 1}}
    assert envelope_errors(unknown_kind) == []  # a kind added later passes its header check
