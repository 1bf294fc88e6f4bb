"""The permission rules, in one place.

What a user may see and change follows from their memberships:

- Everyone sees the directory (regions, agencies, hospitals) of the regions they belong to,
  and of the regions below those (a state EM office sees its counties). Nobody sees another
  region.
- Rosters (members, contact points): an agency admin reads and manages their own agency's
  roster, and only that; dispatchers and emergency managers read every roster of their
  regions (they reach people during an incident) but change none.
- Distribution lists: dispatchers, emergency managers and agency admins of the region read
  them, and the lists of the regions above it (a county EM addresses "State officials");
  emergency managers keep their own regions' lists.
- A hospital's ED status and capacity: its own ER staff and agency admins, and the region's
  emergency managers, may update them.
- Superusers (platform operators) may do everything.

Querysets built on these rules live in agencies/queries.py; views never filter ad hoc.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from agencies.models import Agency, Hospital, Membership, Region, Role

ROSTER_READERS_REGIONWIDE = frozenset({Role.DISPATCHER, Role.EMERGENCY_MANAGER})
LIST_READERS = frozenset({Role.DISPATCHER, Role.EMERGENCY_MANAGER, Role.AGENCY_ADMIN})
LIST_KEEPERS = frozenset({Role.EMERGENCY_MANAGER})
HOSPITAL_STATUS_OWN = frozenset({Role.HOSPITAL, Role.AGENCY_ADMIN})
HOSPITAL_STATUS_REGIONWIDE = frozenset({Role.EMERGENCY_MANAGER})


@dataclass(frozen=True)
class Scope:
    """A user's memberships, resolved once: roles per agency and per region (with subregions)."""

    superuser: bool = False
    roles_by_agency: dict[int, frozenset[str]] = field(default_factory=dict)
    roles_by_region: dict[int, frozenset[str]] = field(default_factory=dict)
    parent_of: dict[int, int | None] = field(default_factory=dict)

    @property
    def region_ids(self) -> frozenset[int]:
        return frozenset(self.roles_by_region)

    @property
    def roles(self) -> frozenset[str]:
        return frozenset().union(*self.roles_by_agency.values())

    def agencies_with(self, roles: Iterable[str]) -> set[int]:
        wanted = set(roles)
        return {agency for agency, held in self.roles_by_agency.items() if held & wanted}

    def regions_with(self, roles: Iterable[str]) -> set[int]:
        wanted = set(roles)
        return {region for region, held in self.roles_by_region.items() if held & wanted}

    def regions_with_ancestors(self, roles: Iterable[str]) -> set[int]:
        """Regions where the user holds one of `roles`, and every region above them."""
        found: set[int] = set()
        for region in self.regions_with(roles):
            current: int | None = region
            while current is not None and current not in found:
                found.add(current)
                current = self.parent_of.get(current)
        return found

    def has_role(self, role: str) -> bool:
        return self.superuser or role in self.roles


def scope_for(user: AbstractBaseUser | AnonymousUser) -> Scope:
    """The user's Scope, computed once per user object (so once per request)."""
    if not user.is_authenticated or not user.is_active:
        return Scope()
    cached = getattr(user, "_asim_scope", None)
    if cached is None:
        cached = _build_scope(user)
        user._asim_scope = cached  # type: ignore[attr-defined]
    return cached


def _build_scope(user: AbstractBaseUser) -> Scope:
    rows = Membership.objects.filter(user=user, agency__active=True).values_list(
        "agency_id", "agency__region_id", "roles"
    )
    roles_by_agency: dict[int, frozenset[str]] = {}
    direct: dict[int, set[str]] = {}
    for agency_id, region_id, roles in rows:
        roles_by_agency[agency_id] = frozenset(roles)
        direct.setdefault(region_id, set()).update(roles)
    roles_by_region: dict[int, frozenset[str]] = {}
    parent_of: dict[int, int | None] = {}
    if direct:
        children: dict[int | None, list[int]] = {}
        for region_id, parent_id in Region.objects.values_list("id", "parent_id"):
            children.setdefault(parent_id, []).append(region_id)
            parent_of[region_id] = parent_id
        for region_id, roles in direct.items():
            stack = [region_id]
            while stack:  # roles held in a region reach down into its subregions
                current = stack.pop()
                roles_by_region[current] = roles_by_region.get(current, frozenset()) | roles
                stack.extend(children.get(current, []))
    return Scope(
        superuser=bool(getattr(user, "is_superuser", False)),
        roles_by_agency=roles_by_agency,
        roles_by_region=roles_by_region,
        parent_of=parent_of,
    )


# --- object-level rules (querysets in agencies/queries.py follow the same rules) --------------


def can_see_region(user: AbstractBaseUser | AnonymousUser, region_id: int) -> bool:
    scope = scope_for(user)
    return scope.superuser or region_id in scope.region_ids


def can_read_roster(user: AbstractBaseUser | AnonymousUser, agency: Agency) -> bool:
    scope = scope_for(user)
    return (
        scope.superuser
        or agency.id in scope.agencies_with({Role.AGENCY_ADMIN})
        or agency.region_id in scope.regions_with(ROSTER_READERS_REGIONWIDE)
    )


def can_manage_roster(user: AbstractBaseUser | AnonymousUser, agency: Agency) -> bool:
    scope = scope_for(user)
    return scope.superuser or agency.id in scope.agencies_with({Role.AGENCY_ADMIN})


def can_keep_lists(user: AbstractBaseUser | AnonymousUser, region_id: int) -> bool:
    scope = scope_for(user)
    return scope.superuser or region_id in scope.regions_with(LIST_KEEPERS)


def can_update_hospital(user: AbstractBaseUser | AnonymousUser, hospital: Hospital) -> bool:
    scope = scope_for(user)
    return (
        scope.superuser
        or hospital.agency_id in scope.agencies_with(HOSPITAL_STATUS_OWN)
        or hospital.agency.region_id in scope.regions_with(HOSPITAL_STATUS_REGIONWIDE)
    )
