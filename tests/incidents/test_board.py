"""The board snapshot takes a constant number of queries; the events feed pages by seq."""

from __future__ import annotations

import pytest
from django.db import transaction

from incidents import events, services
from tests.factories import HospitalFactory


def grow(incident, world, actor, *, patients: int, hospitals: int) -> None:
    for _ in range(hospitals):
        hospital = HospitalFactory(agency__region=world.region_a)
        row = services.incident_hospital_add(actor=actor, incident=incident, hospital=hospital)
        services.hospital_answer_capacity(
            actor=actor, incident_hospital=row, immediate=2, delayed=3, minor=9
        )
    registered = services.patient_register(
        actor=actor,
        incident=incident,
        patients=[
            {
                "tag_number": f"T-{incident.patients.count() + i}",
                "category": ["immediate", "delayed", "minor"][i % 3],
                "destination": world.hospital_a1 if i % 2 else None,
            }
            for i in range(patients)
        ],
    )
    services.walkin_register(
        actor=actor, incident=incident, hospital=world.hospital_a1, category="minor"
    )
    assert registered


@pytest.mark.parametrize("persona", ["dispatcher_a", "nurse_a1", "official_a"])
def test_board_snapshot_takes_the_same_number_of_queries_small_or_large(
    request, api, incident, world, dispatcher_a, django_assert_num_queries, persona
):
    user = request.getfixturevalue(persona)
    api.force_authenticate(user)
    url = f"/api/v1/incidents/{incident.pk}/board/"
    grow(incident, world, dispatcher_a, patients=2, hospitals=1)
    api.get(url)  # resolves the user's scope once (cached on the user for the request)
    with django_assert_num_queries(8 if persona == "nurse_a1" else 7) as small:
        assert api.get(url).status_code == 200
    grow(incident, world, dispatcher_a, patients=60, hospitals=8)
    with django_assert_num_queries(len(small.captured_queries)):
        body = api.get(url).json()
    assert body["counts"]["total"] == 64
    assert len(body["hospitals"]) == 10


def test_board_shows_who_answered_who_is_outstanding_and_how_old(
    api, incident, world, dispatcher_a, nurse_a1
):
    services.incident_hospital_add(
        actor=dispatcher_a, incident=incident, hospital=world.hospital_a2
    )
    row = incident.hospitals.get(hospital=world.hospital_a1)
    services.hospital_answer_capacity(
        actor=nurse_a1, incident_hospital=row, immediate=3, delayed=5, minor=10
    )
    services.patient_register(
        actor=dispatcher_a,
        incident=incident,
        patients=[{"tag_number": "T-1", "category": "immediate", "destination": world.hospital_a1}],
    )
    api.force_authenticate(dispatcher_a)
    board = api.get(f"/api/v1/incidents/{incident.pk}/board/").json()
    a1, a2 = sorted(board["hospitals"], key=lambda h: h["name"])
    assert (a1["capacity_outstanding"], a1["ack_outstanding"]) == (False, False)
    assert a1["acknowledged_by"] == "nurse_a1 (A1 Hospital)" and a1["capacity_age_seconds"] >= 0
    assert a1["remaining"] == {"immediate": 2, "delayed": 5, "minor": 10}
    assert (a2["capacity_outstanding"], a2["ack_outstanding"], a2["capacity"]) == (True, True, None)
    assert board["counts"]["by_category"]["immediate"] == 1
    assert board["events"][-1]["kind"] == "patient.registered"
    assert board["incident"]["number"] == incident.number


def test_events_after_n_come_in_order_and_page(api, incident, dispatcher_a):
    for i in range(5):
        services.incident_update(
            actor=dispatcher_a, incident=incident, changes={"title": f"Title {i}"}
        )
    incident.refresh_from_db()
    api.force_authenticate(dispatcher_a)
    url = f"/api/v1/incidents/{incident.pk}/events/"
    first = api.get(url, {"after": 0, "limit": 3}).json()
    assert [e["seq"] for e in first["results"]] == [1, 2, 3]
    assert first["has_more"] and first["next_after"] == 3
    rest = api.get(url, {"after": first["next_after"]}).json()
    assert [e["seq"] for e in rest["results"]] == list(range(4, incident.last_seq + 1))
    assert not rest["has_more"] and rest["last_seq"] == incident.last_seq
    assert api.get(url, {"after": incident.last_seq}).json()["results"] == []


def test_board_shows_that_a_silent_hospital_was_escalated(api, incident, world, dispatcher_a):
    with transaction.atomic():
        events.append_event(
            incident=incident,
            kind=events.HOSPITAL_ESCALATED,
            actor=None,
            summary="A1 Hospital has not acknowledged: calling its next contacts",
            data={
                "hospital_id": world.hospital_a1.pk,
                "hospital": "A1 Hospital",
                "level": 1,
                "recipients": 2,
                "channels": ["voice"],
                "notification_id": None,
            },
            public=True,
            hospital=world.hospital_a1,
        )
    api.force_authenticate(dispatcher_a)
    body = api.get(f"/api/v1/incidents/{incident.pk}/board/").json()
    by_hospital = {row["hospital_id"]: row for row in body["hospitals"]}
    escalation = by_hospital[world.hospital_a1.pk]["escalation"]
    assert (escalation["level"], escalation["channels"]) == (1, ["voice"])
