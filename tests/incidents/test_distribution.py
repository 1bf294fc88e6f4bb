"""Distribution guidance: nearest hospital with room left, and overload warnings."""

from __future__ import annotations

from incidents import queries, services
from incidents.distribution import HospitalRoom, PatientNeed, guidance
from incidents.permissions import IncidentAccess, Level

SCENE = (39.75, -84.20)


def room(hid: int, name: str, km_north: float, answered: dict, sent: dict | None = None):
    return HospitalRoom(
        hospital_id=hid,
        name=name,
        latitude=SCENE[0] + km_north / 111.2,
        longitude=SCENE[1],
        answered=answered,
        sent=sent or {},
    )


def need(pid: int, category: str) -> PatientNeed:
    return PatientNeed(patient_id=pid, tag_number=f"T-{pid}", category=category)


def test_each_patient_goes_to_the_nearest_hospital_with_room_in_their_category():
    near = room(1, "Near", 2, {"immediate": 1, "delayed": 0, "minor": 5})
    far = room(2, "Far", 10, {"immediate": 3, "delayed": 4, "minor": 5})
    result = guidance(
        patients=[need(1, "immediate"), need(2, "immediate"), need(3, "delayed")],
        hospitals=[far, near],
        latitude=SCENE[0],
        longitude=SCENE[1],
    )
    by_patient = {s.patient_id: s.hospital for s in result.suggestions}
    # the near hospital's single red bed goes to the first red patient
    assert by_patient == {1: "Near", 2: "Far", 3: "Far"}
    assert result.remaining[1]["immediate"] == 0 and result.remaining[2]["immediate"] == 2


def test_patients_already_sent_use_up_the_answered_capacity():
    near = room(1, "Near", 2, {"immediate": 2}, sent={"immediate": 2})
    far = room(2, "Far", 10, {"immediate": 2})
    result = guidance(
        patients=[need(1, "immediate")],
        hospitals=[near, far],
        latitude=SCENE[0],
        longitude=SCENE[1],
    )
    assert result.suggestions[0].hospital == "Far"
    assert "Nearest with immediate room: Far" in result.suggestions[0].reason


def test_no_room_anywhere_and_black_tags_get_no_suggestion_with_a_reason():
    full = room(1, "Full", 2, {"immediate": 0, "delayed": 0, "minor": 0})
    result = guidance(
        patients=[need(1, "immediate"), need(2, "deceased")],
        hospitals=[full],
        latitude=SCENE[0],
        longitude=SCENE[1],
    )
    reasons = {s.patient_id: (s.hospital_id, s.reason) for s in result.suggestions}
    assert reasons[1] == (None, "No hospital has immediate capacity left.")
    assert reasons[2] == (None, "No suggestion for deceased patients.")


def test_warns_when_a_hospital_gets_more_than_it_declared_while_another_has_room():
    flooded = room(1, "A1 Hospital", 2, {"immediate": 3}, sent={"immediate": 5})
    empty = room(2, "A2 Hospital", 10, {"immediate": 2})
    result = guidance(patients=[], hospitals=[flooded, empty], latitude=None, longitude=None)
    assert result.warnings == [
        "A1 Hospital has been sent 5 immediate patients for 3 declared; "
        "still room at A2 Hospital (2)."
    ]


def test_no_warning_when_nobody_has_room_left():
    flooded = room(1, "A1", 2, {"immediate": 3}, sent={"immediate": 5})
    full = room(2, "A2", 10, {"immediate": 1}, sent={"immediate": 1})
    assert (
        guidance(patients=[], hospitals=[flooded, full], latitude=None, longitude=None).warnings
        == []
    )


def test_guidance_query_uses_answers_and_patients_already_sent(incident, world, dispatcher_a):
    row_a2 = services.incident_hospital_add(
        actor=dispatcher_a, incident=incident, hospital=world.hospital_a2
    )
    row_a1 = incident.hospitals.get(hospital=world.hospital_a1)
    services.hospital_answer_capacity(
        actor=dispatcher_a, incident_hospital=row_a1, immediate=1, delayed=0, minor=0
    )
    services.hospital_answer_capacity(
        actor=dispatcher_a, incident_hospital=row_a2, immediate=2, delayed=0, minor=0
    )
    services.patient_register(
        actor=dispatcher_a,
        incident=incident,
        patients=[
            {"tag_number": "T-1", "category": "immediate", "destination": world.hospital_a1},
            {"tag_number": "T-2", "category": "immediate"},
        ],
    )
    result = queries.incident_guidance(IncidentAccess(level=Level.ACT), incident)
    assert [(s.tag_number, s.hospital) for s in result.suggestions] == [("T-2", "A2 Hospital")]
