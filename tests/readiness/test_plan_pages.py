"""The plan pages: who sees them, who adds documents and records alignment, empty states."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from readiness.models import AgencyAlignment, PlanDocument
from readiness.services import plan as services

pytestmark = pytest.mark.django_db
PAGE = "/readiness/plan/"
NEW_DOC = "/readiness/plan/documents/new/"
ALIGN = "/readiness/plan/alignment/"


def test_empty_plan_says_what_to_do(client, world, em_a):
    client.force_login(em_a)
    page = client.get(PAGE).content.decode()
    assert "has not adopted a checklist version yet" in page
    assert "No plan documents yet" in page and "Add a document" in page
    assert "A Police" in page and "Not recorded" in page


def test_readers_see_the_plan_responder_and_outsider_do_not(
    client, world, plan, em_a, police_admin_a, official_a, responder_a, outsider_b
):
    services.plan_document_add(
        actor=None,
        region=world.region_a,
        kind="sop",
        title="Old SOP",
        url="https://p.test/",
        review_due=date(2020, 1, 1),
    )
    client.force_login(responder_a)
    assert client.get(PAGE).status_code == 403
    for user in (em_a, police_admin_a, official_a):
        client.force_login(user)
        page = client.get(PAGE).content.decode()
        assert "Old SOP" in page and "Review overdue" in page, user
        assert f"Version {plan.version}" in page
    client.force_login(outsider_b)
    assert "Old SOP" not in client.get(PAGE).content.decode()


def test_em_adds_a_document_official_may_not(client, world, em_a, official_a):
    body = {"kind": "conops", "title": "ConOps", "url": "https://p.test/c", "review_due": ""}
    client.force_login(official_a)
    assert client.post(NEW_DOC, body).status_code == 403
    client.force_login(em_a)
    assert client.post(NEW_DOC, {**body, "url": ""}).status_code == 400
    assert client.post(NEW_DOC, body).status_code == 302
    assert PlanDocument.objects.get().title == "ConOps"


def test_agency_admin_records_own_alignment_only_em_any(
    client, world, plan, em_a, police_admin_a, official_a
):
    client.force_login(official_a)
    assert client.get(ALIGN).status_code == 403
    client.force_login(police_admin_a)
    other = {"agency": world.ems_a.pk, "status": "adopted"}
    assert client.post(ALIGN, other).status_code == 400
    own = {"agency": world.police_a.pk, "status": "adopted", "signed_by_name": "Jo Chief"}
    assert client.post(ALIGN, own).status_code == 302
    client.force_login(em_a)
    assert client.post(ALIGN, other).status_code == 302
    assert AgencyAlignment.objects.filter(template=plan, status="adopted").count() == 2
    page = client.get(PAGE).content.decode()
    assert "signed by Jo Chief" in page and "On the plan" in page


def test_plan_in_navigation_for_em_admin_official(
    client, world, em_a, police_admin_a, official_a, responder_a
):
    for user in (em_a, police_admin_a, official_a):
        client.force_login(user)
        assert f'href="{PAGE}"' in client.get("/readiness/training/").content.decode()
    client.force_login(responder_a)
    assert f'href="{PAGE}"' not in client.get("/readiness/my-training/").content.decode()


def test_em_uploads_a_document_file(client, world, em_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(em_a)
    upload = SimpleUploadedFile("annex.pdf", b"%PDF-1.4 annex", content_type="application/pdf")
    body = {"kind": "eop_annex", "title": "Annex H", "file": upload}
    assert client.post(NEW_DOC, body).status_code == 302
    document = PlanDocument.objects.get()
    assert document.file.name.endswith(".pdf") and document.url == ""
    assert document.file.url in client.get(PAGE).content.decode()
