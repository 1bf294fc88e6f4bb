"""The plan API: who may do what (each refusal paired with the allowed user), 400s with
field errors, coverage per discipline."""

from __future__ import annotations

from datetime import date

import pytest

from readiness.models import AgencyAlignment, PlanDocument
from readiness.services import plan as services
from tests.conftest import as_user

pytestmark = pytest.mark.django_db
DOCS = "/api/v1/readiness/plan-documents/"
ALIGN = "/api/v1/readiness/alignments/"
COVERAGE = "/api/v1/readiness/plan-coverage/"


def _doc(region, **fields) -> PlanDocument:
    values = {"kind": "eop_annex", "title": "Annex H", "url": "https://plans.test/h.pdf"}
    return services.plan_document_add(actor=None, region=region, **{**values, **fields})


def _body(world, **extra):
    return {
        "region": world.region_a.pk,
        "kind": "conops",
        "title": "Concept of operations",
        "url": "https://plans.test/conops.pdf",
        "review_due": "2027-01-31",
        **extra,
    }


def test_em_adds_documents_agency_admin_and_official_may_not(
    api, world, em_a, police_admin_a, official_a
):
    for user in (police_admin_a, official_a):
        response = as_user(api, user).post(DOCS, _body(world), format="json")
        assert response.status_code == 403, user
    response = as_user(api, em_a).post(DOCS, _body(world), format="json")
    assert response.status_code == 201, response.content
    assert response.json()["title"] == "Concept of operations"


def test_outsider_cannot_add_to_or_see_another_regions_plan(api, world, em_a, outsider_b):
    document = _doc(world.region_a)
    assert as_user(api, outsider_b).post(DOCS, _body(world), format="json").status_code == 400
    assert as_user(api, outsider_b).get(f"{DOCS}{document.pk}/").status_code == 404
    assert as_user(api, outsider_b).get(DOCS).json()["results"] == []
    assert as_user(api, em_a).get(f"{DOCS}{document.pk}/").status_code == 200


def test_responder_sees_nothing_em_sees_all(api, world, em_a, responder_a):
    _doc(world.region_a)
    assert as_user(api, responder_a).get(DOCS).json()["results"] == []
    response = as_user(api, responder_a).get(COVERAGE, {"region": world.region_a.pk})
    assert response.status_code == 400
    assert len(as_user(api, em_a).get(DOCS).json()["results"]) == 1


def test_400_lists_field_errors(api, world, em_a):
    client = as_user(api, em_a)
    response = client.post(DOCS, _body(world, kind="poem", url=""), format="json")
    assert response.status_code == 400
    assert {"kind", "url"} <= set(response.json())
    response = client.post(
        DOCS, _body(world, document_date="2026-05-01", review_due="2026-01-01"), format="json"
    )
    assert response.status_code == 400 and "review_due" in response.json()
    response = client.post(ALIGN, {"agency": world.police_a.pk, "status": "review_needed"})
    assert response.status_code == 400 and "status" in response.json()


def test_patch_and_retire_only_by_em(api, world, em_a, official_a):
    document = _doc(world.region_a)
    url = f"{DOCS}{document.pk}/"
    assert as_user(api, official_a).patch(url, {"title": "X"}, format="json").status_code == 403
    assert as_user(api, official_a).post(f"{url}retire/").status_code == 403
    response = as_user(api, em_a).patch(url, {"review_due": "2026-01-01"}, format="json")
    assert response.status_code == 200 and response.json()["overdue"] is True
    response = as_user(api, em_a).post(f"{url}retire/")
    assert response.status_code == 200 and response.json()["active"] is False


def test_agency_admin_sets_own_alignment_not_anothers_em_sets_any(
    api, world, plan, em_a, police_admin_a, official_a
):
    body = {"agency": world.ems_a.pk, "status": "aligned_sop", "signed_by_name": "Ann"}
    assert as_user(api, police_admin_a).post(ALIGN, body).status_code == 403
    assert as_user(api, official_a).post(ALIGN, body).status_code == 403
    assert as_user(api, em_a).post(ALIGN, body).status_code == 201
    own = {"agency": world.police_a.pk, "status": "adopted", "evidence_text": "Council vote"}
    response = as_user(api, police_admin_a).post(ALIGN, own)
    assert response.status_code == 201, response.content
    assert response.json()["template"] == plan.pk
    listed = as_user(api, official_a).get(ALIGN, {"region": world.region_a.pk}).json()["results"]
    assert {row["agency"] for row in listed} == {world.police_a.pk, world.ems_a.pk}


def test_outsider_cannot_set_alignment_in_another_region(api, world, plan, outsider_b):
    body = {"agency": world.police_a.pk, "status": "adopted"}
    assert as_user(api, outsider_b).post(ALIGN, body).status_code == 400
    own = {"agency": world.police_b.pk, "status": "own_plan"}
    assert as_user(api, outsider_b).post(ALIGN, own).status_code == 201
    assert not AgencyAlignment.objects.filter(agency=world.police_a).exists()


def test_coverage_per_discipline(api, world, plan, official_a, outsider_b):
    _doc(world.region_a, review_due=date(2020, 1, 1))
    services.alignment_set(actor=None, agency=world.police_a, status="aligned_sop")
    assert as_user(api, outsider_b).get(COVERAGE, {"region": world.region_a.pk}).status_code == 400
    response = as_user(api, official_a).get(COVERAGE, {"region": world.region_a.pk})
    assert response.status_code == 200
    data = response.json()
    assert data["version"] == plan.version and data["documents"][0]["overdue"] is True
    law = next(d for d in data["disciplines"] if d["discipline"] == "law")
    assert [row["agency_name"] for row in law["on_plan"]] == ["A Police"]
    ems = next(d for d in data["disciplines"] if d["discipline"] == "ems")
    assert [row["standing"] for row in ems["not_on_plan"]] == ["not_on_plan"]
