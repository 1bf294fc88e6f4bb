"""Governance figures for a region, each in a fixed number of queries:

- the committee's meetings of the last 12 months and which disciplines each missed;
- mutual-aid agreements expired or expiring within 90 days;
- the share of training hours (course hours x attendees) paid for by a funding line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, DecimalField, ExpressionWrapper, F, QuerySet
from django.utils import timezone

from agencies.models import Agency, Discipline
from readiness.models import CommitteeMeeting, MutualAidAgreement, TrainingSession

EXPIRING_WITHIN = timedelta(days=90)
YEAR = timedelta(days=365)


def region_disciplines(region_id: int) -> list[str]:
    """The disciplines of the region's active agencies, in Discipline order."""
    held = set(
        Agency.objects.filter(region_id=region_id, active=True).values_list("discipline", flat=True)
    )
    return [d for d in Discipline.values if d in held]


@dataclass
class MeetingRow:
    meeting: CommitteeMeeting
    missing: list[str] = field(default_factory=list)

    @property
    def all_present(self) -> bool:
        return not self.missing


def recent_meetings(region_id: int, today: date | None = None) -> list[MeetingRow]:
    today = today or timezone.localdate()
    expected = region_disciplines(region_id)
    meetings = CommitteeMeeting.objects.filter(region_id=region_id, date__gt=today - YEAR)
    return [
        MeetingRow(m, [d for d in expected if d not in m.disciplines_present]) for m in meetings
    ]


def agreement_state(agreement: MutualAidAgreement, today: date | None = None) -> str:
    """ "expired", "expiring" (within 90 days) or "current"."""
    today = today or timezone.localdate()
    if agreement.expires_on is None or agreement.expires_on > today + EXPIRING_WITHIN:
        return "current"
    return "expired" if agreement.expires_on < today else "expiring"


def agreements_expiring(region_id: int, today: date | None = None) -> QuerySet[MutualAidAgreement]:
    """Expired agreements and those expiring within 90 days, soonest first."""
    today = today or timezone.localdate()
    return MutualAidAgreement.objects.filter(
        region_id=region_id, expires_on__lte=today + EXPIRING_WITHIN
    ).order_by("expires_on")


@dataclass(frozen=True)
class FundedHours:
    funded: Decimal
    unfunded: Decimal

    @property
    def share(self) -> float:
        total = self.funded + self.unfunded
        return float(self.funded / total) if total else 0.0


def funded_training_hours(region_id: int) -> FundedHours:
    """Course hours x attendees of the region's sessions, split by whether a line paid."""
    hours = ExpressionWrapper(
        F("course__hours") * Count("records", distinct=True),
        output_field=DecimalField(max_digits=12, decimal_places=1),
    )
    rows = (
        TrainingSession.objects.filter(region_id=region_id)
        .annotate(attendee_hours=hours, lines=Count("funding_lines", distinct=True))
        .values("attendee_hours", "lines")
    )
    funded = unfunded = Decimal(0)
    for row in rows:
        value = row["attendee_hours"] or Decimal(0)
        if row["lines"]:
            funded += value
        else:
            unfunded += value
    return FundedHours(funded=funded, unfunded=unfunded)
