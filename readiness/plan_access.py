"""Who may see and change the regional plan's documents and agencies' alignment to it:

- The region's emergency managers manage its plan documents, set any of its agencies'
  alignment and see all of it.
- Agency admins read their region's plan and set their own agency's alignment.
- Officials read the region's plan.
- Superusers may do everything.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from agencies.models import Agency, Role
from agencies.permissions import scope_for

User = AbstractBaseUser | AnonymousUser
MANAGERS = frozenset({Role.EMERGENCY_MANAGER})
READERS = frozenset({Role.EMERGENCY_MANAGER, Role.AGENCY_ADMIN, Role.OFFICIAL})


def readable_regions(user: User) -> set[int] | None:
    """Regions whose plan the user reads; None means every region (superuser)."""
    scope = scope_for(user)
    return None if scope.superuser else scope.regions_with(READERS)


def can_read(user: User, region_id: int) -> bool:
    regions = readable_regions(user)
    return regions is None or region_id in regions


def can_manage(user: User, region_id: int) -> bool:
    scope = scope_for(user)
    return scope.superuser or region_id in scope.regions_with(MANAGERS)


def can_align(user: User, agency: Agency) -> bool:
    """The region's EMs set any agency's alignment; an agency admin sets their own."""
    scope = scope_for(user)
    return can_manage(user, agency.region_id) or agency.pk in scope.agencies_with(
        {Role.AGENCY_ADMIN}
    )
