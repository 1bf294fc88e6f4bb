"""After-action reports and their improvement plans (HSEEP AAR/IP).

A report is drafted from what the system knows: the exercise's participating agencies, the
hospitals on its incidents, and each incident's key figures from its timeline
(readiness.record.build.key_figures), snapshotted so an issued report keeps its numbers.
Drafts change; an issued report is final except for its corrective actions, which the
owning agency moves along until they are closed with evidence. Every change is audited.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from agencies.models import Agency, Member
from incidents.models import Incident
from incidents.services.common import Actor
from readiness.models import (
    AfterActionReport,
    CapabilityElement,
    CorrectiveAction,
    Exercise,
)
from readiness.record.build import key_figures
from readiness.services.audit import audit

# Regional targets (seconds from declaration) the AAR compares each milestone against.
KPI_TARGETS: dict[str, int] = {
    "first_hospital_notified": 120,
    "first_hospital_acknowledged": 300,
    "all_hospitals_acknowledged": 600,
    "first_patient_transported": 1200,
}
REPORT_TEXT_FIELDS = ("title", "overview", "strengths", "areas_for_improvement")
ACTION_FIELDS = ("issue", "action", "element", "agency", "contact", "start_on", "due_on")


def kpi_snapshot(incident: Incident) -> dict[str, Any]:
    """The incident's key figures as stored on a report (JSON: no datetimes, with targets)."""
    figures = key_figures(incident)
    checklist = figures["checklist"]
    return {
        "incident": incident.pk,
        "number": incident.number,
        "title": incident.title,
        "label": figures["label"],
        "declared_at": figures["declared_at"].isoformat(),
        "milestones": [
            {
                "key": m["key"],
                "label": m["label"],
                "seconds": m["seconds"],
                "elapsed": m["elapsed"],
                "target_seconds": KPI_TARGETS.get(m["key"]),
                "met": (
                    None
                    if m["seconds"] is None or m["key"] not in KPI_TARGETS
                    else m["seconds"] <= KPI_TARGETS[m["key"]]
                ),
            }
            for m in figures["milestones"]
        ],
        "patients": figures["patients"]["total"],
        "hospitals_notified": figures["hospitals"]["notified"],
        "hospitals_acknowledged": figures["hospitals"]["acknowledged"],
        "checklist_percent": checklist["percent"] if checklist else None,
    }


def _participants(agencies: list[str], incidents: list[Incident]) -> list[str]:
    names = set(agencies)
    for incident in incidents:
        names.update(incident.hospitals.values_list("hospital__agency__name", flat=True))
    return sorted(names)


def _create(
    *, title: str, region_id: int, incidents: list[Incident], **target: Any
) -> AfterActionReport:
    now = timezone.now()
    report = AfterActionReport(
        region_id=region_id,
        title=title[:200],
        kpis=[kpi_snapshot(i) for i in incidents],
        created_at=now,
        updated_at=now,
        **target,
    )
    return report


def aar_draft_for_exercise(*, actor: Actor, exercise: Exercise) -> AfterActionReport:
    """Draft the exercise's AAR (one per exercise) once it has been held."""
    if exercise.status != Exercise.Status.HELD:
        raise ValidationError({"exercise": "Draft the after-action report once it is held."})
    if AfterActionReport.objects.filter(exercise=exercise).exists():
        raise ValidationError({"exercise": "This exercise already has an after-action report."})
    incidents = list(exercise.incidents.order_by("declared_at"))
    agencies = list(exercise.agencies.values_list("name", flat=True))
    report = _create(
        title=f"{exercise.name} after-action report",
        region_id=exercise.region_id,
        incidents=incidents,
        exercise=exercise,
    )
    report.overview = (
        f"{exercise.get_type_display()} ({exercise.category.lower()}) held on "
        f"{exercise.held_on:%Y-%m-%d}. {exercise.scenario}"
    ).strip()
    report.participants = _participants(agencies, incidents)
    with transaction.atomic():
        report.save()
        audit(actor=actor, step="draft", instance=report, changes={"exercise": exercise.pk})
    return report


def aar_draft_for_incident(*, actor: Actor, incident: Incident) -> AfterActionReport:
    """Draft the AAR of a real incident once it is closed."""
    if incident.is_exercise:
        raise ValidationError({"incident": "An exercise incident is reported on via its exercise."})
    if incident.status != Incident.Status.CLOSED:
        raise ValidationError({"incident": "Draft the after-action report once it is closed."})
    if AfterActionReport.objects.filter(incident=incident).exists():
        raise ValidationError({"incident": "This incident already has an after-action report."})
    report = _create(
        title=f"Incident {incident.number} after-action report",
        region_id=incident.region_id,
        incidents=[incident],
        incident=incident,
    )
    report.overview = incident.title
    report.participants = _participants([], [incident])
    with transaction.atomic():
        report.save()
        audit(actor=actor, step="draft", instance=report, changes={"incident": incident.number})
    return report


def _require_draft(report: AfterActionReport) -> None:
    if report.status != AfterActionReport.Status.DRAFT:
        raise ValidationError({"status": "An issued report is final."})


def aar_update(*, actor: Actor, report: AfterActionReport, **fields: str) -> AfterActionReport:
    """Change the draft's title, overview, strengths or areas for improvement."""
    unknown = set(fields) - set(REPORT_TEXT_FIELDS)
    if unknown:
        raise ValidationError({name: "Not a field that changes here." for name in unknown})
    _require_draft(report)
    values = {k: (v or "").strip() for k, v in fields.items()}
    if "title" in values and not values["title"]:
        raise ValidationError({"title": "Give the report a title."})
    changes = {k: v for k, v in values.items() if getattr(report, k) != v}
    with transaction.atomic():
        for key, value in values.items():
            setattr(report, key, value)
        report.updated_at = timezone.now()
        report.save()
        audit(actor=actor, step="update", instance=report, changes=changes)
    return report


def aar_refresh_kpis(*, actor: Actor, report: AfterActionReport) -> AfterActionReport:
    """Take the figures again from the incidents' timelines (drafts only)."""
    _require_draft(report)
    incidents = (
        list(report.exercise.incidents.order_by("declared_at"))
        if report.exercise
        else [report.incident]
    )
    with transaction.atomic():
        report.kpis = [kpi_snapshot(i) for i in incidents if i is not None]
        report.updated_at = timezone.now()
        report.save(update_fields=["kpis", "updated_at"])
        audit(actor=actor, step="refresh_kpis", instance=report)
    return report


def aar_issue(
    *, actor: Actor, report: AfterActionReport, issued_on: date | None = None
) -> AfterActionReport:
    _require_draft(report)
    errors: dict[str, str] = {}
    if not report.strengths.strip():
        errors["strengths"] = "Write the strengths before issuing."
    if not report.areas_for_improvement.strip():
        errors["areas_for_improvement"] = "Write the areas for improvement before issuing."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        report.status = AfterActionReport.Status.ISSUED
        report.issued_on = issued_on or timezone.localdate()
        report.updated_at = timezone.now()
        report.save(update_fields=["status", "issued_on", "updated_at"])
        audit(
            actor=actor,
            step="issue",
            instance=report,
            changes={"issued_on": str(report.issued_on)},
        )
    return report


# --- the improvement plan ---------------------------------------------------------------------


def _clean_action(action: CorrectiveAction, region_id: int) -> None:
    action.issue, action.action = (action.issue or "").strip(), (action.action or "").strip()
    errors: dict[str, str] = {}
    if not action.issue:
        errors["issue"] = "Name the issue."
    if not action.action:
        errors["action"] = "Say what will be done."
    if action.element not in CapabilityElement.values:
        errors["element"] = "Pick a capability element (POETE)."
    agency: Agency | None = getattr(action, "agency", None) if action.agency_id else None
    if agency is None or agency.region_id != region_id:
        errors["agency"] = "Pick an agency of the report's region."
    contact: Member | None = action.contact if action.contact_id else None
    if contact is not None and contact.agency_id != action.agency_id:
        errors["contact"] = "The point of contact is on the owning agency's roster."
    if not isinstance(action.start_on, date):
        errors["start_on"] = "Give the start date."
    if not isinstance(action.due_on, date):
        errors["due_on"] = "Give the due date."
    elif isinstance(action.start_on, date) and action.due_on < action.start_on:
        errors["due_on"] = "The due date is on or after the start date."
    if errors:
        raise ValidationError(errors)


def action_add(*, actor: Actor, report: AfterActionReport, **fields: Any) -> CorrectiveAction:
    unknown = set(fields) - set(ACTION_FIELDS)
    if unknown:
        raise ValidationError({name: "Not a field of a corrective action." for name in unknown})
    action = CorrectiveAction(report=report, **fields)
    _clean_action(action, report.region_id)
    with transaction.atomic():
        action.save()
        audit(
            actor=actor,
            step="add",
            instance=action,
            agency=action.agency,
            changes={"report": report.pk, "action": action.action, "due_on": str(action.due_on)},
        )
    return action


def action_update(*, actor: Actor, action: CorrectiveAction, **fields: Any) -> CorrectiveAction:
    """Change an open action's fields, or move it to in progress (status="in_progress")."""
    unknown = set(fields) - set(ACTION_FIELDS) - {"status"}
    if unknown:
        raise ValidationError({name: "Not a field of a corrective action." for name in unknown})
    if action.status == CorrectiveAction.Status.CLOSED:
        raise ValidationError({"status": "A closed action is final."})
    status = fields.pop("status", None)
    if status is not None and status not in (
        CorrectiveAction.Status.OPEN,
        CorrectiveAction.Status.IN_PROGRESS,
    ):
        raise ValidationError({"status": "Close an action with its evidence (close)."})
    changes = {k: str(v) for k, v in fields.items() if getattr(action, k) != v}
    for key, value in fields.items():
        setattr(action, key, value)
    if status is not None and status != action.status:
        changes["status"] = status
        action.status = status
    _clean_action(action, action.report.region_id)
    with transaction.atomic():
        action.save()
        audit(
            actor=actor,
            step="update",
            instance=action,
            agency=action.agency,
            changes=changes,
        )
    return action


def action_close(
    *, actor: Actor, action: CorrectiveAction, evidence: str, closed_on: date | None = None
) -> CorrectiveAction:
    """Close an action with what shows it is done (a note or a link)."""
    evidence = (evidence or "").strip()
    if action.status == CorrectiveAction.Status.CLOSED:
        raise ValidationError({"status": "This action is already closed."})
    if not evidence:
        raise ValidationError({"evidence": "Say what shows it is done (a note or a link)."})
    closed_on = closed_on or timezone.localdate()
    with transaction.atomic():
        action.status, action.evidence, action.closed_on = (
            CorrectiveAction.Status.CLOSED,
            evidence,
            closed_on,
        )
        action.save(update_fields=["status", "evidence", "closed_on"])
        audit(
            actor=actor,
            step="close",
            instance=action,
            agency=action.agency,
            changes={"closed_on": str(closed_on), "evidence": evidence},
        )
    return action
