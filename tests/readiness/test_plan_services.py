"""The regional plan's services: documents, alignment, review after a new version, coverage."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from agencies.models import AuditEntry
from notifications.models import Notification
from readiness.models import AgencyAlignment, PlanDocument
from readiness.plan_queries import evidence_of, plan_coverage
from readiness.services import plan as services
from tests.factories import MemberFactory
from tests.readiness.conftest import PLAN, adopt

pytestmark = pytest.mark.django_db
Status = AgencyAlignment.Status


def _doc(world, **fields) -> PlanDocument:
    values = {
        "kind": PlanDocument.Kind.EOP_ANNEX,
        "title": "Hostile event annex",
        "url": "https://plans.test/annex.pdf",
    }
    return services.plan_document_add(actor=None, region=world.region_a, **{**values, **fields})


def test_document_add_update_retire_are_audited(world, em_a):
    document = _doc(world, review_due=date(2027, 1, 1))
    document = services.plan_document_update(actor=em_a, document=document, title="Annex H")
    document = services.plan_document_retire(actor=em_a, document=document)
    assert document.title == "Annex H" and not document.active
    steps = [
        entry.changes["step"]
        for entry in AuditEntry.objects.filter(object_id=str(document.pk)).order_by("pk")
        if entry.changes.get("step")
    ]
    assert steps == ["add", "update", "retire"]
    with pytest.raises(ValidationError):
        services.plan_document_update(actor=em_a, document=document, title="Again")


def test_document_needs_a_file_or_link_and_a_sane_review_date(world):
    with pytest.raises(ValidationError) as error:
        _doc(world, url="")
    assert "url" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        _doc(world, document_date=date(2026, 5, 1), review_due=date(2026, 1, 1))
    assert "review_due" in error.value.message_dict


def test_alignment_refers_to_the_adopted_version_and_keeps_its_evidence(world, plan, em_a):
    document = _doc(world, kind=PlanDocument.Kind.SOP, title="APD SOP 12")
    alignment = services.alignment_set(
        actor=em_a,
        agency=world.police_a,
        status=Status.ADOPTED,
        evidence_document=document,
        signed_by_name="Jo Chief",
        signed_by_title="Chief of Police",
        evidence_date=date(2026, 3, 2),
    )
    assert alignment.template == plan and alignment.updated_by == em_a
    assert evidence_of(alignment) == "APD SOP 12; signed by Jo Chief, Chief of Police; Mar 2, 2026"
    again = services.alignment_set(actor=em_a, agency=world.police_a, status=Status.ALIGNED_SOP)
    assert again.pk == alignment.pk
    assert AgencyAlignment.objects.count() == 1


def test_alignment_refuses_review_needed_and_other_regions_documents(world, plan):
    with pytest.raises(ValidationError) as error:
        services.alignment_set(actor=None, agency=world.police_a, status=Status.REVIEW_NEEDED)
    assert "status" in error.value.message_dict
    other = services.plan_document_add(
        actor=None, region=world.region_b, kind="sop", title="B SOP", url="https://b.test/"
    )
    with pytest.raises(ValidationError) as error:
        services.alignment_set(
            actor=None, agency=world.police_a, status=Status.OWN_PLAN, evidence_document=other
        )
    assert "evidence_document" in error.value.message_dict


def test_new_version_marks_older_alignments_for_review_and_tells_admins(
    world, plan, police_admin_a, django_capture_on_commit_callbacks
):
    admin_entry = MemberFactory(agency=world.police_a, user=police_admin_a, full_name="Pat")
    services.alignment_set(actor=None, agency=world.police_a, status=Status.ADOPTED)
    services.alignment_set(actor=None, agency=world.ems_a, status=Status.NONE)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        version_2 = adopt(world.region_a, {**PLAN, "name": "Version 2"})
    police = AgencyAlignment.objects.get(agency=world.police_a)
    ems = AgencyAlignment.objects.get(agency=world.ems_a)
    assert police.status == Status.REVIEW_NEEDED and ems.status == Status.NONE
    notice = Notification.objects.get(kind=services.REVIEW_KIND)
    assert notice.audience["members"] == [admin_entry.pk]
    assert "version 2" in notice.subject.lower() or str(version_2.version) in notice.subject
    assert callbacks, "the notification is queued on commit"
    # Recording the alignment again puts the agency on the new version.
    again = services.alignment_set(actor=None, agency=world.police_a, status=Status.ALIGNED_SOP)
    assert again.template == version_2


def test_coverage_per_discipline_and_overdue_documents(world, plan):
    _doc(world, title="Old annex", review_due=date(2026, 1, 1))
    _doc(world, title="New conops", kind="conops", review_due=date(2027, 1, 1))
    services.alignment_set(actor=None, agency=world.police_a, status=Status.ALIGNED_SOP)
    services.alignment_set(actor=None, agency=world.ems_a, status=Status.OWN_PLAN)
    coverage = plan_coverage(world.region_a, date(2026, 6, 1))
    assert coverage.template == plan
    assert [(d.title, overdue) for d, overdue in coverage.documents] == [
        ("Old annex", True),
        ("New conops", False),
    ]
    law = next(d for d in coverage.disciplines if d.discipline == "law")
    ems = next(d for d in coverage.disciplines if d.discipline == "ems")
    assert [s.agency for s in law.on_plan] == [world.police_a]
    assert [s.agency for s in ems.not_on_plan] == [world.ems_a]
    assert all(
        s.agency.region_id == world.region_a.pk for d in coverage.disciplines for s in d.agencies
    )
