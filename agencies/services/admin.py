"""Edits made in the Django admin.

The admin edits whole records (any field its forms show), so it has its own entry points:
admin_validate() checks a record as the services in agencies.services check theirs,
admin_save() and admin_delete() validate, write and record in one transaction. An update is
recorded as `{field: [old, new]}`; a save without changes is no event.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from agencies.models import (
    Agency,
    AuditEntry,
    ContactPoint,
    DistributionList,
    Hospital,
    Member,
    Membership,
    Region,
)
from agencies.services import (
    CAPACITY_FIELDS,
    CONTACT_FIELDS,
    HOSPITAL_FIELDS,
    LIST_FIELDS,
    MEMBER_FIELDS,
    Actor,
    audit_record,
    diff,
    snapshot,
    validate_contact_point,
    validate_list,
    validate_member,
)
from agencies.validation import normalize_phone

AGENCY_FIELDS = (
    "region", "name", "short_code", "discipline", "address", "latitude", "longitude", "phone",
    "active",
)  # fmt: skip
REGION_FIELDS = (
    "name", "code", "kind", "parent", "hospitals_to_notify", "hospital_radius_km",
    "ack_timeout_seconds", "time_zone",
)  # fmt: skip


def _admin_check_member(member: Member, related: Mapping[str, Any]) -> None:
    validate_member(member)


def _admin_check_contact_point(point: ContactPoint, related: Mapping[str, Any]) -> None:
    validate_contact_point(point)


def _admin_check_list(dlist: DistributionList, related: Mapping[str, Any]) -> None:
    validate_list(dlist, related.get("members") or (), related.get("agencies") or ())


def _admin_check_agency(agency: Agency, related: Mapping[str, Any]) -> None:
    if agency.phone:
        try:
            agency.phone = normalize_phone(agency.phone)
        except ValidationError as exc:
            raise ValidationError({"phone": exc.messages}) from None


def _stamp_hospital_times(hospital: Hospital, before: Mapping[str, Any]) -> None:
    """As hospital_update_status does: a new status or capacity carries the time it was given,
    so every board shows how old it is."""
    now = timezone.now()
    if before.get("ed_status") != hospital.ed_status:
        hospital.ed_status_at = now
    if any(before.get(name) != getattr(hospital, name) for name in CAPACITY_FIELDS):
        hospital.capacity_reported_at = now


def _reset_changed_contact_point(point: ContactPoint, before: Mapping[str, Any]) -> None:
    """As contact_point_update does: a new number starts with a clean slate."""
    if before and (before["address"], before["channel"]) != (point.address, point.channel):
        point.last_failure_at = None
        point.last_failure_reason = ""
        if before["verified"] == point.verified:  # not explicitly re-verified in this edit
            point.verified = False


@dataclass(frozen=True)
class AdminAudited:
    """How admin edits of one model are checked and go on the record."""

    fields: tuple[str, ...]
    agency: Callable[[Any], Agency | None]
    m2m: tuple[str, ...] = ()
    check: Callable[[Any, Mapping[str, Any]], None] | None = None  # may normalise values
    prepare: Callable[[Any, Mapping[str, Any]], None] | None = None  # after check, before save


ADMIN_AUDITED: dict[type[models.Model], AdminAudited] = {
    Member: AdminAudited(
        ("agency", *MEMBER_FIELDS, "user"), agency=lambda m: m.agency, check=_admin_check_member
    ),
    ContactPoint: AdminAudited(
        ("member", *CONTACT_FIELDS),
        agency=lambda p: p.member.agency,
        check=_admin_check_contact_point,
        prepare=_reset_changed_contact_point,
    ),
    Hospital: AdminAudited(
        ("agency", *HOSPITAL_FIELDS), agency=lambda h: h.agency, prepare=_stamp_hospital_times
    ),
    DistributionList: AdminAudited(
        ("region", *LIST_FIELDS),
        agency=lambda d: None,
        m2m=("members", "agencies"),
        check=_admin_check_list,
    ),
    Membership: AdminAudited(("user", "agency", "roles"), agency=lambda m: m.agency),
    Agency: AdminAudited(AGENCY_FIELDS, agency=lambda a: a, check=_admin_check_agency),
    Region: AdminAudited(REGION_FIELDS, agency=lambda r: None),
}


def admin_state(obj: models.Model) -> dict[str, Any]:
    """The audited fields of `obj` as JSON-able values; many-to-many fields as sorted ids."""
    spec = ADMIN_AUDITED[type(obj)]
    state = snapshot(obj, spec.fields)
    for name in spec.m2m:
        state[name] = sorted(getattr(obj, name).values_list("id", flat=True))
    return state


def admin_stored_state(obj: models.Model) -> dict[str, Any]:
    """The audited state as the database has it (before an edit's values are saved)."""
    if obj.pk is None:
        return {}
    stored = type(obj)._default_manager.filter(pk=obj.pk).first()
    return admin_state(stored) if stored is not None else {}


def admin_validate(obj: models.Model, related: Mapping[str, Any] | None = None) -> None:
    """Check an admin edit of `obj` (its many-to-many values in `related`) as the services
    check theirs; may normalise values on `obj`. Raises ValidationError with field errors."""
    spec = ADMIN_AUDITED.get(type(obj))
    if spec is not None and spec.check is not None:
        spec.check(obj, related or {})


@transaction.atomic
def admin_save(
    *,
    actor: Actor,
    obj: models.Model,
    before: Mapping[str, Any],
    created: bool,
    related: Mapping[str, Any] | None = None,
    save_related: Callable[[], None] | None = None,
) -> None:
    """Validate, save and record an admin edit: `before` is admin_stored_state() from before
    the edit; `save_related` saves its many-to-many values. One AuditEntry for a create, or an
    update that changed something."""
    spec = ADMIN_AUDITED[type(obj)]
    admin_validate(obj, related)
    if spec.prepare is not None:
        spec.prepare(obj, before)
    obj.save()
    if save_related is not None:
        save_related()
    changes = diff(before, admin_state(obj))
    if not created and not changes:
        return
    if created:
        action = AuditEntry.Action.CREATE
    elif changes.get("active") == [True, False]:
        action = AuditEntry.Action.DEACTIVATE
    else:
        action = AuditEntry.Action.UPDATE
    audit_record(actor=actor, action=action, instance=obj, agency=spec.agency(obj), changes=changes)


@transaction.atomic
def admin_delete(*, actor: Actor, obj: models.Model) -> None:
    """Delete a record from the admin and record what it held."""
    before = admin_state(obj)
    audit_record(
        actor=actor,
        action=AuditEntry.Action.DELETE,
        instance=obj,
        agency=ADMIN_AUDITED[type(obj)].agency(obj),
        changes=diff(before, dict.fromkeys(before)),
    )
    obj.delete()
