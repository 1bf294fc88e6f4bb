"""Who may see and do what on an incident, in one place (built on agencies.permissions).

- Dispatchers, EMS and emergency managers of the incident's region (or a region above it)
  act on it: update, transitions, hospitals, patients. Situation updates are posted by
  emergency managers.
- Responders of the region read everything, change nothing.
- ER staff (role `hospital`) see only incidents that involve their hospital — it is on the
  incident, or a patient is destined to it — and only the patients headed to or arrived at
  it, and the timeline's public events plus those about their hospital. For their own
  hospital only they acknowledge, answer capacity, mark patients arrived and register walk-ins.
  A hospital taken off an incident keeps reading what it was paged for: the incident and its
  part of the timeline up to its stand-down (plus the stand-down's acknowledgement), and
  acts on nothing.
- Officials of the region see summaries, counts and the public timeline; never patient rows.
- Everyone else, other regions included, sees nothing: the API answers 404.

Querysets that follow these rules live in incidents/queries.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q

from agencies.models import Hospital, Role
from agencies.permissions import scope_for
from incidents.models import HospitalStandDown, Incident

User = AbstractBaseUser | AnonymousUser

ACT_ROLES = frozenset({Role.DISPATCHER, Role.EMS, Role.EMERGENCY_MANAGER})
READ_ROLES = ACT_ROLES | {Role.RESPONDER}
SUMMARY_ROLES = frozenset({Role.OFFICIAL})
HOSPITAL_ROLES = frozenset({Role.HOSPITAL})
UPDATE_AUTHORS = frozenset({Role.EMERGENCY_MANAGER})


class Level(IntEnum):
    NONE = 0
    SUMMARY = 1  # officials: incident, counts, public timeline
    HOSPITAL = 2  # ER staff of an involved hospital: their part of it
    READ = 3  # responders: everything, read-only
    ACT = 4  # dispatch, EMS, EM: everything


@dataclass(frozen=True)
class IncidentAccess:
    """What one user may do on one incident."""

    level: Level
    hospital_ids: frozenset[int] = field(default_factory=frozenset)  # own, involved hospitals
    can_post_updates: bool = False
    # Own hospitals taken off the incident: (hospital id, seq of its stand-down), read-only.
    read_until: tuple[tuple[int, int], ...] = ()

    @property
    def can_view(self) -> bool:
        return self.level > Level.NONE

    @property
    def can_act(self) -> bool:
        return self.level >= Level.ACT

    @property
    def sees_all_patients(self) -> bool:
        return self.level >= Level.READ

    @property
    def sees_patients(self) -> bool:
        return self.level >= Level.HOSPITAL

    @property
    def sees_all_events(self) -> bool:
        return self.level >= Level.READ

    def can_act_for_hospital(self, hospital_id: int) -> bool:
        """Acknowledge, answer capacity, mark arrived, register walk-ins for this hospital."""
        return self.can_act or hospital_id in self.hospital_ids


NO_ACCESS = IncidentAccess(level=Level.NONE)


def hospital_agency_ids(user: User) -> set[int]:
    """Hospital agencies whose ER staff the user is."""
    return scope_for(user).agencies_with(HOSPITAL_ROLES)


def incident_access(user: User, incident: Incident) -> IncidentAccess:
    """The user's access to `incident` (one query for ER staff, none otherwise once the
    user's scope is known)."""
    scope = scope_for(user)
    if scope.superuser:
        return IncidentAccess(level=Level.ACT, can_post_updates=True)
    region_roles = scope.roles_by_region.get(incident.region_id, frozenset())
    can_post = bool(region_roles & UPDATE_AUTHORS)
    if region_roles & ACT_ROLES:
        return IncidentAccess(level=Level.ACT, can_post_updates=can_post)
    if region_roles & READ_ROLES:
        return IncidentAccess(level=Level.READ)
    agencies = hospital_agency_ids(user)
    if agencies:
        involved = frozenset(
            Hospital.objects.filter(agency_id__in=agencies)
            .filter(Q(incidents__incident=incident) | Q(patients__incident=incident))
            .values_list("id", flat=True)
            .distinct()
        )
        if involved:
            return IncidentAccess(level=Level.HOSPITAL, hospital_ids=involved)
        removed = removed_hospitals(incident, agencies)
        if removed:
            return IncidentAccess(level=Level.HOSPITAL, read_until=removed)
    if region_roles & SUMMARY_ROLES:
        return IncidentAccess(level=Level.SUMMARY)
    return NO_ACCESS


def removed_hospitals(incident: Incident, agencies: set[int]) -> tuple[tuple[int, int], ...]:
    """(hospital id, seq of its latest removal) for the agencies' hospitals taken off
    `incident` (one query)."""
    latest: dict[int, int] = {}
    rows = HospitalStandDown.objects.filter(
        incident=incident,
        hospital__agency_id__in=agencies,
        reason=HospitalStandDown.Reason.REMOVED,
    ).values_list("hospital_id", "seq")
    for hospital_id, seq in rows:
        latest[hospital_id] = max(seq, latest.get(hospital_id, 0))
    return tuple(sorted(latest.items()))


def regions_where_user_declares(user: User) -> set[int] | None:
    """Regions in which the user may declare an incident (None: all, for a superuser)."""
    scope = scope_for(user)
    if scope.superuser:
        return None
    return scope.regions_with(ACT_ROLES)


def can_declare_in(user: User, region_id: int) -> bool:
    regions = regions_where_user_declares(user)
    return regions is None or region_id in regions
