"""Bad input gets a clear 400 with field errors — never a 500."""

from __future__ import annotations

import pytest

from incidents import services

INC = "/api/v1/incidents/{id}"
CAP = INC + "/hospitals/{a1}/capacity/"


@pytest.fixture
def ids(incident, world, dispatcher_a, patient_to_a1):
    return {"id": incident.pk, "a1": world.hospital_a1.pk, "t1": patient_to_a1.pk}


@pytest.fixture
def as_dispatcher(api, dispatcher_a):
    api.force_authenticate(dispatcher_a)
    return api


@pytest.mark.parametrize(
    ("path", "payload", "field"),
    [
        ("/api/v1/incidents/", {"title": ""}, "title"),
        ("/api/v1/incidents/", {"title": "x", "kind": "riot"}, "kind"),
        ("/api/v1/incidents/", {"title": "x", "latitude": "north"}, "latitude"),
        ("/api/v1/incidents/", {"title": "x", "estimated": {"purple": 1}}, "estimated"),
        ("/api/v1/incidents/", {"title": "x", "estimated": "lots"}, "estimated"),
        ("/api/v1/incidents/", {"title": "x", "region": "A"}, "region"),
        ("/api/v1/incidents/", {"title": "x", "latitude": 39.7}, "latitude"),
        (INC + "/close/", {}, "summary"),
        (INC + "/close/", {"summary": "   "}, "summary"),
        (INC + "/hospitals/", {"hospital": "A1"}, "hospital"),
        (INC + "/hospitals/", {"hospital": 999999}, "hospital"),
        (INC + "/hospitals/", {"hospital": "{a1}"}, "hospital"),  # already on it
        (CAP, {"immediate": -1, "delayed": 1, "minor": 1}, "immediate"),
        (
            INC + "/hospitals/{a1}/capacity/",
            {"immediate": "two", "delayed": 1, "minor": 1},
            "immediate",
        ),
        (CAP, {"immediate": 1}, "delayed"),
        (INC + "/patients/", {"tag_number": "T-9", "category": "purple"}, "category"),
        (INC + "/patients/", {"tag_number": "T-1", "category": "minor"}, "patients"),
        (INC + "/patients/", {"patients": []}, "patients"),
        (INC + "/patients/", {"patients": [{"tag_number": "T-8"}]}, "patients"),
        (INC + "/patients/", {"patients": "T-8"}, "patients"),
        (
            INC + "/patients/",
            {"tag_number": "T-9", "category": "minor", "destination": 999},
            "destination",
        ),
        (INC + "/patients/{t1}/retriage/", {"category": "blue"}, "category"),
        (INC + "/patients/{t1}/retriage/", {"category": "immediate"}, "category"),
        (INC + "/patients/{t1}/destination/", {"hospital": None}, "hospital"),
        (INC + "/patients/transport/", {"patients": [], "unit": "M1"}, "patients"),
        (INC + "/patients/transport/", {"patients": ["{t1}"], "unit": ""}, "unit"),
        (INC + "/patients/transport/", {"patients": [987654], "unit": "M1"}, "patients"),
        (INC + "/patients/transport/", {"patients": ["{t1}"], "unit": "M1", "eta": "soon"}, "eta"),
        (INC + "/patients/walk-in/", {"category": "minor"}, "hospital"),
        (INC + "/patients/walk-in/", {"category": "pink", "hospital": "{a1}"}, "category"),
        (INC + "/updates/", {"body": "", "audience": []}, "body"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(as_dispatcher, ids, em_a, path, payload, field):
    if path.endswith("/updates/"):
        as_dispatcher.force_authenticate(em_a)
    filled = {
        k: (ids[v[1:-1]] if isinstance(v, str) and v.startswith("{") else v)
        for k, v in payload.items()
    }
    if isinstance(filled.get("patients"), list):
        filled["patients"] = [
            ids[p[1:-1]] if isinstance(p, str) and p.startswith("{") else p
            for p in filled["patients"]
        ]
    response = as_dispatcher.post(path.format(**ids), filled, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()


@pytest.mark.parametrize("path", ["/api/v1/incidents/", INC + "/close/", INC + "/patients/", CAP])
def test_malformed_json_is_a_400(as_dispatcher, ids, path):
    response = as_dispatcher.post(path.format(**ids), "{oops", content_type="application/json")
    assert response.status_code == 400


def test_a_json_list_instead_of_an_object_is_a_400(as_dispatcher, ids):
    response = as_dispatcher.post(f"{INC.format(**ids)}/patients/", [1, 2], format="json")
    assert response.status_code == 400


def test_an_illegal_transition_is_a_400_with_a_clear_detail(
    as_dispatcher, ids, incident, dispatcher_a
):
    services.incident_close(actor=dispatcher_a, incident=incident, summary="Done", confirm=True)
    response = as_dispatcher.post(f"{INC.format(**ids)}/deescalate/")
    assert response.status_code == 400
    assert response.json() == {"detail": "An incident that is closed cannot be de-escalated."}


def test_arriving_a_patient_on_scene_is_a_400(as_dispatcher, ids):
    response = as_dispatcher.post(f"{INC.format(**ids)}/patients/{ids['t1']}/arrive/")
    assert response.status_code == 400
    assert "still on scene" in response.json()["detail"]


@pytest.mark.parametrize("query", ["after=x", "after=-1", "limit=0", "limit=abc"])
def test_bad_event_paging_is_a_400(as_dispatcher, ids, query):
    response = as_dispatcher.get(f"{INC.format(**ids)}/events/?{query}")
    assert response.status_code == 400


def test_an_unknown_incident_is_a_404(as_dispatcher):
    assert as_dispatcher.get("/api/v1/incidents/999999/").status_code == 404
