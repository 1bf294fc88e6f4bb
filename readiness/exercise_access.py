"""Who may see and change exercises, after-action reports and corrective actions.

- The region's emergency managers own exercises and AARs: they see and change all of them.
- An agency admin sees the exercises their agency takes part in and the corrective actions
  their agency owns, and moves those actions along (in progress, closed with evidence).
- Officials read the region's issued AARs (the summary, not the drafts).
- Everyone else sees none of it.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet
from django.utils import timezone

from agencies.models import Role
from agencies.permissions import scope_for
from readiness.models import AfterActionReport, CorrectiveAction, Exercise

User = AbstractBaseUser | AnonymousUser
EXERCISE_OWNERS = frozenset({Role.EMERGENCY_MANAGER})


def owner_region_ids(user: User) -> set[int]:
    """Regions whose exercises and AARs the user keeps (superusers: see can_own)."""
    return scope_for(user).regions_with(EXERCISE_OWNERS)


def can_own(user: User, region_id: int) -> bool:
    scope = scope_for(user)
    return scope.superuser or region_id in owner_region_ids(user)


def plans_exercises(user: User) -> bool:
    """Emergency managers and agency admins: the exercise and corrective-action pages."""
    scope = scope_for(user)
    return scope.superuser or bool(
        owner_region_ids(user) or scope.agencies_with({Role.AGENCY_ADMIN})
    )


def exercises_visible(user: User) -> QuerySet[Exercise]:
    scope = scope_for(user)
    exercises = Exercise.objects.select_related("region")
    if scope.superuser:
        return exercises
    admin_of = scope.agencies_with({Role.AGENCY_ADMIN})
    return exercises.filter(
        Q(region_id__in=owner_region_ids(user)) | Q(agencies__in=admin_of)
    ).distinct()


def reports_visible(user: User) -> QuerySet[AfterActionReport]:
    scope = scope_for(user)
    reports = AfterActionReport.objects.select_related("region", "exercise", "incident")
    if scope.superuser:
        return reports
    return reports.filter(
        Q(region_id__in=owner_region_ids(user))
        | Q(
            region_id__in=scope.regions_with({Role.OFFICIAL}),
            status=AfterActionReport.Status.ISSUED,
        )
    )


def actions_visible(user: User) -> QuerySet[CorrectiveAction]:
    scope = scope_for(user)
    actions = CorrectiveAction.objects.select_related("report", "agency", "contact")
    if scope.superuser:
        return actions
    return actions.filter(
        Q(report__region_id__in=owner_region_ids(user))
        | Q(agency_id__in=scope.agencies_with({Role.AGENCY_ADMIN}))
    )


def can_update_action(user: User, action: CorrectiveAction) -> bool:
    """Region EMs change any field; the owning agency's admins move its status along."""
    scope = scope_for(user)
    return (
        scope.superuser
        or action.report.region_id in owner_region_ids(user)
        or action.agency_id in scope.agencies_with({Role.AGENCY_ADMIN})
    )


def overdue(actions: QuerySet[CorrectiveAction]) -> QuerySet[CorrectiveAction]:
    """Actions past their due date and not closed."""
    return actions.filter(due_on__lt=timezone.localdate()).exclude(
        status=CorrectiveAction.Status.CLOSED
    )
