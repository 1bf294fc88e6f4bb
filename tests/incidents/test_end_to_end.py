"""The demo region driven end to end through the API, and every event checked against its schema.

CAD declares → hospitals acknowledge and answer capacity → EMS registers patients and follows
the guidance → a unit transports → the ER marks arrivals and a walk-in → EM posts an update →
de-escalate → close.
"""

from __future__ import annotations

from rest_framework.test import APIClient

from incidents import events
from incidents.models import IncidentEvent
from tests.factories import DistributionListFactory

CAD_URL = "/api/v1/cad/incidents/"


def ok(response, code: int = 200):
    assert response.status_code == code, response.content
    return response.json()


def test_an_mci_from_cad_to_closure_through_the_api(
    cad, world, dispatcher_a, ems_a, em_a, nurse_a1, nurse_a2, official_a
):
    dispatch, medic, em, er1, er2, official = (APIClient() for _ in range(6))
    for client, user in (
        (dispatch, dispatcher_a),
        (medic, ems_a),
        (em, em_a),
        (er1, nurse_a1),
        (er2, nurse_a2),
        (official, official_a),
    ):
        client.force_authenticate(user)

    # 1. The CAD declares the MCI; the region's hospitals are ranked onto it.
    incident = ok(
        cad.post(
            CAD_URL,
            {
                "cad_number": "24-000777",
                "title": "Active shooter, Central High School",
                "kind": "active_shooter",
                "location_text": "Central High School, 1 School Rd",
                "latitude": 39.76,
                "longitude": -84.18,
                "estimated": {"immediate": 3, "delayed": 2, "minor": 6},
                "hospitals": [world.hospital_a1.agency_id, world.hospital_a2.agency.short_code],
            },
            format="json",
        ),
        201,
    )
    base = f"/api/v1/incidents/{incident['id']}"
    a1, a2 = world.hospital_a1.pk, world.hospital_a2.pk

    # 2. Both ERs see it, acknowledge and answer capacity (A2 revises its answer).
    ok(er1.post(f"{base}/hospitals/{a1}/acknowledge/"))
    ok(er1.post(f"{base}/hospitals/{a1}/capacity/", {"immediate": 1, "delayed": 2, "minor": 4}))
    ok(er2.post(f"{base}/hospitals/{a2}/capacity/", {"immediate": 1, "delayed": 1, "minor": 1}))
    ok(er2.post(f"{base}/hospitals/{a2}/capacity/", {"immediate": 2, "delayed": 1, "minor": 3}))
    hospitals = ok(dispatch.get(f"{base}/hospitals/"))["results"]
    assert all(not h["capacity_outstanding"] for h in hospitals)

    # 3. EMS registers patients in one go and asks for guidance.
    patients = ok(
        medic.post(
            f"{base}/patients/",
            {
                "patients": [
                    {"tag_number": "R-1", "category": "immediate", "age_group": "teen"},
                    {"tag_number": "R-2", "category": "immediate"},
                    {"tag_number": "Y-1", "category": "delayed"},
                    {"tag_number": "G-1", "category": "minor"},
                ]
            },
            format="json",
        ),
        201,
    )["results"]
    ids = {p["tag_number"]: p["id"] for p in patients}
    guidance = ok(medic.get(f"{base}/guidance/"))
    suggested = {s["tag_number"]: s["hospital_id"] for s in guidance["suggestions"]}
    assert set(suggested.values()) == {a1, a2}  # two red patients, one red bed each nearby

    # 4. Destinations as suggested; one unit takes both red patients' ... in two units here.
    for tag in ("R-1", "R-2", "Y-1", "G-1"):
        ok(medic.post(f"{base}/patients/{ids[tag]}/destination/", {"hospital": suggested[tag]}))
    to_a1 = [ids[t] for t, h in suggested.items() if h == a1]
    to_a2 = [ids[t] for t, h in suggested.items() if h == a2]
    ok(medic.post(f"{base}/patients/transport/", {"patients": to_a1, "unit": "Medic 1"}))
    ok(medic.post(f"{base}/patients/transport/", {"patients": to_a2, "unit": "Medic 2"}))

    # 5. Each ER sees only its inbound patients and marks them arrived; A1 takes a walk-in.
    inbound = ok(er1.get(f"{base}/patients/"))["results"]
    assert {p["id"] for p in inbound} == set(to_a1)
    for pid in to_a1:
        assert ok(er1.post(f"{base}/patients/{pid}/arrive/"))["status"] == "arrived"
    for pid in to_a2:
        ok(er2.post(f"{base}/patients/{pid}/arrive/"))
    ok(er1.post(f"{base}/patients/walk-in/", {"category": "minor"}), 201)

    # 6. EM updates the officials; the official sees counts and the public timeline only.
    officials = DistributionListFactory(region=world.region_a, name="County officials")
    ok(
        em.post(
            f"{base}/updates/",
            {"body": "Scene secure. 5 patients at hospitals.", "audience": [officials.pk]},
            format="json",
        ),
        201,
    )
    board = ok(official.get(f"{base}/board/"))
    assert board["counts"]["by_status"]["arrived"] == 5 and board["counts"]["walk_ins"] == 1
    assert official.get(f"{base}/patients/").status_code == 403

    # 7. De-escalate, close; the timeline holds every step, gapless.
    ok(dispatch.post(f"{base}/deescalate/"))
    closed = ok(dispatch.post(f"{base}/close/", {"summary": "5 patients treated, 1 walk-in."}))
    assert closed["status"] == "closed"
    timeline = ok(dispatch.get(f"{base}/events/", {"after": 0}))["results"]
    assert [e["seq"] for e in timeline] == list(range(1, closed["last_seq"] + 1))
    emitted = {e["kind"] for e in timeline}
    assert {
        events.INCIDENT_DECLARED,
        events.HOSPITAL_ADDED,
        events.HOSPITAL_ACKNOWLEDGED,
        events.HOSPITAL_CAPACITY,
        events.PATIENT_REGISTERED,
        events.PATIENT_DESTINATION,
        events.PATIENT_TRANSPORTED,
        events.PATIENT_ARRIVED,
        events.UPDATE_POSTED,
        events.INCIDENT_DEESCALATED,
        events.INCIDENT_CLOSED,
    } <= emitted


def test_every_emitted_event_matches_its_schema(
    incident, world, dispatcher_a, nurse_a1, em_a, django_capture_on_commit_callbacks
):
    """Drive every service once, then check every event's data against KIND_SCHEMAS."""
    from incidents import services

    row = incident.hospitals.get(hospital=world.hospital_a1)
    services.incident_update(actor=dispatcher_a, incident=incident, changes={"title": "New"})
    services.hospital_acknowledge(actor=nurse_a1, incident_hospital=row)
    services.hospital_answer_capacity(
        actor=nurse_a1, incident_hospital=row, immediate=1, delayed=1, minor=1
    )
    services.hospital_answer_capacity(
        actor=nurse_a1, incident_hospital=row, immediate=2, delayed=1, minor=1
    )
    extra = services.incident_hospital_add(
        actor=dispatcher_a, incident=incident, hospital=world.hospital_a2
    )
    services.incident_hospital_remove(actor=dispatcher_a, incident_hospital=extra)
    (patient,) = services.patient_register(
        actor=dispatcher_a, incident=incident, patients=[{"tag_number": "T-1", "category": "minor"}]
    )
    services.patient_retriage(actor=dispatcher_a, patient=patient, category="delayed")
    services.patient_assign_destination(
        actor=dispatcher_a, patient=patient, hospital=world.hospital_a1
    )
    services.patients_transport(
        actor=dispatcher_a, incident=incident, patients=[patient], unit="Medic 1"
    )
    services.patient_arrive(actor=nurse_a1, patient=patient)
    services.walkin_register(
        actor=nurse_a1, incident=incident, hospital=world.hospital_a1, category="minor"
    )
    lists = [DistributionListFactory(region=world.region_a)]
    services.situation_update_post(actor=em_a, incident=incident, body="Update", audience=lists)
    services.incident_deescalate(actor=dispatcher_a, incident=incident)
    services.incident_close(actor=dispatcher_a, incident=incident, summary="Done")
    services.incident_reopen(actor=dispatcher_a, incident=incident)

    emitted = list(IncidentEvent.objects.filter(incident=incident))
    # every kind of the incident core at least once (checklist, roles and notifications
    # check the schemas of their own kinds)
    core_kinds = {
        events.INCIDENT_DECLARED,
        events.INCIDENT_UPDATED,
        events.INCIDENT_DEESCALATED,
        events.INCIDENT_CLOSED,
        events.INCIDENT_REOPENED,
        events.HOSPITAL_ADDED,
        events.HOSPITAL_REMOVED,
        events.HOSPITAL_ACKNOWLEDGED,
        events.HOSPITAL_CAPACITY,
        events.PATIENT_REGISTERED,
        events.PATIENT_RETRIAGED,
        events.PATIENT_DESTINATION,
        events.PATIENT_TRANSPORTED,
        events.PATIENT_ARRIVED,
        events.UPDATE_POSTED,
    }
    assert core_kinds <= {e.kind for e in emitted}
    problems = {e.seq: events.payload_errors(e.kind, e.data) for e in emitted}
    assert {seq: p for seq, p in problems.items() if p} == {}
    # public events never carry patient details in their summaries
    assert not any("T-1" in e.summary or "W-" in e.summary for e in emitted if e.public)
