"""Every event kind for every role, over the events API, the record's CSV and the board socket:
each role sees exactly what the kind's audience rule (incidents.events.AUDIENCES) says, the
same way everywhere — and nobody sees what it does not."""

from __future__ import annotations

import csv
import io
import types
import typing
from typing import Any, Union

import pytest
from rest_framework.test import APIClient

from agencies.models import Role
from incidents import events, services
from incidents.models import Incident
from tests.factories import user_with_roles
from tests.incidents.conftest import declare

pytestmark = pytest.mark.django_db(transaction=True)

FULL, SUMMARY, NOTHING = "full", "summary", None
ROLES = ("dispatcher", "er_nurse_own", "er_nurse_other", "ems", "em", "official", "agency_admin")
# The kinds a service writes about one hospital (event.hospital): here always hospital A1.
HOSPITAL_PREFIXES = ("hospital.", "patient.", "notification.")


def test_every_event_kind_has_an_audience_rule():
    assert set(events.AUDIENCES) == set(events.KIND_SCHEMAS), (
        "give every kind in KIND_SCHEMAS a rule in events.AUDIENCES"
    )
    assert all(isinstance(rule, events.AudienceRule) for rule in events.AUDIENCES.values())


def test_an_event_of_a_kind_without_an_audience_rule_is_refused(monkeypatch, world):
    monkeypatch.setitem(events.KIND_SCHEMAS, "test.unruled", events.IncidentUpdated)
    incident = declare(world.region_a)
    with pytest.raises(ValueError, match="AUDIENCES"):
        events.append_event(
            incident=incident, kind="test.unruled", actor=None, summary="", data={"changes": {}}
        )


# --- sample payloads, built from each kind's schema ----------------------------------------------


def _sample(expected: Any) -> Any:
    origin = typing.get_origin(expected)
    if expected is Any:
        return None
    if typing.is_typeddict(expected):
        return {key: _sample(hint) for key, hint in typing.get_type_hints(expected).items()}
    if origin in (Union, types.UnionType):
        options = [o for o in typing.get_args(expected) if o is not type(None)]
        return _sample(options[0])
    if origin is list or expected is list:
        return []
    if origin is dict or expected is dict:
        return {}
    return {int: 1, float: 1.0, str: "x", bool: False}[expected]


def sample_payload(kind: str, hospital_id: int) -> dict[str, Any]:
    data = _sample(events.KIND_SCHEMAS[kind])
    for key in ("hospital_id", "destination_id"):
        if key in data:
            data[key] = hospital_id
    if "previous_id" in data:
        data["previous_id"] = None
    if kind == events.UPDATE_POSTED:
        data["body"] = "SECRET BODY: shelter in place near the mall"
    assert events.payload_errors(kind, data) == [], kind
    return data


# --- the people ---------------------------------------------------------------------------------


@pytest.fixture
def people(world, dispatcher_a, nurse_a1, nurse_a2, ems_a, em_a, official_a) -> dict[str, Any]:
    return {
        "dispatcher": dispatcher_a,
        "er_nurse_own": nurse_a1,
        "er_nurse_other": nurse_a2,
        "ems": ems_a,
        "em": em_a,
        "official": official_a,
        "agency_admin": user_with_roles(world.police_a, Role.AGENCY_ADMIN, username="padmin"),
    }


def expected_sight(role: str, kind: str) -> str | None:
    """What the table promises `role` of an event of `kind` (about hospital A1, if any)."""
    rule = events.AUDIENCES[kind]
    about_a1 = kind.startswith(HOSPITAL_PREFIXES)
    sight = {
        "dispatcher": events.Sight.FULL,
        "ems": events.Sight.FULL,
        "em": events.Sight.FULL,
        "er_nurse_own": rule.er_own if about_a1 else rule.er,
        "er_nurse_other": rule.er,
        "official": rule.official,
        "agency_admin": events.Sight.NONE,
    }[role]
    return {events.Sight.FULL: FULL, events.Sight.SUMMARY: SUMMARY}.get(sight)


def seen_over_api(user: Any, incident: Incident, after: int) -> dict[int, str] | None:
    """seq → FULL/SUMMARY of what the events API gives `user` (None: a 404)."""
    client = APIClient()
    client.force_authenticate(user)
    response = client.get(f"/api/v1/incidents/{incident.pk}/events/", {"after": after})
    if response.status_code == 404:
        return None
    assert response.status_code == 200, response.content
    return {e["seq"]: FULL if "data" in e else SUMMARY for e in response.json()["results"]}


def seen_in_csv(user: Any, incident: Incident, after: int) -> set[int] | None:
    client = APIClient()
    client.force_authenticate(user)
    response = client.get(f"/api/v1/incidents/{incident.pk}/record/timeline.csv")
    if response.status_code == 404:
        return None
    assert response.status_code == 200, response.content
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert all("SECRET BODY" not in row["summary"] for row in rows)
    return {int(row["seq"]) for row in rows if int(row["seq"]) > after}


@pytest.mark.parametrize("subscribed", [False, True], ids=["board-groups", "incident-page"])
def test_every_event_kind_reaches_each_role_as_its_rule_says_over_api_csv_and_socket(
    run, open_board, act, world, people, subscribed
):
    """Boards open as they are on the walls (the region's and the hospital's groups), or also
    following the incident's page (its group): the same answer either way."""
    world.region_a.hospitals_to_notify = 2  # A1 and A2 are both on the incident
    world.region_a.save()
    incident = declare(world.region_a, people["dispatcher"])
    start = incident.last_seq
    kinds = sorted(events.KIND_SCHEMAS)

    def append_every_kind() -> dict[int, str]:
        seq_kind = {}
        for kind in kinds:
            about_a1 = kind.startswith(HOSPITAL_PREFIXES)
            event = events.append_event(
                incident=incident,
                kind=kind,
                actor=people["dispatcher"],
                summary=f"an event of kind {kind}",
                data=sample_payload(kind, world.hospital_a1.pk),
                hospital=world.hospital_a1 if about_a1 else None,
            )
            seq_kind[event.seq] = kind
        return seq_kind

    async def scenario() -> dict[str, dict[int, str]]:
        boards = {role: await open_board(user) for role, user in people.items()}
        if subscribed:
            for board in boards.values():
                await board.send({"subscribe": incident.pk})
                answer = await board.receive()
                assert answer["type"] in ("subscribed", "refused")
        seq_kind.update(await act(append_every_kind))
        received = {}
        for role, board in boards.items():
            got = [e for e in await board.drain(quiet=0.5) if e["type"] == "event"]
            assert all("SECRET BODY" not in str(e.get("summary")) for e in got)
            received[role] = {e["seq"]: FULL if "data" in e else SUMMARY for e in got}
            assert len(got) == len(received[role]), f"{role} got an event twice"
            await board.close()
        return received

    seq_kind: dict[int, str] = {}
    over_socket: dict[str, dict[int, str]] = {}

    async def run_and_keep() -> None:
        over_socket.update(await scenario())

    run(run_and_keep)
    assert len(seq_kind) == len(kinds)

    for role, user in people.items():
        over_api = seen_over_api(user, incident, start)
        in_csv = seen_in_csv(user, incident, start)
        expected = {
            seq: expected_sight(role, kind)
            for seq, kind in seq_kind.items()
            if expected_sight(role, kind) is not None
        }
        if role == "agency_admin":
            assert (over_api, in_csv, over_socket[role]) == (None, None, {})
            continue
        assert over_api == expected, role
        assert in_csv == set(expected), role
        assert over_socket[role] == expected, role

    # The promises of the issue in plain words, whatever the table says about other kinds.
    by_kind = {kind: seq for seq, kind in seq_kind.items()}
    update = by_kind[events.UPDATE_POSTED]
    for staff in ("dispatcher", "ems", "em"):
        assert over_socket[staff][update] == FULL and len(over_socket[staff]) == len(kinds)
    for nurse in ("er_nurse_own", "er_nurse_other"):
        assert over_socket[nurse][update] == SUMMARY  # posted, but not its body
        assert seen_over_api(people[nurse], incident, update - 1)[update] == SUMMARY
    patient_seqs = {seq for seq, kind in seq_kind.items() if kind.startswith("patient.")}
    assert patient_seqs and all(over_socket["er_nurse_own"][s] == FULL for s in patient_seqs)
    assert not patient_seqs & set(over_socket["er_nurse_other"])
    assert not patient_seqs & set(over_socket["official"])
    assert set(over_socket["official"].values()) == {SUMMARY}  # officials never get data


def test_a_patient_sent_elsewhere_is_news_for_the_er_it_was_headed_to_everywhere(
    world, dispatcher_a, nurse_a1, nurse_a2, run, open_board, act
):
    """Its board must drop the patient: the socket and the API both tell A1's ER staff."""
    world.region_a.hospitals_to_notify = 2
    world.region_a.save()
    incident = declare(world.region_a, dispatcher_a)
    (patient,) = services.patient_register(
        actor=dispatcher_a,
        incident=incident,
        patients=[{"tag_number": "T-9", "category": "delayed", "destination": world.hospital_a1}],
    )

    async def scenario() -> list[dict[str, Any]]:
        board = await open_board(nurse_a1)
        await act(
            lambda: services.patient_assign_destination(
                actor=dispatcher_a, patient=patient, hospital=world.hospital_a2
            )
        )
        (moved,) = await board.receive_events(1)
        await board.close()
        return [moved]

    found: list[dict[str, Any]] = []

    async def keep() -> None:
        found.extend(await scenario())

    run(keep)
    (moved,) = found
    assert moved["kind"] == events.PATIENT_DESTINATION and moved["data"]["previous_id"]
    over_api = seen_over_api(nurse_a1, incident, moved["seq"] - 1)
    assert over_api == {moved["seq"]: FULL}
    assert seen_over_api(nurse_a2, incident, moved["seq"] - 1) == {moved["seq"]: FULL}
