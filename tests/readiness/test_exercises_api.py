"""The exercises / AAR API and its permission matrix: every refusal is paired with the
allowed user getting the same thing in the same test."""

from __future__ import annotations

import pytest

from readiness.models import AfterActionReport
from tests.readiness.exercise_fixtures import played_exercise, report_with_actions, tabletop

pytestmark = pytest.mark.django_db
BASE = "/api/v1/readiness"


@pytest.fixture
def exercise(world, plan, clock, dispatcher_a, nurse_a1):
    return played_exercise(world, clock, dispatcher_a, nurse_a1)


@pytest.fixture
def report(world, exercise):
    return report_with_actions(world, exercise)


def ids(response) -> list[int]:
    return [row["id"] for row in response.json()["results"]]


def test_em_plans_holds_and_rates_through_the_api(api, world, em_a):
    api.force_authenticate(em_a)
    created = api.post(
        f"{BASE}/exercises/",
        {
            "region": world.region_a.pk,
            "name": "County TTX",
            "type": "tabletop",
            "planned_on": "2026-02-01",
            "agencies": [world.police_a.pk],
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["category"] == "Discussion-based" and body["agencies"] == [world.police_a.pk]
    pk = body["id"]
    objective = api.post(
        f"{BASE}/exercises/{pk}/objectives/",
        {"text": "Unified command within 10 min", "capability": "operational_coordination"},
        format="json",
    )
    assert objective.status_code == 201
    rated = api.post(
        f"{BASE}/exercises/{pk}/objectives/{objective.json()['id']}/rate/",
        {"rating": "M", "observations": "Command post set up late"},
        format="json",
    )
    assert rated.json()["rating"] == "M", rated.json()
    held = api.post(f"{BASE}/exercises/{pk}/hold/", {"held_on": "2026-02-01"}, format="json")
    assert held.json()["status"] == "held"
    listed = api.get(f"{BASE}/exercises/", {"type": "tabletop", "status": "held"})
    assert ids(listed) == [pk]
    assert api.get(f"{BASE}/exercises/{pk}/objectives/").json()[0]["rating"] == "M"


def test_bad_input_is_a_400_with_field_errors(api, world, em_a):
    api.force_authenticate(em_a)
    response = api.post(
        f"{BASE}/exercises/",
        {"region": world.region_a.pk, "name": "X", "type": "party", "planned_on": "soon"},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"type", "planned_on"}
    pk = tabletop(world).pk
    response = api.post(f"{BASE}/exercises/{pk}/hold/", {"held_on": "2999-01-01"}, format="json")
    assert response.status_code == 400 and "held_on" in response.json()
    assert api.get(f"{BASE}/exercises/", {"colour": "red"}).status_code == 400


def test_exercises_em_sees_all_agency_admin_their_agencys_others_none(
    api, world, em_a, police_admin_a, official_a, dispatcher_a, outsider_b
):
    mine = tabletop(world)  # police and EMS take part
    others = tabletop(world, name="Hospital drill", type="drill", agencies=[world.ems_a])
    api.force_authenticate(em_a)
    assert sorted(ids(api.get(f"{BASE}/exercises/"))) == sorted([mine.pk, others.pk])
    assert (
        api.patch(f"{BASE}/exercises/{mine.pk}/", {"name": "New"}, format="json").status_code == 200
    )
    api.force_authenticate(police_admin_a)
    assert ids(api.get(f"{BASE}/exercises/")) == [mine.pk]
    assert api.get(f"{BASE}/exercises/{others.pk}/").status_code == 404
    assert (
        api.patch(f"{BASE}/exercises/{mine.pk}/", {"name": "X"}, format="json").status_code == 403
    )
    for user in (official_a, dispatcher_a, outsider_b):
        api.force_authenticate(user)
        assert ids(api.get(f"{BASE}/exercises/")) == []
        assert api.get(f"{BASE}/exercises/{mine.pk}/").status_code == 404
    api.force_authenticate(outsider_b)  # an EM of region B cannot plan in region A
    response = api.post(
        f"{BASE}/exercises/",
        {"region": world.region_a.pk, "name": "X", "type": "drill", "planned_on": "2026-01-01"},
        format="json",
    )
    assert response.status_code == 400 and "region" in response.json()


def test_reports_em_owns_officials_read_issued_only(
    api, world, report, em_a, official_a, police_admin_a, outsider_b
):
    url = f"{BASE}/after-action-reports/{report.pk}/"
    api.force_authenticate(official_a)
    assert api.get(url).status_code == 404  # a draft
    api.force_authenticate(em_a)
    assert api.get(url).status_code == 200
    issued = api.post(f"{url}issue/", {"issued_on": "2026-04-01"}, format="json")
    assert issued.json()["status"] == "issued"
    api.force_authenticate(official_a)
    body = api.get(url).json()
    assert body["status"] == "issued" and body["kpis"][0]["label"] == "EXERCISE"
    assert api.patch(url, {"strengths": "x"}, format="json").status_code == 403
    assert api.get(f"{url}corrective-actions/").status_code == 403
    api.force_authenticate(em_a)
    assert len(api.get(f"{url}corrective-actions/").json()) == 2
    for user in (police_admin_a, outsider_b):
        api.force_authenticate(user)
        assert api.get(url).status_code == 404
        assert ids(api.get(f"{BASE}/after-action-reports/")) == []


def test_agency_admin_moves_and_closes_their_agencys_actions_only(
    api, world, report, em_a, police_admin_a, official_a
):
    police = report.corrective_actions.get(agency=world.police_a)
    ems = report.corrective_actions.get(agency=world.ems_a)
    api.force_authenticate(police_admin_a)
    assert ids(api.get(f"{BASE}/corrective-actions/")) == [police.pk]
    assert ids(api.get(f"{BASE}/corrective-actions/", {"overdue": "true"})) == [police.pk]
    moved = api.patch(
        f"{BASE}/corrective-actions/{police.pk}/", {"status": "in_progress"}, format="json"
    )
    assert moved.status_code == 200 and moved.json()["overdue"] is True
    assert (
        api.patch(
            f"{BASE}/corrective-actions/{police.pk}/", {"due_on": "2030-01-01"}, format="json"
        ).status_code
        == 403
    )
    assert api.get(f"{BASE}/corrective-actions/{ems.pk}/").status_code == 404
    close = f"{BASE}/corrective-actions/{police.pk}/close/"
    missing = api.post(close, {"evidence": " "}, format="json")
    assert missing.status_code == 400 and "evidence" in missing.json()
    closed = api.post(close, {"evidence": "Roster of trained staff"}, format="json")
    assert closed.json()["status"] == "closed"
    api.force_authenticate(em_a)
    assert sorted(ids(api.get(f"{BASE}/corrective-actions/"))) == sorted([police.pk, ems.pk])
    assert ids(api.get(f"{BASE}/corrective-actions/", {"status": "closed"})) == [police.pk]
    changed = api.patch(
        f"{BASE}/corrective-actions/{ems.pk}/", {"due_on": "2030-01-01"}, format="json"
    )
    assert changed.json()["due_on"] == "2030-01-01"
    api.force_authenticate(official_a)
    assert ids(api.get(f"{BASE}/corrective-actions/")) == []
    assert api.get(f"{BASE}/corrective-actions/{ems.pk}/").status_code == 404


def test_em_drafts_adds_actions_and_issues_through_the_api(api, world, exercise, em_a):
    api.force_authenticate(em_a)
    drafted = api.post(f"{BASE}/after-action-reports/", {"exercise": exercise.pk}, format="json")
    assert drafted.status_code == 201
    pk = drafted.json()["id"]
    bad = api.post(
        f"{BASE}/after-action-reports/{pk}/corrective-actions/",
        {
            "issue": "x",
            "action": "y",
            "element": "training",
            "agency": world.police_b.pk,
            "start_on": "2026-05-01",
            "due_on": "2026-04-01",
        },
        format="json",
    )
    assert bad.status_code == 400 and {"agency", "due_on"} <= set(bad.json())
    added = api.post(
        f"{BASE}/after-action-reports/{pk}/corrective-actions/",
        {
            "issue": "Late transport",
            "action": "Pre-stage units",
            "element": "planning",
            "agency": world.ems_a.pk,
            "start_on": "2026-05-01",
            "due_on": "2026-08-01",
        },
        format="json",
    )
    assert added.status_code == 201 and added.json()["status"] == "open"
    refused = api.post(f"{BASE}/after-action-reports/{pk}/issue/", {}, format="json")
    assert refused.status_code == 400 and "strengths" in refused.json()
    api.patch(
        f"{BASE}/after-action-reports/{pk}/",
        {"strengths": "Quick", "areas_for_improvement": "Transport"},
        format="json",
    )
    issued = api.post(f"{BASE}/after-action-reports/{pk}/issue/", {}, format="json")
    assert issued.json()["status"] == "issued"
    assert AfterActionReport.objects.get(pk=pk).issued_on is not None
