"""The regional plan: its documents and each agency's alignment to the adopted version.

Keyword-only arguments, one transaction each, a ValidationError that says what is wrong and
an audit entry per change. When a region adopts a new checklist version,
`alignments_need_review` (called inside checklist_adopt's transaction) marks every alignment
that referred to an older version "review needed" and tells each agency's admins.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from agencies.models import Agency, Region
from incidents.services.common import Actor
from notifications import queue
from notifications.models import Notification
from readiness.models import AgencyAlignment, ChecklistTemplate, PlanDocument
from readiness.reminders import _admins_of
from readiness.services.audit import audit

REVIEW_KIND = "readiness.plan_review_needed"
CHANNELS = ["email", "in_app"]
DOCUMENT_FIELDS = ("kind", "title", "version", "document_date", "review_due", "file", "url")
ALIGNMENT_FIELDS = (
    "status",
    "evidence_document",
    "evidence_file",
    "evidence_text",
    "evidence_date",
    "signed_by_name",
    "signed_by_title",
)


def _user(actor: Actor) -> Any:
    return actor if actor is not None and actor.is_authenticated else None


def _check_document(document: PlanDocument) -> None:
    if not document.title.strip():
        raise ValidationError({"title": ["Give the document a title."]})
    if not document.file and not document.url:
        raise ValidationError({"url": ["Attach a file or give a link."]})
    if (
        document.document_date
        and document.review_due
        and (document.review_due < document.document_date)
    ):
        raise ValidationError({"review_due": ["The review falls due after the document date."]})


def plan_document_add(*, actor: Actor, region: Region, **fields: Any) -> PlanDocument:
    unknown = set(fields) - set(DOCUMENT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown plan document fields: {sorted(unknown)}")
    document = PlanDocument(
        region=region, uploaded_by=_user(actor), uploaded_at=timezone.now(), **fields
    )
    _check_document(document)
    with transaction.atomic():
        document.save()
        audit(actor=actor, step="add", instance=document, changes={"title": document.title})
    return document


def plan_document_update(*, actor: Actor, document: PlanDocument, **fields: Any) -> PlanDocument:
    with transaction.atomic():
        locked = PlanDocument.objects.select_for_update().get(pk=document.pk)
        if not locked.active:
            raise ValidationError("A retired document no longer changes.")
        changes: dict[str, Any] = {}
        for name, value in fields.items():
            if name not in DOCUMENT_FIELDS:
                raise TypeError(f"Unknown plan document field: {name}")
            if getattr(locked, name) != value:
                changes[name] = [str(getattr(locked, name)), str(value)]
                setattr(locked, name, value)
        _check_document(locked)
        locked.save()
        audit(actor=actor, step="update", instance=locked, changes=changes)
    return locked


def plan_document_retire(*, actor: Actor, document: PlanDocument) -> PlanDocument:
    with transaction.atomic():
        locked = PlanDocument.objects.select_for_update().get(pk=document.pk)
        if locked.active:
            locked.active = False
            locked.save(update_fields=["active"])
            audit(actor=actor, step="retire", instance=locked, changes={"active": [True, False]})
    return locked


def adopted_version(region: Region) -> ChecklistTemplate | None:
    return ChecklistTemplate.objects.filter(
        region=region, status=ChecklistTemplate.Status.ADOPTED
    ).first()


def alignment_set(*, actor: Actor, agency: Agency, **fields: Any) -> AgencyAlignment:
    """Record where `agency` stands with its region's adopted plan version."""
    unknown = set(fields) - set(ALIGNMENT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown alignment fields: {sorted(unknown)}")
    document = fields.get("evidence_document")
    if document is not None and document.region_id != agency.region_id:
        raise ValidationError({"evidence_document": ["Choose a document of the agency's region."]})
    if fields.get("status") == AgencyAlignment.Status.REVIEW_NEEDED:
        raise ValidationError(
            {"status": ["Review needed is set when the region adopts a new version."]}
        )
    with transaction.atomic():
        alignment, created = AgencyAlignment.objects.select_for_update().get_or_create(
            agency=agency,
            region_id=agency.region_id,
            defaults={"updated_at": timezone.now()},
        )
        before = {name: str(getattr(alignment, name)) for name in fields}
        for name, value in fields.items():
            setattr(alignment, name, value)
        alignment.template = adopted_version(agency.region)
        alignment.updated_by = _user(actor)
        alignment.updated_at = timezone.now()
        alignment.save()
        changes = {
            name: [before[name], str(value)]
            for name, value in fields.items()
            if before[name] != str(value)
        }
        audit(
            actor=actor,
            step="add" if created else "update",
            instance=alignment,
            changes=changes,
            agency=agency,
        )
    return alignment


def alignments_need_review(*, actor: Actor, template: ChecklistTemplate) -> int:
    """Mark the region's alignments that refer to an older version "review needed" and
    queue a notice to each such agency's admins (on commit). Call inside the adoption's
    transaction; returns how many alignments changed."""
    stale = list(
        AgencyAlignment.objects.select_for_update()
        .filter(region_id=template.region_id, template__isnull=False)
        .exclude(template=template)
        .exclude(status__in=[AgencyAlignment.Status.NONE, AgencyAlignment.Status.REVIEW_NEEDED])
        .select_related("agency")
    )
    if not stale:
        return 0
    now = timezone.now()
    for alignment in stale:
        audit(
            actor=actor,
            step="review_needed",
            instance=alignment,
            changes={"status": [alignment.status, AgencyAlignment.Status.REVIEW_NEEDED]},
            agency=alignment.agency,
        )
        alignment.status = AgencyAlignment.Status.REVIEW_NEEDED
        alignment.updated_at = now
    AgencyAlignment.objects.bulk_update(stale, ["status", "updated_at"])
    admins = _admins_of({a.agency_id for a in stale})
    ids: list[int] = []
    for alignment in stale:
        audience = admins.get(alignment.agency_id, [])
        if not audience:
            continue
        body = (
            f"{template.region.name} adopted plan version {template.version} "
            f"({template.name}). {alignment.agency.name}'s alignment referred to an older "
            "version: review your SOP and record its alignment again."
        )
        ids.append(
            Notification.objects.create(
                region_id=template.region_id,
                kind=REVIEW_KIND,
                channels=CHANNELS,
                subject=f"Plan version {template.version} adopted: review your alignment",
                texts={"email": body, "in_app": body},
                audience={"members": sorted(audience)},
            ).pk
        )
    queue.notifications_on_commit(ids)
    return len(stale)


def overdue(document: PlanDocument, today: date) -> bool:
    return document.review_due is not None and document.review_due < today
