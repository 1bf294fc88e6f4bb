"""Who may start communications drills and see their results and stale contact points.

- The region's emergency managers start drills and see every agency's results.
- An agency admin sees their agency's results and its stale contact points.
- Officials of the region read the results (the per-agency summary).
- Everyone else sees none of it.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet

from agencies.models import Role
from agencies.permissions import scope_for
from readiness.models import CommunicationsDrill

User = AbstractBaseUser | AnonymousUser
READERS = frozenset({Role.EMERGENCY_MANAGER, Role.OFFICIAL, Role.AGENCY_ADMIN})


def can_start_drills(user: User, region_id: int) -> bool:
    scope = scope_for(user)
    return scope.superuser or region_id in scope.regions_with({Role.EMERGENCY_MANAGER})


def agency_scope(user: User, region_id: int) -> set[int] | None:
    """The agencies whose results the user sees in the region: None for all of them."""
    scope = scope_for(user)
    if scope.superuser or region_id in scope.regions_with({Role.EMERGENCY_MANAGER, Role.OFFICIAL}):
        return None
    return scope.agencies_with({Role.AGENCY_ADMIN})


def drills_visible(user: User) -> QuerySet[CommunicationsDrill]:
    scope = scope_for(user)
    drills = CommunicationsDrill.objects.select_related("region", "started_by")
    if scope.superuser:
        return drills
    return drills.filter(region_id__in=scope.regions_with(READERS))
