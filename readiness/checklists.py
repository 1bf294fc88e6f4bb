"""The shared ASIM checklist and ICS roles: vocabulary, rules, and reads.

- **Vocabulary.** The disciplines an item concerns (ChecklistDiscipline) and the ICS / ASIM
  roles (IcsRole, with how they nest for an org chart: ROLE_CHART).
- **Rules** (who may do what, in one place, on top of incidents/permissions.py):
  - Everyone who may see an incident (officials included) reads its checklist and roles.
  - Checking an item: dispatchers and emergency managers of the incident's region check any
    item (they run the board); other readers (EMS, responders) check the items tagged with
    the discipline of their agency, and multi-discipline items; ER staff of a hospital on the
    incident check hospital items; officials check nothing.
  - Assigning and relieving roles: whoever acts on the incident (dispatch, EMS, EM).
  - A region's checklist versions are read by everyone of that region, of the regions below
    it (a county may follow the state plan) and above it; its emergency managers (and those
    of the regions above) create, edit, adopt, import and export versions.
- **Reads**: the incident's checklist with progress per phase, the org chart, templates.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Prefetch, QuerySet

from agencies.models import Discipline, Membership, Role
from agencies.permissions import scope_for
from agencies.queries import person_label
from incidents.models import Incident
from incidents.permissions import READ_ROLES, IncidentAccess, Level
from readiness.models import (
    MULTI_HOLDER_ROLES,
    ChecklistDiscipline,
    ChecklistItem,
    ChecklistPhase,
    ChecklistTemplate,
    IcsRole,
    IncidentChecklist,
    IncidentChecklistItem,
    RoleAssignment,
)

User = AbstractBaseUser | AnonymousUser

# An agency's discipline → the checklist discipline its people work.
AGENCY_DISCIPLINE: dict[str, str] = {
    Discipline.LAW: ChecklistDiscipline.LAW,
    Discipline.FIRE: ChecklistDiscipline.FIRE_EMS,
    Discipline.EMS: ChecklistDiscipline.FIRE_EMS,
    Discipline.DISPATCH: ChecklistDiscipline.DISPATCH,
    Discipline.EM: ChecklistDiscipline.EM,
    Discipline.HOSPITAL: ChecklistDiscipline.HOSPITAL,
}
CHECK_ANY_ROLES = frozenset({Role.DISPATCHER, Role.EMERGENCY_MANAGER})
TEMPLATE_KEEPERS = frozenset({Role.EMERGENCY_MANAGER})


# --- the ICS / ASIM role chart -----------------------------------------------------------------


@dataclass(frozen=True)
class RoleSpec:
    """Where a role sits on the org chart."""

    role: str
    group: str
    reports_to: str | None

    @property
    def label(self) -> str:
        return IcsRole(self.role).label

    @property
    def multiple(self) -> bool:
        return self.role in MULTI_HOLDER_ROLES


ROLE_GROUPS: dict[str, str] = {
    "command": "Command",
    "law": "Law enforcement branch",
    "fire_ems": "Fire / EMS branch",
    "medical": "Medical branch",
    "support": "Command staff and support",
}

R = IcsRole
ROLE_CHART: tuple[RoleSpec, ...] = (
    RoleSpec(R.UNIFIED_COMMAND, "command", None),
    RoleSpec(R.LAW_COMMAND, "law", R.UNIFIED_COMMAND),
    RoleSpec(R.FIRE_EMS_COMMAND, "fire_ems", R.UNIFIED_COMMAND),
    RoleSpec(R.STAGING, "command", R.UNIFIED_COMMAND),
    RoleSpec(R.RESCUE_TASK_FORCE, "fire_ems", R.FIRE_EMS_COMMAND),
    RoleSpec(R.CASUALTY_COLLECTION_POINT, "fire_ems", R.FIRE_EMS_COMMAND),
    RoleSpec(R.TRIAGE, "medical", R.FIRE_EMS_COMMAND),
    RoleSpec(R.TREATMENT, "medical", R.FIRE_EMS_COMMAND),
    RoleSpec(R.TRANSPORT, "medical", R.FIRE_EMS_COMMAND),
    RoleSpec(R.HOSPITAL_LIAISON, "medical", R.TRANSPORT),
    RoleSpec(R.PIO, "support", R.UNIFIED_COMMAND),
    RoleSpec(R.REUNIFICATION, "support", R.UNIFIED_COMMAND),
    RoleSpec(R.EM_LIAISON, "support", R.UNIFIED_COMMAND),
)
ROLE_SPECS: dict[str, RoleSpec] = {spec.role: spec for spec in ROLE_CHART}


# --- rules -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckPowers:
    """Which checklist items one user may check on one incident."""

    everything: bool = False
    disciplines: frozenset[str] = field(default_factory=frozenset)

    def can_check(self, disciplines: Iterable[str]) -> bool:
        return self.everything or bool(self.disciplines.intersection(disciplines))

    @property
    def any(self) -> bool:
        return self.everything or bool(self.disciplines)


def _region_and_ancestors(region_id: int, parent_of: dict[int, int | None]) -> set[int]:
    chain: set[int] = set()
    current: int | None = region_id
    while current is not None and current not in chain:
        chain.add(current)
        current = parent_of.get(current)
    return chain


def check_powers(user: User, incident: Incident, access: IncidentAccess) -> CheckPowers:
    """What `user` (with `access` to `incident`) may check (one query for responders)."""
    if access.level <= Level.SUMMARY:
        return CheckPowers()
    scope = scope_for(user)
    if scope.superuser:
        return CheckPowers(everything=True)
    if access.level == Level.HOSPITAL:
        return CheckPowers(disciplines=frozenset({ChecklistDiscipline.HOSPITAL}))
    if scope.roles_by_region.get(incident.region_id, frozenset()) & CHECK_ANY_ROLES:
        return CheckPowers(everything=True)
    # Roles held in a region reach the regions below it, so look up the incident's chain.
    chain = _region_and_ancestors(incident.region_id, scope.parent_of)
    rows = Membership.objects.filter(
        user=user, agency__active=True, agency__region_id__in=chain
    ).values_list("agency__discipline", "roles")
    disciplines = {
        AGENCY_DISCIPLINE[discipline]
        for discipline, roles in rows
        if discipline in AGENCY_DISCIPLINE and set(roles) & READ_ROLES
    }
    return CheckPowers(disciplines=frozenset({*disciplines, ChecklistDiscipline.MULTI}))


def can_assign_roles(access: IncidentAccess) -> bool:
    return access.can_act


def template_region_ids(user: User) -> set[int] | None:
    """Regions whose checklist versions the user reads (None: all, for a superuser)."""
    scope = scope_for(user)
    if scope.superuser:
        return None
    return scope.regions_with_ancestors(Role.values)


def can_keep_templates(user: User, region_id: int) -> bool:
    """Create, edit, adopt, import and export the region's checklist versions."""
    scope = scope_for(user)
    return scope.superuser or region_id in scope.regions_with(TEMPLATE_KEEPERS)


# --- template reads ----------------------------------------------------------------------------


def templates_visible(user: User) -> QuerySet[ChecklistTemplate]:
    templates = ChecklistTemplate.objects.select_related(
        "region", "created_by", "adopted_by", "based_on"
    )
    regions = template_region_ids(user)
    return templates if regions is None else templates.filter(region_id__in=regions)


def with_content(templates: QuerySet[ChecklistTemplate]) -> QuerySet[ChecklistTemplate]:
    """Prefetch phases and their items in order (three queries for any number of versions)."""
    return templates.prefetch_related(
        Prefetch(
            "phases",
            queryset=ChecklistPhase.objects.order_by("position").prefetch_related(
                Prefetch("items", queryset=ChecklistItem.objects.order_by("position"))
            ),
        )
    )


def adopted_template_for(incident: Incident) -> ChecklistTemplate | None:
    """The plan an incident of this region starts with: its region's adopted version, or —
    when the region has none — the nearest region above it that has one."""
    region = incident.region
    seen: set[int] = set()
    while region is not None and region.pk not in seen:
        seen.add(region.pk)
        adopted = with_content(
            ChecklistTemplate.objects.filter(region=region, status=ChecklistTemplate.Status.ADOPTED)
        ).first()
        if adopted is not None:
            return adopted
        region = region.parent
    return None


# --- the incident's checklist ------------------------------------------------------------------


@dataclass
class PhaseProgress:
    """Done / total for one phase, with the first and last check among the done items."""

    position: int
    title: str
    done: int = 0
    total: int = 0
    first_checked_at: datetime | None = None
    last_checked_at: datetime | None = None

    @property
    def complete(self) -> bool:
        return self.total > 0 and self.done == self.total

    def as_dict(self) -> dict[str, Any]:
        return {
            "position": self.position,
            "title": self.title,
            "done": self.done,
            "total": self.total,
            "complete": self.complete,
            "percent": round(100 * self.done / self.total) if self.total else 0,
            "first_checked_at": self.first_checked_at,
            "last_checked_at": self.last_checked_at,
        }


def phase_progress(items: Iterable[IncidentChecklistItem]) -> list[PhaseProgress]:
    """Progress per phase, in phase order, from the checklist's items."""
    phases: dict[int, PhaseProgress] = {}
    for item in sorted(items, key=lambda i: (i.phase_position, i.position)):
        phase = phases.setdefault(
            item.phase_position, PhaseProgress(item.phase_position, item.phase_title)
        )
        phase.total += 1
        if item.done and item.checked_at is not None:
            phase.done += 1
            if phase.first_checked_at is None or item.checked_at < phase.first_checked_at:
                phase.first_checked_at = item.checked_at
            if phase.last_checked_at is None or item.checked_at > phase.last_checked_at:
                phase.last_checked_at = item.checked_at
    return list(phases.values())


def incident_checklist(incident: Incident) -> IncidentChecklist | None:
    return (
        IncidentChecklist.objects.filter(incident=incident)
        .select_related("template__region")
        .first()
    )


def checklist_items(checklist: IncidentChecklist) -> QuerySet[IncidentChecklistItem]:
    return IncidentChecklistItem.objects.filter(checklist=checklist).order_by(
        "phase_position", "position"
    )


@dataclass(frozen=True)
class ItemFilter:
    """?discipline= (any of), ?role= (owner role, any of; "none" for unowned), ?done=."""

    disciplines: frozenset[str] = frozenset()
    roles: frozenset[str] = frozenset()
    done: bool | None = None
    checkable: bool = False

    def keeps(self, item: IncidentChecklistItem, powers: CheckPowers) -> bool:
        if self.disciplines and not self.disciplines.intersection(item.disciplines):
            return False
        if self.roles and (item.owner_role or "none") not in self.roles:
            return False
        if self.done is not None and item.done != self.done:
            return False
        return not self.checkable or powers.can_check(item.disciplines)


def item_entry(item: IncidentChecklistItem, powers: CheckPowers) -> dict[str, Any]:
    return {
        "id": item.pk,
        "phase_position": item.phase_position,
        "position": item.position,
        "text": item.text,
        "disciplines": list(item.disciplines),
        "owner_role": item.owner_role,
        "owner_role_label": IcsRole(item.owner_role).label if item.owner_role else "",
        "done": item.done,
        "checked_at": item.checked_at if item.done else None,
        "checked_by": item.checked_by_label if item.done else "",
        "changed_at": item.changed_at,
        "changed_by": item.changed_by_label,
        "can_check": powers.can_check(item.disciplines),
    }


def checklist_overview(
    incident: Incident, powers: CheckPowers, item_filter: ItemFilter | None = None
) -> dict[str, Any]:
    """The incident's checklist as every board shows it: the version it started with, each
    phase with its progress (over all its items) and its items (those the filter keeps), and
    the overall progress. Two queries."""
    checklist = incident_checklist(incident)
    if checklist is None:
        return {
            "incident": incident.pk,
            "checklist": None,
            "template": None,
            "progress": {"done": 0, "total": 0, "percent": 0},
            "phases": [],
            "can_check": False,
        }
    item_filter = item_filter or ItemFilter()
    items = list(checklist_items(checklist))
    progress = phase_progress(items)
    phases = []
    for phase in progress:
        phase_items = [
            item_entry(item, powers)
            for item in items
            if item.phase_position == phase.position and item_filter.keeps(item, powers)
        ]
        phases.append({**phase.as_dict(), "items": phase_items})
    done = sum(p.done for p in progress)
    total = sum(p.total for p in progress)
    template = checklist.template
    return {
        "incident": incident.pk,
        "checklist": checklist.pk,
        "template": {
            "id": template.pk,
            "name": template.name,
            "version": template.version,
            "region": template.region.name,
            "status": template.status,
        },
        "started_at": checklist.started_at,
        "progress": {
            "done": done,
            "total": total,
            "percent": round(100 * done / total) if total else 0,
        },
        "phases": phases,
        "can_check": powers.any,
    }


# --- roles -------------------------------------------------------------------------------------


def role_assignments(incident: Incident) -> QuerySet[RoleAssignment]:
    return RoleAssignment.objects.filter(incident=incident).select_related(
        "member", "agency", "assigned_by", "relieved_by"
    )


def _user_label(user: Any) -> str:
    return person_label(user)


def assignment_entry(assignment: RoleAssignment) -> dict[str, Any]:
    return {
        "id": assignment.pk,
        "role": assignment.role,
        "role_label": assignment.get_role_display(),
        "name": assignment.name,
        "agency": assignment.agency_name,
        "agency_id": assignment.agency_id,
        "member_id": assignment.member_id,
        "note": assignment.note,
        "current": assignment.current,
        "assigned_at": assignment.assigned_at,
        "assigned_by": _user_label(assignment.assigned_by),
        "relieved_at": assignment.relieved_at,
        "relieved_by": _user_label(assignment.relieved_by),
        "relieved_reason": assignment.relieved_reason,
    }


def org_chart(incident: Incident, assignments: Sequence[RoleAssignment] | None = None) -> dict:
    """Who holds what, since when: every role in chart order with its current holders and
    where it reports, the groups, and the history of relieved holders (one query)."""
    if assignments is None:
        assignments = list(role_assignments(incident))
    current: dict[str, list[dict[str, Any]]] = {spec.role: [] for spec in ROLE_CHART}
    history = []
    for assignment in assignments:
        if assignment.current:
            current[assignment.role].append(assignment_entry(assignment))
        else:
            history.append(assignment_entry(assignment))
    return {
        "incident": incident.pk,
        "groups": [{"key": key, "label": label} for key, label in ROLE_GROUPS.items()],
        "roles": [
            {
                "role": spec.role,
                "label": spec.label,
                "group": spec.group,
                "reports_to": spec.reports_to,
                "multiple": spec.multiple,
                "holders": current[spec.role],
            }
            for spec in ROLE_CHART
        ],
        "history": sorted(history, key=lambda e: (e["relieved_at"], e["id"])),
    }
