"""Who may see and change training, in one place (the rules of agencies/permissions.py applied
to the catalogue, sessions and records):

- The region's emergency managers keep the catalogue and sessions and see all of it.
- Agency admins see the sessions their agency attended and record or remove attendance of
  their own agency's members; they read their agency's coverage.
- Instructors (roster members with a login listed as a session's instructor) see and record
  attendance for the sessions they teach.
- Officials read the region's coverage summaries.
- Everyone sees their own training record (records of roster entries linked to their login).
- Superusers may do everything.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet

from agencies.models import Agency, Member, Role
from agencies.permissions import scope_for
from readiness.models import Course, TrainingRecord, TrainingSession

User = AbstractBaseUser | AnonymousUser
KEEPERS = frozenset({Role.EMERGENCY_MANAGER})
COVERAGE_READERS = frozenset({Role.EMERGENCY_MANAGER, Role.OFFICIAL})


def keeper_regions(user: User) -> set[int]:
    return scope_for(user).regions_with(KEEPERS)


def can_keep_catalogue(user: User, region_id: int) -> bool:
    scope = scope_for(user)
    return scope.superuser or region_id in scope.regions_with(KEEPERS)


def admin_agencies(user: User) -> set[int]:
    return scope_for(user).agencies_with({Role.AGENCY_ADMIN})


def courses_visible(user: User) -> QuerySet[Course]:
    """Every member of a region reads its catalogue."""
    scope = scope_for(user)
    if scope.superuser:
        return Course.objects.all()
    return Course.objects.filter(region_id__in=scope.region_ids)


def _taught_by(user: User) -> Q:
    return Q(instructors__user=user) if user.is_authenticated else Q(pk__in=[])


def sessions_visible(user: User) -> QuerySet[TrainingSession]:
    scope = scope_for(user)
    if scope.superuser:
        return TrainingSession.objects.all()
    query = (
        Q(region_id__in=keeper_regions(user))
        | Q(agencies__in=admin_agencies(user))
        | _taught_by(user)
    )
    ids = TrainingSession.objects.filter(query).values("pk")
    return TrainingSession.objects.filter(pk__in=ids)


def is_instructor(user: User, session: TrainingSession) -> bool:
    return user.is_authenticated and session.instructors.filter(user=user).exists()


def can_record_all(user: User, session: TrainingSession) -> bool:
    """The region's EMs and the session's own instructors record anyone who attended."""
    return can_keep_catalogue(user, session.region_id) or is_instructor(user, session)


def can_record_member(user: User, session: TrainingSession, member: Member) -> bool:
    return can_record_all(user, session) or member.agency_id in admin_agencies(user)


def can_record_any(user: User, session: TrainingSession) -> bool:
    """May record someone on the session: EM, instructor, or admin of an attending agency."""
    if can_record_all(user, session):
        return True
    mine = admin_agencies(user)
    return bool(mine) and session.agencies.filter(pk__in=mine).exists()


def attendance_visible(user: User, session: TrainingSession) -> QuerySet[TrainingRecord]:
    records = session.records.select_related("member__agency", "course")
    if can_record_all(user, session):
        return records
    return records.filter(member__agency_id__in=admin_agencies(user))


def coverage_agencies(user: User) -> QuerySet[Agency]:
    """Agencies whose coverage the user reads: the region's for EMs and officials, their own
    for agency admins."""
    scope = scope_for(user)
    agencies = Agency.objects.filter(active=True)
    if scope.superuser:
        return agencies
    return agencies.filter(
        Q(region_id__in=scope.regions_with(COVERAGE_READERS)) | Q(pk__in=admin_agencies(user))
    )


def my_records(user: User) -> QuerySet[TrainingRecord]:
    if not user.is_authenticated:
        return TrainingRecord.objects.none()
    return TrainingRecord.objects.filter(member__user=user).select_related(
        "course", "member__agency", "session"
    )
