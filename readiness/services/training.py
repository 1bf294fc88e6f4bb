"""Every change to the course catalogue, training sessions and members' training records.

Keyword-only arguments, one transaction, a ValidationError that says what is wrong, and an
agencies AuditEntry for every change. Permissions are checked by the callers
(readiness/training_access.py).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from agencies.models import Agency, AuditEntry, Channel, Discipline, Member, Region
from agencies.roster_csv import RowError
from agencies.services import Actor, audit_record, diff, snapshot
from readiness import training_csv
from readiness.models import Course, CourseKind, TrainingRecord, TrainingSession
from readiness.training_csv import ParsedAttendance

COURSE_FIELDS = (
    "name",
    "code",
    "kind",
    "disciplines",
    "hours",
    "refresher_months",
    "required",
    "active",
)
SESSION_FIELDS = ("course_id", "date", "place", "notes")


def add_months(day: date, months: int) -> date:
    """`day` plus `months` months, clamped to the month's end (31 Jan + 1 → 28 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def _course_snapshot(course: Course) -> dict[str, Any]:
    values = snapshot(course, COURSE_FIELDS)
    values["hours"] = str(values["hours"])  # a Decimal is not JSON
    return values


def expiry(course: Course, completed_on: date) -> date | None:
    if course.refresher_months is None:
        return None
    return add_months(completed_on, course.refresher_months)


# --- the catalogue -----------------------------------------------------------------------------


def _validate_course(course: Course) -> None:
    course.name = course.name.strip()
    course.code = course.code.strip().upper()
    errors: dict[str, list[str]] = {}
    if not course.name:
        errors["name"] = ["Give the course a name."]
    if not course.code:
        errors["code"] = ["Give the course a short code."]
    if course.kind not in CourseKind.values:
        errors["kind"] = [f"Use one of: {', '.join(CourseKind.values)}."]
    unknown = [d for d in course.disciplines if d not in Discipline.values]
    if unknown:
        errors["disciplines"] = [
            f"Unknown discipline(s) {', '.join(map(str, unknown))}."
            f" Use: {', '.join(Discipline.values)}."
        ]
    course.disciplines = sorted(set(course.disciplines))
    if course.hours is None or course.hours < 0:
        errors["hours"] = ["Hours cannot be negative."]
    if course.refresher_months is not None and not 1 <= course.refresher_months <= 240:
        errors["refresher_months"] = ["Between 1 and 240 months, or empty for never."]
    clash = Course.objects.filter(region_id=course.region_id, code=course.code).exclude(
        pk=course.pk
    )
    if course.code and clash.exists():
        errors["code"] = [f"The region already has a course {course.code}."]
    if errors:
        raise ValidationError(errors)


def course_create(*, actor: Actor, region: Region, **fields: Any) -> Course:
    course = Course(region=region, **{k: v for k, v in fields.items() if k in COURSE_FIELDS})
    _validate_course(course)
    with transaction.atomic():
        course.save()
        audit_record(
            actor=actor,
            action=AuditEntry.Action.CREATE,
            instance=course,
            changes=diff({}, _course_snapshot(course)),
        )
    return course


def course_update(*, actor: Actor, course: Course, **fields: Any) -> Course:
    """Change a course; a changed refresher period recomputes its records' expiry dates."""
    before = _course_snapshot(course)
    for name, value in fields.items():
        if name in COURSE_FIELDS:
            setattr(course, name, value)
    _validate_course(course)
    changes = diff(before, _course_snapshot(course))
    if not changes:
        return course
    with transaction.atomic():
        course.save()
        if "refresher_months" in changes:
            records = list(course.records.all())
            for record in records:
                record.expires_on = expiry(course, record.completed_on)
            TrainingRecord.objects.bulk_update(records, ["expires_on"])
        audit_record(actor=actor, action=AuditEntry.Action.UPDATE, instance=course, changes=changes)
    return course


# --- sessions ----------------------------------------------------------------------------------


def _session_people(
    session: TrainingSession,
    instructors: Iterable[Member] | None,
    agencies: Iterable[Agency] | None,
) -> tuple[list[Member] | None, list[Agency] | None]:
    errors: dict[str, list[str]] = {}
    instructor_list = list(instructors) if instructors is not None else None
    agency_list = list(agencies) if agencies is not None else None
    if session.course.region_id != session.region_id:
        errors["course"] = ["The course belongs to another region."]
    if agency_list is not None and any(a.region_id != session.region_id for a in agency_list):
        errors["agencies"] = ["Agencies must be of the session's region."]
    if instructor_list is not None and any(
        m.agency.region_id != session.region_id for m in instructor_list
    ):
        errors["instructors"] = ["Instructors must be on a roster of the session's region."]
    if errors:
        raise ValidationError(errors)
    return instructor_list, agency_list


def _audit_session(actor: Actor, action: str, session: TrainingSession, changes: dict) -> None:
    audit_record(actor=actor, action=action, instance=session, changes=changes)


def session_create(
    *,
    actor: Actor,
    region: Region,
    course: Course,
    date: date,
    place: str = "",
    notes: str = "",
    instructors: Iterable[Member] = (),
    agencies: Iterable[Agency] = (),
) -> TrainingSession:
    session = TrainingSession(
        region=region, course=course, date=date, place=place.strip(), notes=notes.strip()
    )
    instructor_list, agency_list = _session_people(session, instructors, agencies)
    with transaction.atomic():
        session.save()
        session.instructors.set(instructor_list or [])
        session.agencies.set(agency_list or [])
        changes = diff({}, snapshot(session, SESSION_FIELDS))
        changes["instructors"] = [None, sorted(m.pk for m in instructor_list or [])]
        changes["agencies"] = [None, sorted(a.pk for a in agency_list or [])]
        _audit_session(actor, AuditEntry.Action.CREATE, session, changes)
    return session


def session_update(
    *,
    actor: Actor,
    session: TrainingSession,
    instructors: Iterable[Member] | None = None,
    agencies: Iterable[Agency] | None = None,
    **fields: Any,
) -> TrainingSession:
    """Change a session; a new date moves its attendance records' completion dates."""
    before = snapshot(session, SESSION_FIELDS)
    for name in ("date", "place", "notes"):
        if name in fields:
            setattr(session, name, fields[name])
    if "course" in fields:
        session.course = fields["course"]
    instructor_list, agency_list = _session_people(session, instructors, agencies)
    changes = diff(before, snapshot(session, SESSION_FIELDS))
    with transaction.atomic():
        if changes:
            if "course_id" in changes and session.records.exists():
                raise ValidationError({"course": ["Attendance is recorded; remove it first."]})
            session.save()
            if "date" in changes:
                for record in session.records.select_related("course"):
                    record.completed_on = session.date
                    record.expires_on = expiry(record.course, session.date)
                    record.save(update_fields=["completed_on", "expires_on"])
        if instructor_list is not None:
            old = sorted(session.instructors.values_list("pk", flat=True))
            new = sorted(m.pk for m in instructor_list)
            if old != new:
                session.instructors.set(instructor_list)
                changes["instructors"] = [old, new]
        if agency_list is not None:
            old = sorted(session.agencies.values_list("pk", flat=True))
            new = sorted(a.pk for a in agency_list)
            if old != new:
                session.agencies.set(agency_list)
                changes["agencies"] = [old, new]
        if changes:
            _audit_session(actor, AuditEntry.Action.UPDATE, session, changes)
    return session


# --- attendance and records ----------------------------------------------------------------------


def _attendee_check(session: TrainingSession, member: Member) -> None:
    if member.agency.region_id != session.region_id:
        raise ValidationError({"member": ["The member is on a roster of another region."]})


def attendance_record(
    *,
    actor: Actor,
    session: TrainingSession,
    member: Member,
    source: str = TrainingRecord.Source.SESSION,
) -> tuple[TrainingRecord, bool]:
    """Record that `member` completed the session's course on its date; (record, created).
    Recording the same person twice changes nothing."""
    _attendee_check(session, member)
    course = session.course
    with transaction.atomic():
        record, created = TrainingRecord.objects.get_or_create(
            member=member,
            course=course,
            completed_on=session.date,
            defaults={
                "session": session,
                "expires_on": expiry(course, session.date),
                "source": source,
            },
        )
        if created:
            audit_record(
                actor=actor,
                action=AuditEntry.Action.CREATE,
                instance=record,
                agency=member.agency,
                changes={"session": [None, session.pk], "source": [None, source]},
            )
    return record, created


def record_add(
    *, actor: Actor, member: Member, course: Course, completed_on: date
) -> TrainingRecord:
    """A completion entered by hand (a course taken elsewhere)."""
    if course.region_id != member.agency.region_id:
        raise ValidationError({"course": ["The course belongs to another region."]})
    if TrainingRecord.objects.filter(
        member=member, course=course, completed_on=completed_on
    ).exists():
        raise ValidationError({"completed_on": ["This completion is already recorded."]})
    with transaction.atomic():
        record = TrainingRecord.objects.create(
            member=member,
            course=course,
            completed_on=completed_on,
            expires_on=expiry(course, completed_on),
            source=TrainingRecord.Source.MANUAL,
        )
        audit_record(
            actor=actor,
            action=AuditEntry.Action.CREATE,
            instance=record,
            agency=member.agency,
            changes={"completed_on": [None, completed_on.isoformat()]},
        )
    return record


def attendance_remove(*, actor: Actor, record: TrainingRecord) -> None:
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditEntry.Action.DELETE,
            instance=record,
            agency=record.member.agency,
            changes={"completed_on": [record.completed_on.isoformat(), None]},
        )
        record.delete()


# --- the sign-in sheet import --------------------------------------------------------------------


@dataclass
class AttendanceImportReport:
    parsed: ParsedAttendance
    recorded: int = 0
    unchanged: int = 0
    matched: list[Member] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.parsed.ok


class _Directory:
    """The roster members of the session's agencies, indexed by email, phone and name —
    loaded in two queries whatever the sheet's length."""

    def __init__(self, agencies: list[Agency]) -> None:
        self.by_address: dict[str, set[int]] = {}
        self.by_name: dict[tuple[int, str], set[int]] = {}
        self.members: dict[int, Member] = {}
        members = Member.objects.filter(agency__in=agencies, active=True).select_related("agency")
        for member in members.prefetch_related("contact_points"):
            self.members[member.pk] = member
            self.by_name.setdefault((member.agency_id, member.full_name.casefold()), set()).add(
                member.pk
            )
            for point in member.contact_points.all():
                key = point.address if point.channel == Channel.EMAIL else f"tel:{point.address}"
                self.by_address.setdefault(key, set()).add(member.pk)

    def find(self, row: training_csv.AttendanceRow, agencies: list[Agency]) -> Member:
        if row.agency:
            agencies = [a for a in agencies if a.short_code.lower() == row.agency.lower()]
            if not agencies:
                raise ValidationError(f"agency {row.agency} did not attend this session")
        agency_ids = {a.pk for a in agencies}
        attempts: list[tuple[str, set[int]]] = []
        if row.email:
            attempts.append((f"email {row.email}", self.by_address.get(row.email, set())))
        if row.phone:
            attempts.append((f"phone {row.phone}", self.by_address.get(f"tel:{row.phone}", set())))
        name_hits = set().union(
            *(self.by_name.get((a, row.full_name.casefold()), set()) for a in agency_ids)
        )
        attempts.append((f"name {row.full_name}", name_hits))
        for label, hits in attempts:
            hits = {pk for pk in hits if self.members[pk].agency_id in agency_ids}
            if len(hits) == 1:
                return self.members[hits.pop()]
            if len(hits) > 1:
                raise ValidationError(
                    f"{label} matches {len(hits)} roster members; add the agency column"
                )
        raise ValidationError(
            "no roster member of the attending agencies has this email, phone or exact name"
        )


def attendance_import(
    *, actor: Actor, session: TrainingSession, text: str
) -> AttendanceImportReport:
    """Record a session's sign-in sheet: validate every row, match each good one to one
    roster member of the session's agencies (by email, else phone, else exact name within an
    agency), list every bad or unmatched row and write nothing if there is one. Importing the
    same sheet again changes nothing."""
    report = AttendanceImportReport(parsed=training_csv.parse(text))
    if report.parsed.file_error:
        return report
    agencies = list(session.agencies.all())
    if not agencies:
        report.parsed.file_error = "The session has no agencies; add the attending agencies first."
        return report
    directory = _Directory(agencies)
    seen: dict[int, int] = {}
    for row in report.parsed.rows:
        try:
            member = directory.find(row, agencies)
        except ValidationError as exc:
            report.parsed.errors.append(
                RowError(line=row.line, name=row.full_name, reasons=exc.messages)
            )
            continue
        if member.pk in seen:
            report.parsed.errors.append(
                RowError(
                    line=row.line,
                    name=row.full_name,
                    reasons=[f"{member.full_name} repeats line {seen[member.pk]}"],
                )
            )
            continue
        seen[member.pk] = row.line
        report.matched.append(member)
    if report.parsed.errors:
        # rows that failed to parse and rows that failed to match, in file order
        report.parsed.errors.sort(key=lambda error: error.line)
        report.matched = []
        return report
    with transaction.atomic():
        for member in report.matched:
            _record, created = attendance_record(
                actor=actor, session=session, member=member, source=TrainingRecord.Source.IMPORT
            )
            report.recorded += created
            report.unchanged += not created
        audit_record(
            actor=actor,
            action=AuditEntry.Action.IMPORT,
            instance=session,
            changes={"recorded": report.recorded, "unchanged": report.unchanged},
        )
    return report
