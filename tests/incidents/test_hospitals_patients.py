"""Hospitals on an incident and patients: services, legal and illegal moves, walk-ins."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from incidents import events, services
from incidents.models import Incident, IncidentHospital, Patient
from tests.factories import HospitalFactory


def last_event(incident: Incident):
    return incident.events.order_by("-seq").first()


# --- hospitals ---------------------------------------------------------------------------------


def test_dispatcher_adds_and_removes_a_hospital(incident, world, dispatcher_a):
    row = services.incident_hospital_add(
        actor=dispatcher_a, incident=incident, hospital=world.hospital_a2
    )
    assert row.source == IncidentHospital.Source.MANUAL and row.notified_at
    assert row.reasons[0] == "added by dispatch" and row.reasons[1].endswith(" km")
    services.incident_hospital_remove(actor=dispatcher_a, incident_hospital=row)
    assert not incident.hospitals.filter(hospital=world.hospital_a2).exists()
    assert last_event(incident).kind == events.HOSPITAL_STOOD_DOWN
    assert incident.events.filter(kind=events.HOSPITAL_REMOVED).exists()


def test_a_hospital_cannot_be_added_twice(incident, world, dispatcher_a):
    with pytest.raises(ValidationError, match="already on this incident"):
        services.incident_hospital_add(
            actor=dispatcher_a, incident=incident, hospital=world.hospital_a1
        )


def test_a_hospital_with_patients_headed_to_it_cannot_be_removed(
    incident, row_a1, patient_to_a1, dispatcher_a
):
    with pytest.raises(ValidationError, match="re-route them before removing it"):
        services.incident_hospital_remove(actor=dispatcher_a, incident_hospital=row_a1)


def test_acknowledging_twice_records_it_once(incident, row_a1, nurse_a1):
    services.hospital_acknowledge(actor=nurse_a1, incident_hospital=row_a1)
    seq = Incident.objects.get(pk=incident.pk).last_seq
    row = services.hospital_acknowledge(actor=nurse_a1, incident_hospital=row_a1)
    assert row.acknowledged_by == nurse_a1
    assert Incident.objects.get(pk=incident.pk).last_seq == seq


def test_a_capacity_answer_can_be_revised_and_each_revision_is_on_the_timeline(
    incident, row_a1, nurse_a1, world
):
    services.hospital_answer_capacity(
        actor=nurse_a1, incident_hospital=row_a1, immediate=2, delayed=4, minor=10
    )
    row = services.hospital_answer_capacity(
        actor=nurse_a1, incident_hospital=row_a1, immediate=1, delayed=4, minor=12
    )
    assert row.capacity() == {"immediate": 1, "delayed": 4, "minor": 12}
    assert row.acknowledged_at is not None  # an answer is an acknowledgement
    capacity_events = list(incident.events.filter(kind=events.HOSPITAL_CAPACITY).order_by("seq"))
    assert [e.summary for e in capacity_events] == [
        "A1 Hospital can take R2 Y4 G10",
        "A1 Hospital revised capacity to R1 Y4 G12",
    ]
    assert capacity_events[1].data["previous"] == {"immediate": 2, "delayed": 4, "minor": 10}
    world.hospital_a1.refresh_from_db()
    assert world.hospital_a1.capacity_minor == 12  # the hospital's last reported capacity


def test_a_capacity_answer_must_be_whole_numbers(row_a1, nurse_a1):
    with pytest.raises(ValidationError) as error:
        services.hospital_answer_capacity(
            actor=nurse_a1, incident_hospital=row_a1, immediate=-1, delayed="x", minor=3
        )
    assert set(error.value.message_dict) == {"immediate", "delayed"}


def test_a_closed_incident_takes_no_hospital_changes(incident, row_a1, dispatcher_a, world):
    services.incident_close(actor=dispatcher_a, incident=incident, summary="Done")
    with pytest.raises(ValidationError, match="is closed"):
        services.hospital_answer_capacity(
            actor=dispatcher_a, incident_hospital=row_a1, immediate=1, delayed=1, minor=1
        )
    with pytest.raises(ValidationError, match="is closed"):
        services.incident_hospital_add(
            actor=dispatcher_a, incident=incident, hospital=world.hospital_a2
        )


# --- patients ----------------------------------------------------------------------------------


def test_register_several_patients_at_once(incident, dispatcher_a):
    created = services.patient_register(
        actor=dispatcher_a,
        incident=incident,
        patients=[
            {"tag_number": "T-1", "category": "immediate", "age_group": "adult"},
            {"tag_number": "T-2", "category": "minor", "sex": "female"},
        ],
    )
    assert [p.tag_number for p in created] == ["T-1", "T-2"]
    assert all(p.status == Patient.Status.ON_SCENE for p in created)
    registered = incident.events.filter(kind=events.PATIENT_REGISTERED)
    assert registered.count() == 2 and not registered.filter(public=True).exists()


def test_a_batch_with_one_bad_patient_registers_none(incident, dispatcher_a):
    with pytest.raises(ValidationError) as error:
        services.patient_register(
            actor=dispatcher_a,
            incident=incident,
            patients=[
                {"tag_number": "T-1", "category": "immediate"},
                {"tag_number": "T-1", "category": "purple"},
            ],
        )
    messages = error.value.message_dict["patients"]
    assert any("Unknown triage category 'purple'" in m for m in messages)
    assert any("also patient 1 of this batch" in m for m in messages)
    assert not incident.patients.exists()


def test_a_tag_number_is_unique_per_incident(incident, patient_to_a1, dispatcher_a):
    with pytest.raises(ValidationError, match="Tag T-1 is already registered"):
        services.patient_register(
            actor=dispatcher_a,
            incident=incident,
            patients=[{"tag_number": "T-1", "category": "minor"}],
        )


def test_retriage_records_old_and_new_category(patient_to_a1, dispatcher_a):
    patient = services.patient_retriage(
        actor=dispatcher_a, patient=patient_to_a1, category="delayed"
    )
    assert patient.category == "delayed"
    event = last_event(patient.incident)
    assert (event.kind, event.data["previous"]) == (events.PATIENT_RETRIAGED, "immediate")
    with pytest.raises(ValidationError, match="already Delayed"):
        services.patient_retriage(actor=dispatcher_a, patient=patient, category="delayed")


def test_a_destination_must_be_on_the_incident(patient_to_a1, dispatcher_a, world):
    with pytest.raises(ValidationError, match="not on this incident; add it first"):
        services.patient_assign_destination(
            actor=dispatcher_a, patient=patient_to_a1, hospital=world.hospital_a2
        )


def test_transport_several_patients_in_one_unit_then_arrive(
    incident, world, dispatcher_a, nurse_a1
):
    created = services.patient_register(
        actor=dispatcher_a,
        incident=incident,
        patients=[
            {"tag_number": "T-1", "category": "immediate"},
            {"tag_number": "T-2", "category": "delayed"},
        ],
    )
    moved = services.patients_transport(
        actor=dispatcher_a,
        incident=incident,
        patients=created,
        unit="Medic 12",
        destination=world.hospital_a1,
    )
    assert {(p.status, p.transport_unit, p.destination_id) for p in moved} == {
        ("in_transport", "Medic 12", world.hospital_a1.pk)
    }
    arrived = services.patient_arrive(actor=nurse_a1, patient=moved[0])
    assert arrived.status == "arrived" and arrived.arrived_at is not None
    with pytest.raises(ValidationError, match="has already arrived"):
        services.patient_arrive(actor=nurse_a1, patient=arrived)


def test_transport_refuses_patients_not_on_scene_or_without_destination(
    incident, patient_to_a1, dispatcher_a
):
    (other,) = services.patient_register(
        actor=dispatcher_a, incident=incident, patients=[{"tag_number": "T-9", "category": "minor"}]
    )
    services.patients_transport(
        actor=dispatcher_a, incident=incident, patients=[patient_to_a1], unit="Medic 1"
    )
    with pytest.raises(ValidationError) as error:
        services.patients_transport(
            actor=dispatcher_a, incident=incident, patients=[patient_to_a1, other], unit="Medic 2"
        )
    assert error.value.message_dict["patients"] == [
        "Patient T-1 is in transport, not on scene.",
        "Patient T-9 has no destination; choose one.",
    ]


def test_a_patient_on_scene_cannot_arrive(patient_to_a1, nurse_a1):
    with pytest.raises(ValidationError, match="still on scene"):
        services.patient_arrive(actor=nurse_a1, patient=patient_to_a1)


def test_an_arrived_patient_cannot_be_rerouted_or_retriaged(incident, patient_to_a1, dispatcher_a):
    services.patients_transport(
        actor=dispatcher_a, incident=incident, patients=[patient_to_a1], unit="Medic 1"
    )
    services.patient_arrive(actor=dispatcher_a, patient=patient_to_a1)
    with pytest.raises(ValidationError, match="has arrived"):
        services.patient_retriage(actor=dispatcher_a, patient=patient_to_a1, category="minor")
    with pytest.raises(ValidationError, match="already arrived"):
        services.patient_assign_destination(
            actor=dispatcher_a, patient=patient_to_a1, hospital=patient_to_a1.destination
        )


# --- walk-ins ----------------------------------------------------------------------------------


def test_a_walk_in_is_registered_arrived_at_the_receiving_hospital(incident, world, nurse_a1):
    patient = services.walkin_register(
        actor=nurse_a1, incident=incident, hospital=world.hospital_a1, category="minor"
    )
    assert patient.walk_in and patient.status == "arrived" and patient.arrived_at
    assert patient.destination == world.hospital_a1
    assert patient.tag_number == f"W-{world.hospital_a1.agency.short_code}-1"
    event = last_event(incident)
    assert event.hospital == world.hospital_a1 and "Walk-in patient" in event.summary


def test_a_walk_in_at_a_hospital_not_yet_on_the_incident_puts_it_on(incident, world, em_a):
    services.walkin_register(
        actor=em_a, incident=incident, hospital=world.hospital_a2, category="delayed"
    )
    row = incident.hospitals.get(hospital=world.hospital_a2)
    assert row.source == IncidentHospital.Source.WALK_IN


def test_walk_ins_count_in_the_regions_figures(incident, world, nurse_a1, dispatcher_a):
    from incidents.permissions import IncidentAccess, Level
    from incidents.queries import board_snapshot

    services.patient_register(
        actor=dispatcher_a, incident=incident, patients=[{"tag_number": "T-1", "category": "minor"}]
    )
    services.walkin_register(
        actor=nurse_a1, incident=incident, hospital=world.hospital_a1, category="minor"
    )
    counts = board_snapshot(IncidentAccess(level=Level.ACT), incident)["counts"]
    assert counts["total"] == 2 and counts["walk_ins"] == 1
    assert counts["by_category"]["minor"] == 2
    assert counts["by_hospital"][str(world.hospital_a1.pk)]["minor"] == 1


def test_walk_in_refuses_an_unknown_category(incident, world, nurse_a1):
    with pytest.raises(ValidationError, match="Unknown triage category"):
        services.walkin_register(
            actor=nurse_a1, incident=incident, hospital=world.hospital_a1, category="blue"
        )


def test_an_inactive_hospital_cannot_be_added(incident, world, dispatcher_a):
    closed = HospitalFactory(agency__region=world.region_a, agency__active=False)
    with pytest.raises(ValidationError, match="is not active"):
        services.incident_hospital_add(actor=dispatcher_a, incident=incident, hospital=closed)


def test_timeline_lines_name_the_category_without_nested_brackets(incident, world, dispatcher_a):
    (patient,) = services.patient_register(
        actor=dispatcher_a,
        incident=incident,
        patients=[{"tag_number": "1005", "category": "minor"}],
    )
    assert last_event(incident).summary == "Patient 1005 (minor, green) registered"
    services.patients_transport(
        actor=dispatcher_a,
        incident=incident,
        patients=[patient],
        unit="M1",
        destination=world.hospital_a1,
    )
    assert last_event(incident).summary.startswith("Patient 1005 (minor, green) left with M1")
