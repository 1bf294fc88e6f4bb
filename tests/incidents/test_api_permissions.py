"""The permission matrix: every endpoint by every persona, for own / other hospital / other region.

Codes: 2xx allowed; 403 seen but not allowed; 404 not even seen (another region, another
hospital, a role with no business on incidents); 400 where the persona passes the permission
check but asks for something it cannot have (declaring in another region).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from incidents import services
from incidents.models import Incident
from tests.factories import DistributionListFactory

PERSONAS = [
    "dispatcher_a",
    "ems_a",
    "em_a",
    "responder_a",
    "nurse_a1",
    "nurse_a2",
    "official_a",
    "police_admin_a",
    "outsider_b",
]


@dataclass
class Row:
    name: str
    method: str
    path: str
    codes: dict[str, int]
    payload: dict[str, Any] | None = None
    setup: str = ""
    defaults: dict[str, int] = field(
        default_factory=lambda: {"nurse_a2": 404, "police_admin_a": 404, "outsider_b": 404}
    )

    def code(self, persona: str) -> int:
        return {**self.defaults, **self.codes}[persona]


def codes(act: int, responder: int, nurse_a1: int, official: int, **others: int) -> dict:
    return {
        "dispatcher_a": act,
        "ems_a": act,
        "em_a": act,
        "responder_a": responder,
        "nurse_a1": nurse_a1,
        "official_a": official,
        **others,
    }


VIEW = codes(200, 200, 200, 200)
ACT_ONLY = codes(200, 403, 403, 403)
ACT_CREATES = codes(201, 403, 403, 403)
INC = "/api/v1/incidents/{id}"

ROWS = [
    Row(
        "list",
        "get",
        "/api/v1/incidents/",
        codes(200, 200, 200, 200, nurse_a2=200, police_admin_a=200, outsider_b=200),
    ),
    Row(
        "declare",
        "post",
        "/api/v1/incidents/",
        codes(201, 403, 403, 403, nurse_a2=403, police_admin_a=403, outsider_b=400),
        {"title": "Second MCI", "region": "{region}"},
    ),
    Row("retrieve", "get", INC + "/", VIEW),
    Row("update", "patch", INC + "/", ACT_ONLY, {"title": "Renamed"}),
    Row("events", "get", INC + "/events/?after=0", VIEW),
    Row("board", "get", INC + "/board/", VIEW),
    Row("guidance", "get", INC + "/guidance/", codes(200, 200, 403, 403)),
    Row("deescalate", "post", INC + "/deescalate/", ACT_ONLY),
    Row("close", "post", INC + "/close/", ACT_ONLY, {"summary": "Done", "confirm": True}),
    Row("reopen", "post", INC + "/reopen/", ACT_ONLY, setup="closed"),
    Row("hospitals", "get", INC + "/hospitals/", VIEW),
    Row("hospital add", "post", INC + "/hospitals/", ACT_CREATES, {"hospital": "{a2}"}),
    Row(
        "hospital remove",
        "delete",
        INC + "/hospitals/{a2}/",
        codes(204, 403, 403, 403, nurse_a2=403),
        setup="a2_on",
    ),  # A2 now involved
    Row("acknowledge", "post", INC + "/hospitals/{a1}/acknowledge/", codes(200, 403, 200, 403)),
    Row(
        "capacity",
        "post",
        INC + "/hospitals/{a1}/capacity/",
        codes(200, 403, 200, 403),
        {"immediate": 2, "delayed": 4, "minor": 10},
    ),
    Row("patients", "get", INC + "/patients/", codes(200, 200, 200, 403)),
    Row(
        "register",
        "post",
        INC + "/patients/",
        codes(201, 403, 403, 403),
        {"tag_number": "T-3", "category": "minor"},
    ),
    Row("patient", "get", INC + "/patients/{t1}/", codes(200, 200, 200, 403)),
    Row(
        "retriage",
        "post",
        INC + "/patients/{t1}/retriage/",
        codes(200, 403, 403, 403),
        {"category": "delayed"},
    ),
    Row(
        "destination",
        "post",
        INC + "/patients/{t2}/destination/",
        codes(200, 403, 404, 403),
        {"hospital": "{a1}"},
    ),
    Row(
        "transport",
        "post",
        INC + "/patients/transport/",
        codes(200, 403, 403, 403),
        {"patients": ["{t2}"], "unit": "Medic 7", "destination": "{a1}"},
    ),
    Row("arrive", "post", INC + "/patients/{t1}/arrive/", codes(200, 403, 200, 403)),
    Row(
        "walk-in",
        "post",
        INC + "/patients/walk-in/",
        codes(201, 403, 201, 403),
        {"category": "minor", "hospital": "{a1}"},
    ),
    Row("updates", "get", INC + "/updates/", codes(200, 200, 403, 200)),
    Row(
        "post update",
        "post",
        INC + "/updates/",
        {**codes(403, 403, 403, 403), "em_a": 201},
        {"body": "Scene secure.", "audience": ["{dl}"]},
    ),
]


@pytest.fixture
def scene(incident, world, dispatcher_a) -> dict[str, Any]:
    """Region A's MCI with A1 on it; T-1 in transport to A1; T-2 on scene, no destination."""
    t1, t2 = services.patient_register(
        actor=dispatcher_a,
        incident=incident,
        patients=[
            {"tag_number": "T-1", "category": "immediate", "destination": world.hospital_a1},
            {"tag_number": "T-2", "category": "delayed"},
        ],
    )
    services.patients_transport(actor=dispatcher_a, incident=incident, patients=[t1], unit="M1")
    return {
        "id": incident.pk,
        "a1": world.hospital_a1.pk,
        "a2": world.hospital_a2.pk,
        "t1": t1.pk,
        "t2": t2.pk,
        "dl": DistributionListFactory(region=world.region_a, name="County officials").pk,
        "region": world.region_a.pk,
    }


def _fill(value: Any, scene: dict[str, Any]) -> Any:
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return scene[value[1:-1]]
    if isinstance(value, list):
        return [_fill(v, scene) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, scene) for k, v in value.items()}
    return value


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("row", ROWS, ids=[r.name for r in ROWS])
def test_permission_matrix(request, api, scene, world, dispatcher_a, row: Row, persona: str):
    incident = Incident.objects.get(pk=scene["id"])
    if row.setup == "closed":
        services.incident_close(actor=dispatcher_a, incident=incident, summary="Done", confirm=True)
    if row.setup == "a2_on":
        services.incident_hospital_add(
            actor=dispatcher_a, incident=incident, hospital=world.hospital_a2
        )
    api.force_authenticate(request.getfixturevalue(persona))
    path = row.path.format(**scene)
    response = getattr(api, row.method)(path, _fill(row.payload, scene), format="json")
    assert response.status_code == row.code(persona), response.content


@pytest.mark.parametrize("row", ROWS, ids=[r.name for r in ROWS])
def test_anonymous_users_are_refused_everywhere(api, scene, row: Row):
    path = row.path.format(**scene)
    response = getattr(api, row.method)(path, _fill(row.payload, scene), format="json")
    assert response.status_code in (401, 403)


def test_lists_show_only_what_each_persona_may_see(api, scene, nurse_a1, nurse_a2, outsider_b):
    for user, expected in ((nurse_a1, [scene["id"]]), (nurse_a2, []), (outsider_b, [])):
        api.force_authenticate(user)
        ids = [i["id"] for i in api.get("/api/v1/incidents/").json()["results"]]
        assert ids == expected


def test_er_nurse_sees_only_patients_headed_to_their_hospital(api, scene, nurse_a1):
    api.force_authenticate(nurse_a1)
    tags = [p["tag_number"] for p in api.get(f"{INC.format(**scene)}/patients/").json()["results"]]
    assert tags == ["T-1"]
    assert api.get(f"{INC.format(**scene)}/patients/{scene['t2']}/").status_code == 404


def test_er_nurse_of_another_hospital_sees_the_incident_once_a_patient_is_sent_there(
    api, scene, world, dispatcher_a, nurse_a2
):
    incident = Incident.objects.get(pk=scene["id"])
    services.incident_hospital_add(
        actor=dispatcher_a, incident=incident, hospital=world.hospital_a2
    )
    api.force_authenticate(nurse_a2)
    assert api.get(f"{INC.format(**scene)}/").status_code == 200
    assert api.get(f"{INC.format(**scene)}/patients/").json()["results"] == []
    # and cannot answer for A1
    response = api.post(f"{INC.format(**scene)}/hospitals/{scene['a1']}/acknowledge/")
    assert response.status_code == 403


def test_er_nurse_sees_public_events_and_those_about_their_hospital(api, scene, nurse_a1):
    api.force_authenticate(nurse_a1)
    results = api.get(f"{INC.format(**scene)}/events/").json()["results"]
    kinds = [e["kind"] for e in results]
    assert "patient.transported" in kinds  # T-1 goes to A1
    registered = [e for e in results if e["kind"] == "patient.registered"]
    assert [e["data"]["tag_number"] for e in registered] == ["T-1"]  # not T-2


def test_officials_see_public_summaries_without_data_and_no_patient_events(api, scene, official_a):
    api.force_authenticate(official_a)
    results = api.get(f"{INC.format(**scene)}/events/").json()["results"]
    assert results and all(e["public"] for e in results)
    assert all("data" not in e for e in results)
    assert not any(e["kind"].startswith("patient.") for e in results)
    board = api.get(f"{INC.format(**scene)}/board/").json()
    assert board["counts"]["total"] == 2  # counts, yes
    assert all("data" not in e for e in board["events"])
