"""The checklist, roles and template API as a client uses it: shapes, filters and clear 400s."""

from __future__ import annotations

import copy

import pytest

from incidents.models import IncidentEvent
from readiness.models import ChecklistTemplate
from tests.factories import MemberFactory
from tests.readiness.conftest import PLAN, item

pytestmark = pytest.mark.django_db
TPL = "/api/v1/checklist-templates"


def url(incident, rest: str = "") -> str:
    return f"/api/v1/incidents/{incident.pk}/{rest}"


def test_the_checklist_says_which_items_the_user_may_check(api, incident, responder_a):
    api.force_authenticate(responder_a)
    body = api.get(url(incident, "checklist/")).json()
    assert body["template"]["name"] == PLAN["name"] and body["template"]["version"] == 1
    assert body["progress"] == {"done": 0, "total": 5, "percent": 0}
    can = {i["text"]: i["can_check"] for phase in body["phases"] for i in phase["items"]}
    assert can == {
        "Contact team forms": True,
        "Fire and EMS stage": False,
        "Declare the MCI": False,
        "Activate the surge plan": False,
        "Command post set up": True,
    }


def test_checklist_filters_combine_and_unknown_values_are_a_400(api, incident, dispatcher_a):
    api.force_authenticate(dispatcher_a)
    body = api.get(url(incident, "checklist/"), {"discipline": "law,multi", "role": "none"}).json()
    assert [i["text"] for p in body["phases"] for i in p["items"]] == []
    body = api.get(url(incident, "checklist/?discipline=law&discipline=fire_ems")).json()
    assert [i["text"] for p in body["phases"] for i in p["items"]] == [
        "Contact team forms",
        "Fire and EMS stage",
    ]
    response = api.get(url(incident, "checklist/"), {"discipline": "police"})
    assert response.status_code == 400
    assert "Unknown discipline police" in response.json()["discipline"][0]
    assert api.get(url(incident, "checklist/"), {"done": "maybe"}).status_code == 400


def test_checking_through_the_api_answers_with_the_phase_progress(api, incident, ems_a):
    api.force_authenticate(ems_a)
    entry = item(incident, "Fire and EMS stage")
    body = api.post(url(incident, f"checklist/items/{entry.pk}/check/")).json()
    assert body["item"]["done"] and body["item"]["checked_by"] == "medic_a (A EMS)"
    assert (body["phase"]["done"], body["phase"]["total"]) == (1, 3)
    assert body["progress"]["done"] == 1
    again = api.post(url(incident, f"checklist/items/{entry.pk}/check/"))
    assert again.status_code == 400 and "Already checked by medic_a" in again.json()["detail"]


def test_a_refused_check_says_whose_item_it_is(api, incident, ems_a):
    api.force_authenticate(ems_a)
    entry = item(incident, "Contact team forms")
    response = api.post(url(incident, f"checklist/items/{entry.pk}/check/"))
    assert response.status_code == 403
    assert "Law enforcement" in response.json()["detail"]


def test_an_item_of_another_incident_is_not_found(api, incident, dispatcher_a, world):
    from tests.incidents.conftest import declare

    other = declare(world.region_a, dispatcher_a, title="Other")
    api.force_authenticate(dispatcher_a)
    entry = item(other, "Declare the MCI")
    assert api.post(url(incident, f"checklist/items/{entry.pk}/check/")).status_code == 404


def test_assigning_a_roster_member_and_handing_over_through_the_api(
    api, incident, dispatcher_a, world
):
    chief = MemberFactory(agency=world.police_a, full_name="Chief Dana Ortiz")
    api.force_authenticate(dispatcher_a)
    first = api.post(
        url(incident, "roles/"), {"role": "law_command", "member": chief.pk}, format="json"
    )
    assert first.status_code == 201, first.content
    assert first.json()["agency"] == "A Police"
    held = api.post(
        url(incident, "roles/"),
        {"role": "law_command", "name": "Lt. Kim", "agency_name": "A Police"},
        format="json",
    )
    assert held.status_code == 400 and "held by Chief Dana Ortiz" in held.json()["role"][0]
    handed = api.post(
        url(incident, "roles/"),
        {
            "role": "law_command",
            "name": "Lt. Kim",
            "agency_name": "A Police",
            "replaces": first.json()["id"],
        },
        format="json",
    )
    assert handed.status_code == 201
    chart = api.get(url(incident, "roles/")).json()
    (law,) = [r for r in chart["roles"] if r["role"] == "law_command"]
    assert [h["name"] for h in law["holders"]] == ["Lt. Kim"]
    assert [h["name"] for h in chart["history"]] == ["Chief Dana Ortiz"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"role": "sheriff", "name": "X", "agency_name": "Y"}, "role"),
        ({"role": "pio"}, "name"),
        ({"role": "pio", "name": "X"}, "agency_name"),
        ({"role": "pio", "member": 999999}, "member"),
        ({"role": "pio", "name": "X", "agency": 999999}, "agency"),
        ({"role": "pio", "name": "X", "agency_name": "Y", "replaces": 999999}, "replaces"),
    ],
)
def test_bad_role_requests_get_a_400_on_the_field(api, incident, dispatcher_a, payload, field):
    api.force_authenticate(dispatcher_a)
    response = api.post(url(incident, "roles/"), payload, format="json")
    assert response.status_code == 400 and field in response.json(), response.json()
    assert not IncidentEvent.objects.filter(incident=incident, kind="role.assigned").exists()


def test_a_member_of_another_region_cannot_be_assigned_through_the_api(
    api, incident, dispatcher_a, world
):
    stranger = MemberFactory(agency=world.police_b)
    api.force_authenticate(dispatcher_a)
    response = api.post(
        url(incident, "roles/"), {"role": "staging", "member": stranger.pk}, format="json"
    )
    assert response.status_code == 400 and "member" in response.json()


def test_an_emergency_manager_drafts_edits_and_adopts_through_the_api(api, plan, em_a, world):
    api.force_authenticate(em_a)
    draft = api.post(f"{TPL}/", {"region": world.region_a.pk}, format="json")
    assert draft.status_code == 201 and draft.json()["status"] == "draft"
    draft_id = draft.json()["id"]
    phases = copy.deepcopy(draft.json()["phases"])  # a client sends back what it read
    phases[0]["items"].append({"text": "Tourniquets at hand", "disciplines": ["fire_ems"]})
    edited = api.patch(f"{TPL}/{draft_id}/", {"phases": phases}, format="json")
    assert edited.status_code == 200, edited.content
    assert [i["text"] for i in edited.json()["phases"][0]["items"]][-1] == "Tourniquets at hand"
    bad = api.patch(f"{TPL}/{draft_id}/", {"phases": [{"title": "", "items": []}]}, format="json")
    assert bad.status_code == 400
    assert set(bad.json()) == {"phases[0].title", "phases[0].items"}
    adopted = api.post(f"{TPL}/{draft_id}/adopt/")
    assert adopted.status_code == 200 and adopted.json()["adopted_by"] == "em_a (A EM)"
    frozen = api.patch(f"{TPL}/{draft_id}/", {"name": "Renamed"}, format="json")
    assert frozen.status_code == 400 and "is adopted" in frozen.json()["detail"]
    assert api.get(f"{TPL}/{plan.pk}/").json()["status"] == "retired"


def test_export_and_import_round_trip_and_a_bad_document_says_what_is_wrong(api, plan, em_a, world):
    api.force_authenticate(em_a)
    exported = api.get(f"{TPL}/{plan.pk}/export/")
    assert exported.status_code == 200
    assert "checklist-region-a-v1.json" in exported["Content-Disposition"]
    document = exported.json()
    imported = api.post(
        f"{TPL}/import/", {"region": world.region_a.pk, "document": document}, format="json"
    )
    assert imported.status_code == 201 and imported.json()["version"] == 2
    document["phases"][1]["items"][0]["disciplines"] = ["nurses"]
    api.delete(f"{TPL}/{imported.json()['id']}/")
    refused = api.post(
        f"{TPL}/import/", {"region": world.region_a.pk, "document": document}, format="json"
    )
    assert refused.status_code == 400
    errors = refused.json()["document"]
    assert "Unknown discipline 'nurses'" in errors["phases[1].items[0].disciplines"][0]
    assert ChecklistTemplate.objects.filter(region=world.region_a).count() == 1
    not_json = api.post(
        f"{TPL}/import/", {"region": world.region_a.pk, "document": [1, 2]}, format="json"
    )
    assert not_json.status_code == 400 and "document" in not_json.json()


def test_a_second_draft_is_refused_with_a_clear_message(api, plan, em_a, world):
    api.force_authenticate(em_a)
    assert api.post(f"{TPL}/", {"region": world.region_a.pk}, format="json").status_code == 201
    again = api.post(f"{TPL}/", {"region": world.region_a.pk}, format="json")
    assert again.status_code == 400 and "already has a draft" in again.json()["detail"]
