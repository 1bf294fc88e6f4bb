"""ICS / ASIM role assignments on an incident: assign, hand over, relieve.

Rules:
- One current holder per role, except rescue task forces (several teams at once).
- A holder is a roster member of the incident's region (or of a region above it), or a
  free-text name with an agency (mutual aid, someone not on any roster). A member of another
  region is refused: assign them by name with their agency.
- Handing a held role to someone else names the assignment it replaces (`replaces`), so two
  dispatchers cannot overwrite each other's assignment without seeing it: that holder is
  relieved and the new one assigned in one transaction.
- The same person cannot hold the same role twice at once; one person may hold several roles.
- Each change goes on the timeline (`role.assigned`, `role.relieved`), public: the names of
  who holds which role are no patient details. Closed incidents are final.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from agencies.models import Agency, Member
from incidents import events
from incidents.clock import incident_clock
from incidents.models import Incident
from incidents.queries import region_chain
from incidents.services.common import Actor, lock_incident, require_not_closed
from readiness.events import ROLE_ASSIGNED, ROLE_RELIEVED
from readiness.models import MULTI_HOLDER_ROLES, IcsRole, RoleAssignment

MAX_NAME = 160
MAX_NOTE = 120


def _clock(at: datetime, incident: Incident) -> str:
    return incident_clock(at, incident)


def _holder(
    *,
    incident: Incident,
    member: Member | None,
    name: str,
    agency: Agency | None,
    agency_name: str,
) -> tuple[str, Agency | None, str]:
    """(name, agency, agency label) of the holder, or a ValidationError per field."""
    if member is not None:
        if name:
            raise ValidationError({"name": "Give a roster member or a name, not both."})
        if not member.active:
            raise ValidationError({"member": f"{member.full_name} is no longer on the roster."})
        if member.agency.region_id not in region_chain(incident):
            raise ValidationError(
                {
                    "member": f"{member.full_name} is on the roster of {member.agency.name} in "
                    f"{member.agency.region.name}, not of this incident's region: assign "
                    "them by name with their agency instead."
                }
            )
        return member.full_name, member.agency, member.agency.name
    name = (name or "").strip()
    agency_name = (agency_name or "").strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "Choose a roster member or give the holder's name."
    elif len(name) > MAX_NAME:
        errors["name"] = f"Keep the name to {MAX_NAME} characters."
    if agency is None and not agency_name:
        errors["agency_name"] = "Say which agency they are with."
    elif len(agency_name) > MAX_NAME:
        errors["agency_name"] = f"Keep the agency to {MAX_NAME} characters."
    if errors:
        raise ValidationError(errors)
    return name, agency, agency.name if agency is not None else agency_name


def _same_holder(assignment: RoleAssignment, member: Member | None, name: str, agency: str) -> bool:
    if member is not None or assignment.member_id is not None:
        return member is not None and assignment.member_id == member.pk
    return (assignment.name.casefold(), assignment.agency_name.casefold()) == (
        name.casefold(),
        agency.casefold(),
    )


def _label(assignment: RoleAssignment) -> str:
    return f"{assignment.name} ({assignment.agency_name})"


def _relieve(
    *, actor: Actor, incident: Incident, assignment: RoleAssignment, reason: str
) -> RoleAssignment:
    """Relieve a locked, current assignment and put it on the timeline."""
    assignment.relieved_at = timezone.now()
    assignment.relieved_by = actor if actor is not None and actor.is_authenticated else None
    assignment.relieved_reason = reason
    assignment.save(update_fields=["relieved_at", "relieved_by", "relieved_reason"])
    role = assignment.get_role_display()
    events.append_event(
        incident=incident,
        kind=ROLE_RELIEVED,
        actor=actor,
        summary=f"{role}: {_label(assignment)} relieved" + (f" ({reason})" if reason else ""),
        data={
            "assignment_id": assignment.pk,
            "role": assignment.role,
            "role_label": role,
            "name": assignment.name,
            "agency": assignment.agency_name,
            "reason": reason,
        },
        public=True,
    )
    return assignment


def role_assign(
    *,
    actor: Actor,
    incident: Incident,
    role: str,
    member: Member | None = None,
    name: str = "",
    agency: Agency | None = None,
    agency_name: str = "",
    note: str = "",
    replaces: RoleAssignment | None = None,
) -> RoleAssignment:
    """Assign `role` on `incident` to a roster `member`, or to `name` with `agency` (a
    directory agency) or `agency_name` (free text). When a one-holder role is held, pass the
    current assignment as `replaces` to hand it over; for rescue task forces `replaces` is
    optional (it relieves that team). Raises ValidationError per field."""
    if role not in IcsRole.values:
        raise ValidationError({"role": f"Unknown role {role!r}. Use: {', '.join(IcsRole.values)}."})
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise ValidationError({"note": f"Keep the note to {MAX_NOTE} characters."})
    holder, holder_agency, holder_agency_name = _holder(
        incident=incident, member=member, name=name, agency=agency, agency_name=agency_name
    )
    role_label = IcsRole(role).label
    with transaction.atomic():
        locked = lock_incident(incident)
        require_not_closed(locked, "change its roles")
        current = list(
            RoleAssignment.objects.select_for_update()
            .filter(incident=locked, role=role, relieved_at__isnull=True)
            .order_by("assigned_at", "id")
        )
        for held in current:
            if _same_holder(held, member, holder, holder_agency_name):
                since = _clock(held.assigned_at, locked)
                raise ValidationError(
                    {"role": f"{_label(held)} already holds {role_label} (since {since})."}
                )
        replaced: RoleAssignment | None = None
        if replaces is not None:
            replaced = next((held for held in current if held.pk == replaces.pk), None)
            if replaced is None:
                raise ValidationError(
                    {
                        "replaces": f"That {role_label} assignment is no longer current: "
                        "reload the roles and try again."
                    }
                )
        elif current and role not in MULTI_HOLDER_ROLES:
            held = current[0]
            raise ValidationError(
                {
                    "role": f"{role_label} is held by {_label(held)} since "
                    f"{_clock(held.assigned_at, locked)}. To hand it over, reassign it "
                    f"(replaces: {held.pk}), or relieve them first."
                }
            )
        if replaced is not None:
            _relieve(
                actor=actor,
                incident=locked,
                assignment=replaced,
                reason=f"handed over to {holder}",
            )
        assignment = RoleAssignment.objects.create(
            incident=locked,
            role=role,
            member=member,
            name=holder,
            agency=holder_agency,
            agency_name=holder_agency_name,
            note=note,
            assigned_at=timezone.now(),
            assigned_by=actor if actor is not None and actor.is_authenticated else None,
        )
        takes_over = f", takes over from {replaced.name}" if replaced is not None else ""
        events.append_event(
            incident=locked,
            kind=ROLE_ASSIGNED,
            actor=actor,
            summary=f"{role_label}: {_label(assignment)} assigned"
            + (f" — {note}" if note else "")
            + takes_over,
            data={
                "assignment_id": assignment.pk,
                "role": role,
                "role_label": role_label,
                "name": assignment.name,
                "agency": assignment.agency_name,
                "member_id": member.pk if member is not None else None,
                "note": note,
                "replaces_id": replaced.pk if replaced is not None else None,
            },
            public=True,
        )
        incident.last_seq = locked.last_seq
    return assignment


def role_relieve(*, actor: Actor, assignment: RoleAssignment, reason: str = "") -> RoleAssignment:
    """Relieve the holder of a role (`role.relieved` on the timeline). Raises ValidationError
    when they were already relieved or the incident is closed."""
    reason = (reason or "").strip()
    if len(reason) > 200:
        raise ValidationError({"reason": "Keep the reason to 200 characters."})
    with transaction.atomic():
        locked_incident = lock_incident(assignment.incident)
        require_not_closed(locked_incident, "change its roles")
        locked = RoleAssignment.objects.select_for_update().get(pk=assignment.pk)
        if locked.relieved_at is not None:
            raise ValidationError(
                f"{_label(locked)} was already relieved as {locked.get_role_display()} at "
                f"{_clock(locked.relieved_at, locked_incident)}."
            )
        _relieve(actor=actor, incident=locked_incident, assignment=locked, reason=reason)
        assignment.incident.last_seq = locked_incident.last_seq
    return locked
