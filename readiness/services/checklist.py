"""The regional checklist's versions, and the checklist an incident works.

Versions: a region has at most one draft and at most one adopted version at a time; only a
draft changes. `checklist_adopt` makes a draft the region's plan and retires the version it
replaces; retired versions stay readable, and incidents keep pointing at the version they
started with (their items are copied, so the record reads the same forever). Version changes
are written to the audit log (agencies.AuditEntry).

Incidents: `incident_checklist_start` copies the plan in force onto a new incident (the
declaration calls it); `checklist_item_check` / `checklist_item_uncheck` record who and when
and append `checklist.checked` / `checklist.unchecked` to the timeline, which the boards show
live. Closed incidents are final.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from agencies.models import AuditEntry, Region
from agencies.services import audit_record
from incidents import events
from incidents.clock import incident_clock
from incidents.models import Incident
from incidents.services.common import Actor, lock_incident, require_not_closed
from readiness.checklists import adopted_template_for, with_content
from readiness.events import CHECKLIST_CHECKED, CHECKLIST_STARTED, CHECKLIST_UNCHECKED
from readiness.models import (
    ChecklistItem,
    ChecklistPhase,
    ChecklistTemplate,
    IncidentChecklist,
    IncidentChecklistItem,
)
from readiness.services.plan import alignments_need_review
from readiness.template_json import ItemContent, PhaseContent, TemplateContent, parse_content

Status = ChecklistTemplate.Status


def _user(actor: Actor) -> Any:
    return actor if actor is not None and actor.is_authenticated else None


def _clock(at: Any, incident: Incident) -> str:
    return incident_clock(at, incident) or "?"


# --- versions ----------------------------------------------------------------------------------


def _lock_region(region: Region) -> None:
    """Serialise version changes of one region (numbering, one draft, one adopted)."""
    Region.objects.select_for_update().filter(pk=region.pk).first()


def _region_chain(region: Region) -> set[int]:
    chain: set[int] = set()
    current: Region | None = region
    while current is not None and current.pk not in chain:
        chain.add(current.pk)
        current = current.parent
    return chain


def _write_phases(template: ChecklistTemplate, phases: tuple[PhaseContent, ...]) -> None:
    """Replace the template's phases and items with `phases` (in order)."""
    template.phases.all().delete()
    created = ChecklistPhase.objects.bulk_create(
        ChecklistPhase(template=template, position=p, title=phase.title)
        for p, phase in enumerate(phases, start=1)
    )
    ChecklistItem.objects.bulk_create(
        ChecklistItem(
            phase=row,
            position=i,
            text=item.text,
            disciplines=list(item.disciplines),
            owner_role=item.owner_role,
        )
        for row, phase in zip(created, phases, strict=True)
        for i, item in enumerate(phase.items, start=1)
    )


def _content_of(template: ChecklistTemplate) -> tuple[PhaseContent, ...]:
    return tuple(
        PhaseContent(
            title=phase.title,
            items=tuple(
                ItemContent(
                    text=item.text,
                    disciplines=tuple(item.disciplines),
                    owner_role=item.owner_role,
                )
                for item in phase.items.all()
            ),
        )
        for phase in with_content(ChecklistTemplate.objects.filter(pk=template.pk))
        .get()
        .phases.all()
    )


def _new_draft(
    *,
    actor: Actor,
    region: Region,
    name: str,
    description: str,
    phases: tuple[PhaseContent, ...],
    based_on: ChecklistTemplate | None,
) -> ChecklistTemplate:
    """Create the region's next version as a draft (call with the region locked)."""
    draft = ChecklistTemplate.objects.filter(region=region, status=Status.DRAFT).first()
    if draft is not None:
        raise ValidationError(
            f"{region.name} already has a draft (version {draft.version}, {draft.name}): "
            "edit or discard it first."
        )
    last = ChecklistTemplate.objects.filter(region=region).aggregate(n=Max("version"))["n"]
    now = timezone.now()
    template = ChecklistTemplate.objects.create(
        region=region,
        version=(last or 0) + 1,
        name=name,
        description=description,
        status=Status.DRAFT,
        based_on=based_on,
        created_by=_user(actor),
        created_at=now,
        updated_at=now,
    )
    _write_phases(template, phases)
    return template


def checklist_draft_create(
    *,
    actor: Actor,
    region: Region,
    based_on: ChecklistTemplate | None = None,
    name: str = "",
) -> ChecklistTemplate:
    """A new draft version for `region`: a copy of `based_on` (a version of this region or of
    a region above it), by default of the region's adopted version; an empty draft called
    `name` when the region has adopted nothing yet. One draft per region at a time."""
    name = (name or "").strip()
    if len(name) > 160:
        raise ValidationError({"name": "Keep the name to 160 characters."})
    with transaction.atomic():
        _lock_region(region)
        if based_on is None:
            based_on = ChecklistTemplate.objects.filter(
                region=region, status=Status.ADOPTED
            ).first()
        if based_on is not None and based_on.region_id not in _region_chain(region):
            raise ValidationError(
                {"based_on": "Start from a version of this region or of a region above it."}
            )
        if based_on is None and not name:
            raise ValidationError(
                {"name": f"{region.name} has no adopted checklist to copy: name the new one."}
            )
        template = _new_draft(
            actor=actor,
            region=region,
            name=name or based_on.name,  # type: ignore[union-attr]
            description=based_on.description if based_on else "",
            phases=_content_of(based_on) if based_on else (),
            based_on=based_on,
        )
        audit_record(
            actor=actor,
            action=AuditEntry.Action.CREATE,
            instance=template,
            changes={
                "version": [None, template.version],
                "based_on": [None, str(based_on) if based_on else None],
            },
        )
    return template


def checklist_import(*, actor: Actor, region: Region, document: Any) -> ChecklistTemplate:
    """A new draft version for `region` from a JSON document (readiness/template_json.py).
    Raises ValidationError with a message per path when the document is not valid."""
    content = parse_content(document)
    with transaction.atomic():
        _lock_region(region)
        template = _new_draft(
            actor=actor,
            region=region,
            name=content.name or "",
            description=content.description or "",
            phases=content.phases or (),
            based_on=None,
        )
        audit_record(
            actor=actor,
            action=AuditEntry.Action.IMPORT,
            instance=template,
            changes={
                "version": [None, template.version],
                "phases": [None, len(content.phases or ())],
            },
        )
    return template


def _lock_template(template: ChecklistTemplate) -> ChecklistTemplate:
    locked = ChecklistTemplate.objects.select_for_update().select_related("region")
    return locked.get(pk=template.pk)


def _require_draft(template: ChecklistTemplate, doing: str) -> None:
    if template.status != Status.DRAFT:
        raise ValidationError(
            f"Version {template.version} is {template.get_status_display().lower()}: only a "
            f"draft can {doing}. Create a new draft from it and edit that."
        )


def checklist_draft_update(
    *, actor: Actor, template: ChecklistTemplate, content: TemplateContent
) -> ChecklistTemplate:
    """Edit a draft: its name, description and/or all its phases and items (replaced as a
    whole, in the order given). Adopted and retired versions are immutable."""
    with transaction.atomic():
        locked = _lock_template(template)
        _require_draft(locked, "be edited")
        changes: dict[str, list[Any]] = {}
        if content.name is not None and content.name != locked.name:
            changes["name"] = [locked.name, content.name]
            locked.name = content.name
        if content.description is not None and content.description != locked.description:
            changes["description"] = [locked.description, content.description]
            locked.description = content.description
        if content.phases is not None:
            before = _content_of(locked)
            if before != content.phases:
                changes["phases"] = [
                    sum(len(p.items) for p in before),
                    sum(len(p.items) for p in content.phases),
                ]
                _write_phases(locked, content.phases)
        if changes:
            locked.updated_at = timezone.now()
            locked.save(update_fields=["name", "description", "updated_at"])
            audit_record(
                actor=actor, action=AuditEntry.Action.UPDATE, instance=locked, changes=changes
            )
    return locked


def checklist_draft_discard(*, actor: Actor, template: ChecklistTemplate) -> None:
    """Throw a draft away (adopted and retired versions are kept for the record)."""
    with transaction.atomic():
        locked = _lock_template(template)
        _require_draft(locked, "be discarded")
        audit_record(actor=actor, action=AuditEntry.Action.DELETE, instance=locked)
        locked.delete()


def checklist_adopt(*, actor: Actor, template: ChecklistTemplate) -> ChecklistTemplate:
    """Make a draft the region's plan. The version it replaces is retired (still readable;
    incidents that started with it keep it). A draft needs a phase with an item to be
    adopted."""
    with transaction.atomic():
        _lock_region(template.region)
        locked = _lock_template(template)
        _require_draft(locked, "be adopted")
        items = ChecklistItem.objects.filter(phase__template=locked).count()
        if not items:
            raise ValidationError("A checklist needs at least one phase with an item to adopt.")
        now = timezone.now()
        previous = ChecklistTemplate.objects.filter(
            region=locked.region, status=Status.ADOPTED
        ).first()
        if previous is not None:
            previous.status = Status.RETIRED
            previous.retired_at = now
            previous.save(update_fields=["status", "retired_at"])
            audit_record(
                actor=actor,
                action=AuditEntry.Action.UPDATE,
                instance=previous,
                changes={"status": [Status.ADOPTED, Status.RETIRED]},
            )
        locked.status = Status.ADOPTED
        locked.adopted_at = now
        locked.adopted_by = _user(actor)
        locked.updated_at = now
        locked.save(update_fields=["status", "adopted_at", "adopted_by", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            instance=locked,
            changes={"status": [Status.DRAFT, Status.ADOPTED]},
        )
        alignments_need_review(actor=actor, template=locked)
    return locked


# --- the incident's checklist ------------------------------------------------------------------


def incident_checklist_start(
    *, actor: Actor, incident: Incident, actor_label: str = ""
) -> IncidentChecklist | None:
    """Give the incident the plan in force (its region's adopted version, or the nearest
    region above that has one): the items are copied and `checklist.started` goes on the
    timeline. Returns None, and changes nothing, when no region up the chain has adopted a
    checklist. Raises ValidationError when the incident already has one or is closed."""
    with transaction.atomic():
        locked = lock_incident(incident)
        require_not_closed(locked, "start a checklist")
        existing = IncidentChecklist.objects.filter(incident=locked).select_related("template")
        if (found := existing.first()) is not None:
            raise ValidationError(
                f"Incident {locked.number} already works {found.template.name} "
                f"v{found.template.version}."
            )
        template = adopted_template_for(locked)
        if template is None:
            return None
        checklist = IncidentChecklist.objects.create(
            incident=locked, template=template, started_at=timezone.now()
        )
        phases = list(template.phases.all())
        IncidentChecklistItem.objects.bulk_create(
            IncidentChecklistItem(
                checklist=checklist,
                source=item,
                phase_position=phase.position,
                phase_title=phase.title,
                position=item.position,
                text=item.text,
                disciplines=list(item.disciplines),
                owner_role=item.owner_role,
            )
            for phase in phases
            for item in phase.items.all()
        )
        count = sum(len(phase.items.all()) for phase in phases)
        events.append_event(
            incident=locked,
            kind=CHECKLIST_STARTED,
            actor=actor,
            actor_label=actor_label,
            summary=f"Checklist started: {template.name} (version {template.version}, "
            f"{count} items)",
            data={
                "checklist_id": checklist.pk,
                "template_id": template.pk,
                "template": template.name,
                "version": template.version,
                "phases": len(phases),
                "items": count,
            },
            public=True,
        )
        incident.last_seq = locked.last_seq
    return checklist


def _set_item(*, actor: Actor, item: IncidentChecklistItem, done: bool) -> IncidentChecklistItem:
    incident = item.checklist.incident
    with transaction.atomic():
        locked_incident = lock_incident(incident)
        require_not_closed(locked_incident, "change its checklist")
        locked = IncidentChecklistItem.objects.select_for_update().get(pk=item.pk)
        if locked.done == done:
            if done:
                raise ValidationError(
                    f"Already checked by {locked.checked_by_label or 'someone'} at "
                    f"{_clock(locked.checked_at, locked_incident)}."
                )
            raise ValidationError("This item is not checked.")
        now = timezone.now()
        label = events.actor_name(actor)
        locked.done = done
        locked.changed_at = now
        locked.changed_by_label = label
        if done:
            locked.checked_at = now
            locked.checked_by = _user(actor)
            locked.checked_by_label = label
        else:
            locked.checked_at = None
            locked.checked_by = None
            locked.checked_by_label = ""
        locked.save(
            update_fields=[
                "done",
                "changed_at",
                "changed_by_label",
                "checked_at",
                "checked_by",
                "checked_by_label",
            ]
        )
        counts = IncidentChecklistItem.objects.filter(checklist_id=locked.checklist_id).aggregate(
            total=Count("id"),
            total_done=Count("id", filter=Q(done=True)),
            phase_total=Count("id", filter=Q(phase_position=locked.phase_position)),
            phase_done=Count("id", filter=Q(phase_position=locked.phase_position, done=True)),
        )
        events.append_event(
            incident=locked_incident,
            kind=CHECKLIST_CHECKED if done else CHECKLIST_UNCHECKED,
            actor=actor,
            summary=f"{'Checked' if done else 'Un-checked'}: {locked.text} "
            f"({locked.phase_title}, {counts['phase_done']}/{counts['phase_total']})",
            data={
                "item_id": locked.pk,
                "text": locked.text,
                "phase": locked.phase_title,
                "phase_position": locked.phase_position,
                "disciplines": list(locked.disciplines),
                "owner_role": locked.owner_role,
                "done": done,
                **counts,
            },
            public=True,
        )
        incident.last_seq = locked_incident.last_seq
    return locked


def checklist_item_check(*, actor: Actor, item: IncidentChecklistItem) -> IncidentChecklistItem:
    """Check an item (records who and when; `checklist.checked` on the timeline). Raises
    ValidationError when it is already checked (saying by whom) or the incident is closed."""
    return _set_item(actor=actor, item=item, done=True)


def checklist_item_uncheck(*, actor: Actor, item: IncidentChecklistItem) -> IncidentChecklistItem:
    """Un-check an item (`checklist.unchecked` on the timeline; the earlier check stays
    there). Raises ValidationError when it is not checked or the incident is closed."""
    return _set_item(actor=actor, item=item, done=False)
