"""Reads, already scoped to what the user may see (rules in agencies/permissions.py)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet

from agencies.models import (
    Agency,
    AuditEntry,
    ContactPoint,
    DistributionList,
    Hospital,
    Member,
    Membership,
    Region,
    Role,
)
from agencies.permissions import (
    LIST_KEEPERS,
    LIST_READERS,
    ROSTER_READERS_REGIONWIDE,
    scope_for,
)

User = AbstractBaseUser | AnonymousUser


def regions_visible(user: User) -> QuerySet[Region]:
    scope = scope_for(user)
    regions = Region.objects.all()
    return regions if scope.superuser else regions.filter(id__in=scope.region_ids)


def agencies_visible(user: User) -> QuerySet[Agency]:
    scope = scope_for(user)
    agencies = Agency.objects.select_related("region")
    return agencies if scope.superuser else agencies.filter(region_id__in=scope.region_ids)


def hospitals_visible(user: User) -> QuerySet[Hospital]:
    scope = scope_for(user)
    hospitals = Hospital.objects.select_related("agency", "agency__region")
    if scope.superuser:
        return hospitals
    return hospitals.filter(agency__region_id__in=scope.region_ids)


def _roster_filter(user: User, prefix: str) -> Q | None:
    """Q over rosters the user may read, with `prefix` leading to the Agency (None: all)."""
    scope = scope_for(user)
    if scope.superuser:
        return None
    return Q(**{f"{prefix}id__in": scope.agencies_with({Role.AGENCY_ADMIN})}) | Q(
        **{f"{prefix}region_id__in": scope.regions_with(ROSTER_READERS_REGIONWIDE)}
    )


def rosters_visible(user: User) -> QuerySet[Agency]:
    """Agencies whose roster the user may read."""
    allowed = _roster_filter(user, prefix="")
    agencies = Agency.objects.select_related("region")
    return agencies if allowed is None else agencies.filter(allowed)


def rosters_manageable(user: User) -> QuerySet[Agency]:
    """Agencies whose roster the user may change: an agency admin's own agencies."""
    scope = scope_for(user)
    agencies = Agency.objects.select_related("region")
    if scope.superuser:
        return agencies
    return agencies.filter(id__in=scope.agencies_with({Role.AGENCY_ADMIN}))


def members_visible(user: User) -> QuerySet[Member]:
    allowed = _roster_filter(user, prefix="agency__")
    members = Member.objects.select_related("agency", "agency__region")
    return members if allowed is None else members.filter(allowed)


def members_manageable(user: User) -> QuerySet[Member]:
    return Member.objects.select_related("agency").filter(agency__in=rosters_manageable(user))


def contact_points_visible(user: User) -> QuerySet[ContactPoint]:
    allowed = _roster_filter(user, prefix="member__agency__")
    points = ContactPoint.objects.select_related("member", "member__agency")
    return points if allowed is None else points.filter(allowed)


def contact_points_manageable(user: User) -> QuerySet[ContactPoint]:
    return ContactPoint.objects.select_related("member", "member__agency").filter(
        member__agency__in=rosters_manageable(user)
    )


def distribution_lists_visible(user: User) -> QuerySet[DistributionList]:
    scope = scope_for(user)
    lists = DistributionList.objects.select_related("region")
    if scope.superuser:
        return lists
    return lists.filter(region_id__in=scope.regions_with_ancestors(LIST_READERS))


def distribution_lists_manageable(user: User) -> QuerySet[DistributionList]:
    scope = scope_for(user)
    lists = DistributionList.objects.select_related("region")
    if scope.superuser:
        return lists
    return lists.filter(region_id__in=scope.regions_with(LIST_KEEPERS))


def audit_entries_visible(user: User) -> QuerySet[AuditEntry]:
    """An agency admin sees their agency's record; an emergency manager their regions'."""
    scope = scope_for(user)
    entries = AuditEntry.objects.select_related("actor", "agency", "region")
    if scope.superuser:
        return entries
    return entries.filter(
        Q(agency_id__in=scope.agencies_with({Role.AGENCY_ADMIN}))
        | Q(region_id__in=scope.regions_with({Role.EMERGENCY_MANAGER}))
    )


def members_with_role(members: QuerySet[Member], role: str) -> QuerySet[Member]:
    """Members holding a RosterRole. Matches the quoted value inside the JSON list so the
    same query runs on PostgreSQL and SQLite (SQLite has no JSON containment lookup)."""
    return members.filter(roles__icontains=f'"{role}"')


def distribution_list_members(dlist: DistributionList) -> QuerySet[Member]:
    """Everyone a list reaches: its members, the members of its agencies and of its
    disciplines' agencies in the region; active members only."""
    return (
        Member.objects.filter(active=True, agency__active=True)
        .filter(
            Q(distribution_lists=dlist)
            | Q(agency__distribution_lists=dlist)
            | Q(agency__region_id=dlist.region_id, agency__discipline__in=dlist.disciplines)
        )
        .distinct()
    )


def sees_every_recipient(user: User, dlist: DistributionList) -> bool:
    """Dispatchers and emergency managers of the list's region read every roster there."""
    scope = scope_for(user)
    return scope.superuser or dlist.region_id in scope.regions_with(ROSTER_READERS_REGIONWIDE)


def distribution_list_people_visible(
    user: User, dlist: DistributionList, members: QuerySet[Member]
) -> QuerySet[Member]:
    """`members` of a list (its recipients, or the people picked for it) narrowed to those
    the user may know about: everyone for the region's dispatchers and emergency managers,
    otherwise only members whose roster the user reads (an agency admin: their own agency's).
    Anyone may read a list's name and size; its people follow the roster rule."""
    if sees_every_recipient(user, dlist):
        return members
    return members.filter(pk__in=members_visible(user).values("id"))


# --- people -----------------------------------------------------------------------------------


def _person_label(user: AbstractBaseUser, agencies: list[str]) -> str:
    name = user.get_full_name() if hasattr(user, "get_full_name") else ""  # type: ignore[attr-defined]
    name = (name or "").strip() or user.get_username()
    return f"{name} ({' / '.join(agencies)})" if agencies else name


def person_labels(users: Iterable[User | None]) -> dict[int, str]:
    """THE way a person with a login is shown, everywhere (timeline, events, record, boards):
    "Grace Okafor (A1 Hospital)" — the login's full name (its login name only when it has
    none) and its agency (several: "A EMS / A Police"; none: the name alone). Keyed by user
    id; one query for any number of users."""
    found = {u.pk: u for u in users if u is not None and u.is_authenticated}
    agencies: dict[int, list[str]] = defaultdict(list)
    if found:
        rows = (
            Membership.objects.filter(user_id__in=found)
            .order_by("agency__name")
            .values_list("user_id", "agency__name")
        )
        for user_id, agency in rows:
            agencies[user_id].append(agency)
    return {pk: _person_label(user, agencies.get(pk, [])) for pk, user in found.items()}  # type: ignore[arg-type]


def person_label(user: User | None) -> str:
    """One person as `person_labels` shows them ("" for nobody), remembered on the user
    object (one query per request and person)."""
    if user is None or not user.is_authenticated:
        return ""
    cached = getattr(user, "_asim_person_label", None)
    if cached is None:
        cached = person_labels([user]).get(user.pk, "")
        user._asim_person_label = cached  # type: ignore[union-attr]
    return cached
