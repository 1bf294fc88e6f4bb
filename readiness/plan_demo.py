"""The demo county's regional plan: a few plan documents (one past its review date) and
uneven alignment across its agencies. Written in bulk (a handful of queries); a second run
creates nothing."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from agencies.demo import COUNTY_CODE
from agencies.models import Agency, Region
from readiness.models import AgencyAlignment, ChecklistTemplate, PlanDocument

Kind = PlanDocument.Kind
Status = AgencyAlignment.Status

# (kind, title, version, days since dated, days until review: negative is overdue)
DEMO_DOCUMENTS = [
    (Kind.EOP_ANNEX, "EOP Annex H: Hostile Event / Active Shooter", "3.0", 200, 165),
    (Kind.CONOPS, "Unified Response Concept of Operations", "1.2", 420, -55),
    (Kind.INTEROP, "Tactical Interoperable Communications Plan", "2024", 300, 430),
    (Kind.SOP, "Rescue Task Force SOP", "1.0", 90, 640),
]
# short code: (status, signed by, title, evidence note); agencies not listed have none
DEMO_ALIGNMENT = {
    "TRCSO": (Status.ADOPTED, "R. Hale", "Sheriff", "General order 24-07"),
    "RPD": (Status.ALIGNED_SOP, "M. Ortiz", "Chief of Police", "SOP 410 references the plan"),
    "MPD": (Status.OWN_PLAN, "", "", "Department active-threat manual (2019)"),
    "RFD": (Status.ADOPTED, "K. Byrne", "Fire Chief", "City council resolution"),
    "MFD": (Status.NONE, "", "", ""),
    "TREMS": (Status.ALIGNED_SOP, "A. Singh", "EMS Director", "Protocol 12 aligned"),
    "TR911": (Status.ALIGNED_SOP, "D. Whitfield", "Operations Manager", "MCI call card"),
    "RRMC": (Status.OWN_PLAN, "", "", "Hospital emergency operations plan"),
    "TREMA": (Status.ADOPTED, "", "", "Board of Commissioners resolution"),
}


def seed_demo_plan(today: date | None = None) -> int:
    """Returns how many rows it created."""
    region = Region.objects.filter(code=COUNTY_CODE).first()
    if region is None or PlanDocument.objects.filter(region=region).exists():
        return 0
    today = today or timezone.localdate()
    now = timezone.now()
    template = ChecklistTemplate.objects.filter(
        region=region, status=ChecklistTemplate.Status.ADOPTED
    ).first()
    agencies = Agency.objects.filter(region=region, short_code__in=DEMO_ALIGNMENT)
    with transaction.atomic():
        documents = PlanDocument.objects.bulk_create(
            PlanDocument(
                region=region,
                kind=kind,
                title=title,
                version=version,
                document_date=today - timedelta(days=dated),
                review_due=today + timedelta(days=review),
                url=f"https://plans.twinrivers.example/{kind}.pdf",
                uploaded_at=now,
            )
            for kind, title, version, dated, review in DEMO_DOCUMENTS
        )
        annex = documents[0]
        alignments = AgencyAlignment.objects.bulk_create(
            (
                AgencyAlignment(
                    agency=agency,
                    region=region,
                    template=template,
                    status=DEMO_ALIGNMENT[agency.short_code][0],
                    evidence_document=annex
                    if DEMO_ALIGNMENT[agency.short_code][0] == Status.ADOPTED
                    else None,
                    evidence_text=DEMO_ALIGNMENT[agency.short_code][3],
                    evidence_date=today - timedelta(days=60),
                    signed_by_name=DEMO_ALIGNMENT[agency.short_code][1],
                    signed_by_title=DEMO_ALIGNMENT[agency.short_code][2],
                    updated_at=now,
                )
                for agency in agencies
            ),
            ignore_conflicts=True,
        )
    return len(documents) + len(alignments)
