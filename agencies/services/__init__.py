"""Every change to regions' rosters, lists and hospital profiles goes through here.

Each function is one transaction, validates before it saves, and records an AuditEntry.
Permission checks happen in the caller (API view, page) through agencies/permissions.py;
services trust the actor they are given.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from agencies import roster_csv
from agencies.models import (
    Agency,
    AuditEntry,
    Channel,
    ContactPoint,
    Discipline,
    DistributionList,
    EdStatus,
    Hospital,
    Member,
)
from agencies.queries import person_label
from agencies.roster_csv import ParsedRoster, RosterRow
from agencies.validation import clean_roster_roles, normalize_address

Actor = AbstractBaseUser | None
CAPACITY_FIELDS = ("capacity_immediate", "capacity_delayed", "capacity_minor")


# --- audit ------------------------------------------------------------------------------------


def _value(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    return {name: _value(getattr(instance, name)) for name in fields}


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    return {k: [before.get(k), after[k]] for k in after if before.get(k) != after[k]}


def audit_record(
    *,
    actor: Actor,
    action: str,
    instance: models.Model,
    changes: Mapping[str, Any] | None = None,
    agency: Agency | None = None,
) -> AuditEntry:
    """Append one audit entry for a change to `instance` (call inside the change's transaction)."""
    region_id = agency.region_id if agency else getattr(instance, "region_id", None)
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=instance._meta.model_name,
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        region_id=region_id,
        agency=agency,
        changes=dict(changes or {}),
    )


# --- members ----------------------------------------------------------------------------------

MEMBER_FIELDS = ("full_name", "title", "external_id", "roles", "active", "on_call")


def validate_member(member: Member) -> None:
    member.full_name = member.full_name.strip()
    member.title = member.title.strip()
    member.external_id = member.external_id.strip()
    if not member.full_name:
        raise ValidationError({"full_name": "Enter the member's name."})
    try:
        member.roles = clean_roster_roles(member.roles)
    except ValidationError as exc:
        raise ValidationError({"roles": exc.messages}) from None
    if member.external_id:
        clash = Member.objects.filter(agency=member.agency, external_id=member.external_id)
        if clash.exclude(pk=member.pk).exists():
            raise ValidationError(
                {"external_id": f"Another member of {member.agency} has ID {member.external_id}."}
            )


@transaction.atomic
def member_add(
    *,
    actor: Actor,
    agency: Agency,
    full_name: str,
    title: str = "",
    external_id: str = "",
    roles: Iterable[str] = (),
    on_call: bool = False,
    active: bool = True,
) -> Member:
    """Add a member to an agency's roster; raises ValidationError with field errors."""
    member = Member(
        agency=agency,
        full_name=full_name,
        title=title,
        external_id=external_id,
        roles=list(roles),
        on_call=on_call,
        active=active,
    )
    validate_member(member)
    member.save()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        instance=member,
        agency=agency,
        changes=diff({}, snapshot(member, MEMBER_FIELDS)),
    )
    return member


@transaction.atomic
def member_update(*, actor: Actor, member: Member, **changes: Any) -> Member:
    """Change a member's fields (any of MEMBER_FIELDS); records what changed."""
    unknown = set(changes) - set(MEMBER_FIELDS)
    if unknown:
        raise ValueError(f"member_update: unknown fields {sorted(unknown)}")
    member = Member.objects.select_for_update().select_related("agency").get(pk=member.pk)
    before = snapshot(member, MEMBER_FIELDS)
    for name, value in changes.items():
        setattr(member, name, value)
    validate_member(member)
    changed = diff(before, snapshot(member, MEMBER_FIELDS))
    if changed:
        member.save()
        action = (
            AuditEntry.Action.DEACTIVATE
            if changed.get("active") == [True, False]
            else AuditEntry.Action.UPDATE
        )
        audit_record(
            actor=actor, action=action, instance=member, agency=member.agency, changes=changed
        )
    return member


def member_deactivate(*, actor: Actor, member: Member) -> Member:
    """Take a member off duty lists without losing their history."""
    return member_update(actor=actor, member=member, active=False, on_call=False)


# --- contact points ---------------------------------------------------------------------------

CONTACT_FIELDS = ("channel", "address", "priority", "verified")


def validate_contact_point(point: ContactPoint) -> None:
    if point.channel not in Channel.values:
        raise ValidationError({"channel": f"Choose one of {', '.join(Channel.values)}."})
    try:
        point.address = normalize_address(point.channel, point.address)
    except ValidationError as exc:
        raise ValidationError({"address": exc.messages}) from None
    clash = ContactPoint.objects.filter(
        member_id=point.member_id, channel=point.channel, address=point.address
    )
    if clash.exclude(pk=point.pk).exists():
        raise ValidationError(
            {"address": f"{point.member} already has this {point.channel} address."}
        )


@transaction.atomic
def contact_point_add(
    *,
    actor: Actor,
    member: Member,
    channel: str,
    address: str,
    priority: int = 1,
    verified: bool = False,
) -> ContactPoint:
    """Add a way to reach a member; phones are stored in E.164."""
    point = ContactPoint(
        member=member, channel=channel, address=address, priority=priority, verified=verified
    )
    validate_contact_point(point)
    point.save()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        instance=point,
        agency=member.agency,
        changes=diff({}, snapshot(point, CONTACT_FIELDS)),
    )
    return point


@transaction.atomic
def contact_point_update(*, actor: Actor, point: ContactPoint, **changes: Any) -> ContactPoint:
    unknown = set(changes) - set(CONTACT_FIELDS)
    if unknown:
        raise ValueError(f"contact_point_update: unknown fields {sorted(unknown)}")
    point = (
        ContactPoint.objects.select_for_update().select_related("member__agency").get(pk=point.pk)
    )
    before = snapshot(point, CONTACT_FIELDS)
    for name, value in changes.items():
        setattr(point, name, value)
    validate_contact_point(point)
    changed = diff(before, snapshot(point, CONTACT_FIELDS))
    if changed:
        if "address" in changed or "channel" in changed:  # a new number starts with a clean slate
            point.verified = changes.get("verified", False)
            point.last_failure_at = None
            point.last_failure_reason = ""
        point.save()
        audit_record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            instance=point,
            agency=point.member.agency,
            changes=changed,
        )
    return point


@transaction.atomic
def contact_point_remove(*, actor: Actor, point: ContactPoint) -> None:
    agency = point.member.agency
    audit_record(
        actor=actor,
        action=AuditEntry.Action.DELETE,
        instance=point,
        agency=agency,
        changes=diff(snapshot(point, CONTACT_FIELDS), dict.fromkeys(CONTACT_FIELDS)),
    )
    point.delete()


def contact_point_mark_failed(*, point_id: int, reason: str) -> None:
    """Record a permanent delivery failure on the roster (e.g. Twilio 21211 invalid number)."""
    ContactPoint.objects.filter(pk=point_id).update(
        last_failure_at=timezone.now(), last_failure_reason=reason[:240], verified=False
    )


# --- hospitals --------------------------------------------------------------------------------

HOSPITAL_FIELDS = ("trauma_level", "pediatric", "burn", "ed_status", *CAPACITY_FIELDS)


@transaction.atomic
def hospital_update_status(
    *,
    actor: Actor,
    hospital: Hospital,
    ed_status: str | None = None,
    capacity: Mapping[str, int | None] | None = None,
    profile: Mapping[str, Any] | None = None,
    reported_at: datetime | None = None,
    source: str = "",
    action: str = AuditEntry.Action.UPDATE,
) -> Hospital:
    """Update a hospital's ED status, its reported capacity (immediate / delayed / minor) and/or
    its profile. Each part carries its own time so every board can show how old it is: now,
    or `reported_at` for a status reported elsewhere (an imported EDXL-HAVE document, whose
    `source` names the system that gave it and whose audit entry is an import)."""
    hospital = Hospital.objects.select_for_update().select_related("agency").get(pk=hospital.pk)
    before = snapshot(hospital, HOSPITAL_FIELDS)
    now = reported_at or timezone.now()
    given_by = (source or person_label(actor))[:160]
    errors: dict[str, str] = {}
    if ed_status is not None:
        if ed_status not in EdStatus.values:
            errors["ed_status"] = f"Choose one of {', '.join(EdStatus.values)}."
        else:
            hospital.ed_status = ed_status
            hospital.ed_status_at = now
            hospital.ed_status_by = given_by
    if capacity is not None:
        for category, value in capacity.items():
            name = f"capacity_{category}"
            if name not in CAPACITY_FIELDS:
                errors[name] = "Capacity is reported as immediate, delayed and minor."
            elif value is not None and (not isinstance(value, int) or value < 0):
                errors[name] = "Enter a whole number of patients, 0 or more."
            else:
                setattr(hospital, name, value)
        hospital.capacity_reported_at = now
        hospital.capacity_reported_by = given_by
    for name, value in (profile or {}).items():
        if name not in ("trauma_level", "pediatric", "burn"):
            errors[name] = "Not a hospital profile field."
        else:
            setattr(hospital, name, value)
    if hospital.trauma_level not in (None, *Hospital.TraumaLevel.values):
        errors["trauma_level"] = "Trauma level is 1 to 4, or empty."
    if errors:
        raise ValidationError(errors)
    hospital.save()
    changed = diff(before, snapshot(hospital, HOSPITAL_FIELDS))
    audit_record(
        actor=actor,
        action=action,
        instance=hospital,
        agency=hospital.agency,
        changes=changed,
    )
    return hospital


# --- distribution lists -----------------------------------------------------------------------


def validate_list(
    dlist: DistributionList, members: Iterable[Member], agencies: Iterable[Agency]
) -> None:
    dlist.name = dlist.name.strip()
    errors: dict[str, str] = {}
    if not dlist.name:
        errors["name"] = "Enter a name."
    elif (
        DistributionList.objects.filter(region=dlist.region, name__iexact=dlist.name)
        .exclude(pk=dlist.pk)
        .exists()
    ):
        errors["name"] = f"{dlist.region} already has a list called {dlist.name!r}."
    unknown = [d for d in dlist.disciplines if d not in Discipline.values]
    if unknown:
        errors["disciplines"] = f"Unknown discipline(s): {', '.join(unknown)}."
    if any(member.agency.region_id != dlist.region_id for member in members):
        errors["members"] = "Every member must belong to an agency of the list's region."
    if any(agency.region_id != dlist.region_id for agency in agencies):
        errors["agencies"] = "Every agency must be in the list's region."
    if errors:
        raise ValidationError(errors)


LIST_FIELDS = ("name", "description", "disciplines")


def _list_state(dlist: DistributionList) -> dict[str, Any]:
    state = snapshot(dlist, LIST_FIELDS)
    state["members"] = sorted(dlist.members.values_list("id", flat=True))
    state["agencies"] = sorted(dlist.agencies.values_list("id", flat=True))
    return state


@transaction.atomic
def distribution_list_save(
    *,
    actor: Actor,
    dlist: DistributionList | None = None,
    region_id: int | None = None,
    name: str,
    description: str = "",
    members: Iterable[Member] = (),
    agencies: Iterable[Agency] = (),
    disciplines: Iterable[str] = (),
) -> DistributionList:
    """Create (no `dlist`) or replace the contents of a distribution list."""
    members, agencies = list(members), list(agencies)
    creating = dlist is None
    if creating:
        dlist = DistributionList(region_id=region_id)
        before: dict[str, Any] = {}
    else:
        dlist = DistributionList.objects.select_for_update().get(pk=dlist.pk)
        before = _list_state(dlist)
    dlist.name, dlist.description, dlist.disciplines = name, description, sorted(set(disciplines))
    validate_list(dlist, members, agencies)
    dlist.save()
    dlist.members.set(members)
    dlist.agencies.set(agencies)
    changed = diff(before, _list_state(dlist))
    if changed:
        action = AuditEntry.Action.CREATE if creating else AuditEntry.Action.UPDATE
        audit_record(actor=actor, action=action, instance=dlist, changes=changed)
    return dlist


@transaction.atomic
def distribution_list_delete(*, actor: Actor, dlist: DistributionList) -> None:
    audit_record(
        actor=actor,
        action=AuditEntry.Action.DELETE,
        instance=dlist,
        changes=diff(_list_state(dlist), {"name": None}),
    )
    dlist.delete()


# --- roster import ----------------------------------------------------------------------------


@dataclass
class ImportReport:
    parsed: ParsedRoster
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    contact_points_added: int = 0

    @property
    def ok(self) -> bool:
        return self.parsed.ok


def _match(agency: Agency, row: RosterRow) -> Member | None:
    """The existing member a row describes: by external_id, else by name among members
    without one. An ambiguous name is reported by the caller."""
    if row.external_id:
        return Member.objects.filter(agency=agency, external_id=row.external_id).first()
    same_name = list(
        Member.objects.filter(agency=agency, external_id="", full_name__iexact=row.full_name)[:2]
    )
    if len(same_name) > 1:
        raise ValidationError(
            f"{len(same_name)} members are called {row.full_name}; add an "
            "external_id to tell them apart"
        )
    return same_name[0] if same_name else None


def roster_import(*, actor: Actor, agency: Agency, text: str) -> ImportReport:
    """Import a roster CSV into `agency`: validate every row first and write nothing if any
    row is bad; otherwise create or update every member in one transaction. Importing the
    same file again changes nothing."""
    report = ImportReport(parsed=roster_csv.parse(text))
    if not report.ok:
        return report
    with transaction.atomic():
        matches: list[tuple[RosterRow, Member | None]] = []
        for row in report.parsed.rows:
            try:
                matches.append((row, _match(agency, row)))
            except ValidationError as exc:
                report.parsed.errors.append(
                    roster_csv.RowError(line=row.line, name=row.full_name, reasons=exc.messages)
                )
        if report.parsed.errors:
            return report
        for row, member in matches:
            fields = {
                "full_name": row.full_name,
                "title": row.title,
                "roles": row.roles,
                "active": row.active,
                "on_call": row.on_call,
                "external_id": row.external_id,
            }
            if member is None:
                member = member_add(actor=actor, agency=agency, **fields)
                report.created += 1
            else:
                before = snapshot(member, MEMBER_FIELDS)
                member = member_update(actor=actor, member=member, **fields)
                changed = bool(diff(before, snapshot(member, MEMBER_FIELDS)))
                report.updated += changed
                report.unchanged += not changed
            existing = set(member.contact_points.values_list("channel", "address"))
            for priority, (channel, address) in enumerate(row.addresses, start=1):
                if (channel, address) not in existing:
                    contact_point_add(
                        actor=actor,
                        member=member,
                        channel=channel,
                        address=address,
                        priority=priority,
                    )
                    existing.add((channel, address))
                    report.contact_points_added += 1
        audit_record(
            actor=actor,
            action=AuditEntry.Action.IMPORT,
            instance=agency,
            agency=agency,
            changes={
                "created": report.created,
                "updated": report.updated,
                "contact_points_added": report.contact_points_added,
            },
        )
    return report
