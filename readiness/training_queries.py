"""Training read models: coverage per agency and required course, instructors per discipline,
refreshers coming due. Each runs a fixed number of queries whatever the roster sizes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from agencies.models import Agency, Discipline, Member, RosterRole
from readiness.models import Course, CourseKind, TrainingRecord, TrainingSession

DUE_WINDOWS = (30, 60, 90)


def responders(agencies: Iterable[Agency] | QuerySet[Agency]) -> QuerySet[Member]:
    """The people coverage counts: active roster members of the agencies, except those on the
    roster as elected / appointed officials (RosterRole.OFFICIAL) — they lead, they do not
    respond. Platform roles (Membership.roles) are not used: most responders have no login."""
    return Member.objects.filter(agency__in=agencies, active=True).exclude(
        roles__contains=[RosterRole.OFFICIAL]
    )


def current(today: date) -> Q:
    """Records still valid on `today` (never expiring or expiring later)."""
    return Q(expires_on__isnull=True) | Q(expires_on__gt=today)


def course_applies(course: Course, agency: Agency) -> bool:
    """A course without disciplines is for everyone."""
    return not course.disciplines or agency.discipline in course.disciplines


@dataclass
class Cell:
    course: Course
    trained: int
    responders: int

    @property
    def percent(self) -> int | None:
        if not self.responders:
            return None
        return round(100 * self.trained / self.responders)


@dataclass
class AgencyCoverage:
    agency: Agency
    responders: int
    cells: dict[int, Cell | None] = field(default_factory=dict)  # course id → None if n/a


@dataclass
class Coverage:
    courses: list[Course]
    rows: list[AgencyCoverage]


def coverage(agencies: QuerySet[Agency], today: date) -> Coverage:
    """The share of each agency's responders currently trained on each required, active
    course of its region that is meant for its discipline (four queries)."""
    agency_list = list(agencies.order_by("region__name", "name"))
    courses = list(
        Course.objects.filter(
            region_id__in={a.region_id for a in agency_list}, required=True, active=True
        ).order_by("code")
    )
    counts = dict(
        responders(agency_list)
        .values("agency_id")
        .annotate(n=Count("pk"))
        .values_list("agency_id", "n")
    )
    trained = {
        (row["member__agency_id"], row["course_id"]): row["n"]
        for row in TrainingRecord.objects.filter(
            current(today), member__in=responders(agency_list), course__in=courses
        )
        .values("member__agency_id", "course_id")
        .annotate(n=Count("member_id", distinct=True))
    }
    rows = []
    for agency in agency_list:
        row = AgencyCoverage(agency=agency, responders=counts.get(agency.pk, 0))
        for course in courses:
            applies = course.region_id == agency.region_id and course_applies(course, agency)
            row.cells[course.pk] = (
                Cell(course, trained.get((agency.pk, course.pk), 0), row.responders)
                if applies
                else None
            )
        rows.append(row)
    return Coverage(courses=courses, rows=rows)


def instructors_by_discipline(
    region_ids: Iterable[int], today: date, years: int = 3
) -> dict[str, list[Member]]:
    """Members who taught a session in the last `years` years or hold a current
    Train-the-Trainer record, by their agency's discipline (one query)."""
    since = today - timedelta(days=365 * years)
    taught = TrainingSession.objects.filter(instructors=OuterRef("pk"), date__gte=since)
    ttt = TrainingRecord.objects.filter(
        current(today), member=OuterRef("pk"), course__kind=CourseKind.TRAIN_THE_TRAINER
    )
    members = (
        Member.objects.filter(agency__region_id__in=list(region_ids), active=True)
        .filter(Exists(taught) | Exists(ttt))
        .select_related("agency")
        .order_by("full_name")
    )
    found: dict[str, list[Member]] = {}
    for member in members:
        found.setdefault(member.agency.discipline, []).append(member)
    labels = dict(Discipline.choices)
    return {labels[d]: found[d] for d in Discipline.values if d in found}


def refreshers_due(
    agencies: QuerySet[Agency], today: date, days: int = max(DUE_WINDOWS)
) -> QuerySet[TrainingRecord]:
    """Each active member's latest completion of a course that expires within `days` days
    (a record already renewed by a later completion is not due)."""
    renewed = TrainingRecord.objects.filter(
        member=OuterRef("member"),
        course=OuterRef("course"),
        completed_on__gt=OuterRef("completed_on"),
    )
    return (
        TrainingRecord.objects.filter(
            member__agency__in=agencies,
            member__active=True,
            expires_on__gt=today,
            expires_on__lte=today + timedelta(days=days),
        )
        .exclude(Exists(renewed))
        .select_related("member__agency", "course")
        .order_by("expires_on", "member__full_name")
    )


def due_window(record: TrainingRecord, today: date) -> int:
    """The smallest of 30/60/90 days the record's expiry falls in."""
    left = (record.expires_on - today).days if record.expires_on else 0
    return next(window for window in DUE_WINDOWS if left <= window)
