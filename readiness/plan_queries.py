"""The region's current plan and who is on it: its adopted checklist version, its active
documents (past their review date flagged) and, per discipline, which agencies are on the
plan (aligned SOP or adopted by their governing body, for the adopted version), which are
not, and which need review."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from agencies.models import Agency, Discipline, Region
from readiness.models import AgencyAlignment, ChecklistTemplate, PlanDocument

ON_PLAN = frozenset({AgencyAlignment.Status.ALIGNED_SOP, AgencyAlignment.Status.ADOPTED})


@dataclass
class AgencyStanding:
    agency: Agency
    alignment: AgencyAlignment | None
    standing: str  # "on_plan", "not_on_plan" or "review_needed"


@dataclass
class DisciplineCoverage:
    discipline: str
    label: str
    on_plan: list[AgencyStanding] = field(default_factory=list)
    not_on_plan: list[AgencyStanding] = field(default_factory=list)
    review_needed: list[AgencyStanding] = field(default_factory=list)

    @property
    def agencies(self) -> list[AgencyStanding]:
        return [*self.on_plan, *self.review_needed, *self.not_on_plan]


@dataclass
class PlanCoverage:
    region: Region
    template: ChecklistTemplate | None
    documents: list[tuple[PlanDocument, bool]]  # (document, past its review date)
    disciplines: list[DisciplineCoverage]


def standing_of(alignment: AgencyAlignment | None, template: ChecklistTemplate | None) -> str:
    if alignment is None:
        return "not_on_plan"
    if alignment.status == AgencyAlignment.Status.REVIEW_NEEDED:
        return "review_needed"
    if (
        template is not None
        and alignment.template_id == template.pk
        and (alignment.status in ON_PLAN)
    ):
        return "on_plan"
    return "not_on_plan"


def plan_coverage(region: Region, today: date) -> PlanCoverage:
    template = ChecklistTemplate.objects.filter(
        region=region, status=ChecklistTemplate.Status.ADOPTED
    ).first()
    documents = [
        (document, document.review_due is not None and document.review_due < today)
        for document in PlanDocument.objects.filter(region=region, active=True).order_by(
            "review_due", "title"
        )
    ]
    alignments = {
        a.agency_id: a
        for a in AgencyAlignment.objects.filter(region=region).select_related(
            "evidence_document", "template"
        )
    }
    by_discipline = {value: DisciplineCoverage(value, label) for value, label in Discipline.choices}
    for agency in Agency.objects.filter(region=region, active=True).order_by("name"):
        alignment = alignments.get(agency.pk)
        standing = AgencyStanding(agency, alignment, standing_of(alignment, template))
        getattr(by_discipline[agency.discipline], standing.standing).append(standing)
    disciplines = [d for d in by_discipline.values() if d.agencies]
    return PlanCoverage(region, template, documents, disciplines)


def evidence_of(alignment: AgencyAlignment | None) -> str:
    """One line saying what backs an agency's status (document, signature, date, note)."""
    if alignment is None:
        return ""
    parts: list[str] = []
    if alignment.evidence_document_id:
        parts.append(alignment.evidence_document.title)  # type: ignore[union-attr]
    if alignment.evidence_file:
        parts.append(alignment.evidence_file.name.rsplit("/", 1)[-1])
    if alignment.evidence_text:
        parts.append(alignment.evidence_text)
    signer = ", ".join(p for p in (alignment.signed_by_name, alignment.signed_by_title) if p)
    if signer:
        parts.append(f"signed by {signer}")
    if alignment.evidence_date:
        parts.append(f"{alignment.evidence_date:%b %-d, %Y}")
    return "; ".join(parts)
