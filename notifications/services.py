"""State changes of the notifications app that people cause: acknowledging, reading, and
keeping rules and message templates. (Sending is the workers' job: tasks.py, sending.py.)

Each function takes keyword-only arguments, runs in one transaction, validates before it
saves (ValidationError with per-field messages) and records rule and template changes in the
audit log. Permission checks happen in the caller (API views, webhooks).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from agencies.models import AuditEntry, Discipline, DistributionList, Hospital, Region, RosterRole
from agencies.services import audit_record, diff, snapshot
from incidents import events
from incidents.models import Incident, IncidentHospital
from incidents.services import hospital_acknowledge
from notifications import progress, states
from notifications.models import (
    Delivery,
    HandledTwilioRequest,
    MessageTemplate,
    Notification,
    NotificationRule,
)
from notifications.rules import TRIGGERS
from notifications.texts import check_template

logger = logging.getLogger(__name__)
Actor = AbstractBaseUser | None

VIA_LABELS = {"sms": "SMS", "voice": "voice keypress", "in_app": "in-app"}


# --- acknowledgements ----------------------------------------------------------------------------


def mask_number(address: str) -> str:
    """ "+19375550142" → "+1937…0142": enough to recognise, not to copy off a public timeline."""
    if len(address) <= 8 or not address.startswith("+"):
        return address
    return f"{address[:5]}…{address[-4:]}"


def via_label(*, via: str, address: str, member_name: str, agency_name: str) -> str:
    """How a timeline entry names a phone acknowledgement, e.g.
    "SMS from +1937…0142, Jane Doe (Riverton General)"."""
    who = f"{member_name} ({agency_name})"
    if via == "sms":
        return f"SMS from {mask_number(address)}, {who}"
    if via == "voice":
        return f"Voice call to {mask_number(address)}, {who}"
    return who


@dataclass(frozen=True)
class Acknowledgement:
    """What acknowledging did: deliveries newly acknowledged, and the hospital's part."""

    notification: Notification
    acknowledged: int
    hospital: Hospital | None = None
    hospital_acknowledged: bool = False
    incident_closed: bool = False


def _hospital_of(member: Any) -> Hospital | None:
    try:
        return member.agency.hospital
    except Hospital.DoesNotExist:
        return None


def notification_acknowledge(
    *, delivery: Delivery, via: str, actor: Actor = None, now: datetime | None = None
) -> Acknowledgement:
    """The recipient of ``delivery`` acknowledges its notification.

    Every delivery of that notification to the same member or address gets
    ``acknowledged_at``. For an ER contact (or anyone an escalation reached) of a hospital
    on the incident that has not acknowledged yet, this is the hospital's acknowledgement
    (``incidents.services.hospital_acknowledge``, on the timeline with who and how);
    otherwise a ``notification.acknowledged`` event records it. Acknowledging again changes
    nothing. ``actor`` is the login acting (in-app); for SMS and voice it is the member's
    own login, if they have one.
    """
    now = now or timezone.now()
    delivery = Delivery.objects.select_related(
        "notification__incident", "member__agency__hospital", "member__user"
    ).get(pk=delivery.pk)
    notification = delivery.notification
    member = delivery.member
    incident: Incident | None = notification.incident
    if actor is None and member.user is not None and member.user.is_active:
        actor = member.user
    label = (
        via_label(
            via=via,
            address=delivery.address,
            member_name=member.full_name,
            agency_name=member.agency.name,
        )
        if via in ("sms", "voice")
        else ""
    )
    hospital = _hospital_of(member)
    hospital_acknowledged = False
    with transaction.atomic():
        targets = Delivery.objects.filter(notification_id=notification.pk).filter(
            Q(member_id=member.pk) | Q(address=delivery.address)
        )
        newly = states.acknowledge(targets, now=now)
        closed = incident is not None and incident.status == Incident.Status.CLOSED
        speaks_for_hospital = hospital is not None and (
            RosterRole.ER_CONTACT in (member.roles or []) or delivery.escalation
        )
        if incident is not None and speaks_for_hospital and not closed:
            row = IncidentHospital.objects.filter(incident=incident, hospital=hospital).first()
            if row is not None and row.acknowledged_at is None:
                hospital_acknowledge(actor=actor, incident_hospital=row, actor_label=label)
                hospital_acknowledged = True
        if newly and incident is not None and not hospital_acknowledged:
            how = VIA_LABELS.get(via, via)
            events.append_event(
                incident=incident,
                kind=events.NOTIFICATION_ACKNOWLEDGED,
                actor=actor,
                actor_label=label,
                summary=f"{member.full_name} ({member.agency.name}) acknowledged the "
                f"{TRIGGERS.get(notification.kind, notification.kind).lower()} alert by {how}",
                data={
                    "notification_id": notification.pk,
                    "notification_kind": notification.kind,
                    "member_id": member.pk,
                    "member": member.full_name,
                    "agency": member.agency.name,
                    "via": via,
                },
                public=False,
                hospital=hospital,
            )
        notification_id = notification.pk
        transaction.on_commit(lambda: progress.push(notification_id))
    return Acknowledgement(
        notification=notification,
        acknowledged=newly,
        hospital=hospital if speaks_for_hospital else None,
        hospital_acknowledged=hospital_acknowledged,
        incident_closed=closed,
    )


def inbox_mark_read(*, user: AbstractBaseUser, delivery: Delivery) -> Delivery:
    """The user has read their in-app message (reading twice keeps the first time)."""
    if delivery.user_id != user.pk:
        raise ValidationError("This message is not yours.")
    states.mark_read(Delivery.objects.filter(pk=delivery.pk), now=timezone.now())
    delivery.refresh_from_db(fields=["read_at"])
    return delivery


# --- rules ---------------------------------------------------------------------------------------

RULE_FIELDS = (
    "name",
    "trigger",
    "active",
    "disciplines",
    "roster_roles",
    "on_call_only",
    "incident_hospitals_er",
    "everyone_notified",
    "channels",
    "life_safety",
    "sms_template",
    "voice_template",
    "email_subject_template",
    "email_body_template",
    "in_app_template",
)
TEMPLATE_FIELDS = (
    "sms_template",
    "voice_template",
    "email_subject_template",
    "email_body_template",
    "in_app_template",
)
CHANNEL_VALUES = ("sms", "voice", "email", "in_app")


def region_chain(region: Region) -> list[int]:
    """The region and every region above it (whose lists it may address)."""
    chain, current = [region.pk], region
    while current.parent_id is not None and current.parent_id not in chain:
        chain.append(current.parent_id)
        current = current.parent
    return chain


def _validate_rule(
    rule: NotificationRule, lists: Sequence[DistributionList] | None
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not (rule.name or "").strip():
        errors["name"] = "Name the rule."
    if rule.trigger not in TRIGGERS:
        errors["trigger"] = f"Choose one of: {', '.join(TRIGGERS)}."
    channels = list(rule.channels or [])
    if not channels:
        errors["channels"] = "Choose at least one channel."
    elif any(c not in CHANNEL_VALUES for c in channels) or len(set(channels)) != len(channels):
        errors["channels"] = f"Channels are some of: {', '.join(CHANNEL_VALUES)}, each once."
    bad = [d for d in rule.disciplines or [] if d not in Discipline.values]
    if bad:
        errors["disciplines"] = f"Unknown disciplines: {', '.join(map(str, bad))}."
    bad = [r for r in rule.roster_roles or [] if r not in RosterRole.values]
    if bad:
        errors["roster_roles"] = f"Unknown roster roles: {', '.join(map(str, bad))}."
    if lists is not None:
        allowed = set(region_chain(rule.region))
        foreign = [d.name for d in lists if d.region_id not in allowed]
        if foreign:
            errors["distribution_lists"] = (
                f"Not a list of this region or a region above it: {', '.join(foreign)}."
            )
    has_lists = bool(lists) if lists is not None else rule.pk and rule.distribution_lists.exists()
    if not (
        has_lists
        or rule.disciplines
        or rule.roster_roles
        or rule.incident_hospitals_er
        or rule.everyone_notified
    ):
        errors["audience"] = (
            "Choose who is notified: lists, disciplines or roster roles, the incident's "
            "hospitals' ER contacts, or everyone notified so far."
        )
    for name in TEMPLATE_FIELDS:
        problem = check_template(getattr(rule, name) or "")
        if problem:
            errors[name] = problem
    return errors


@transaction.atomic
def rule_save(
    *,
    actor: Actor,
    region: Region,
    values: Mapping[str, Any],
    rule: NotificationRule | None = None,
    distribution_lists: Sequence[DistributionList] | None = None,
) -> NotificationRule:
    """Create (``rule`` None) or change a region's rule; ``distribution_lists`` None keeps
    the rule's lists. Raises ValidationError with per-field messages."""
    creating = rule is None
    rule = rule or NotificationRule(region=region)
    before = {} if creating else snapshot(rule, RULE_FIELDS)
    before_lists = [] if creating else sorted(rule.distribution_lists.values_list("id", flat=True))
    unknown = set(values) - set(RULE_FIELDS)
    if unknown:
        raise ValidationError({name: "This field cannot be set." for name in sorted(unknown)})
    for name, value in values.items():
        setattr(rule, name, value.strip() if name == "name" and isinstance(value, str) else value)
    errors = _validate_rule(rule, distribution_lists)
    if not errors and (
        NotificationRule.objects.filter(region=region, name=rule.name).exclude(pk=rule.pk).exists()
    ):
        errors["name"] = "This region already has a rule with this name."
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            rule.save()
    except IntegrityError:
        raise ValidationError({"name": "This region already has a rule with this name."}) from None
    changes = diff(before, snapshot(rule, RULE_FIELDS))
    if distribution_lists is not None:
        rule.distribution_lists.set(distribution_lists)
        after_lists = sorted(d.pk for d in distribution_lists)
        if after_lists != before_lists:
            changes["distribution_lists"] = [before_lists, after_lists]
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE if creating else AuditEntry.Action.UPDATE,
        instance=rule,
        changes=changes,
    )
    return rule


@transaction.atomic
def rule_delete(*, actor: Actor, rule: NotificationRule) -> None:
    audit_record(
        actor=actor,
        action=AuditEntry.Action.DELETE,
        instance=rule,
        changes=diff(snapshot(rule, RULE_FIELDS), dict.fromkeys(RULE_FIELDS)),
    )
    rule.delete()


# --- message templates ---------------------------------------------------------------------------


@transaction.atomic
def message_template_save(
    *,
    actor: Actor,
    region: Region,
    name: str,
    body: str,
    template: MessageTemplate | None = None,
) -> MessageTemplate:
    """Create or change a region's update template. Raises ValidationError per field."""
    creating = template is None
    template = template or MessageTemplate(region=region)
    before = {} if creating else snapshot(template, ("name", "body"))
    template.name, template.body = (name or "").strip(), (body or "").strip()
    errors: dict[str, str] = {}
    if not template.name:
        errors["name"] = "Name the template."
    elif len(template.name) > 120:
        errors["name"] = "Keep the name to 120 characters."
    elif (
        MessageTemplate.objects.filter(region=region, name=template.name)
        .exclude(pk=template.pk)
        .exists()
    ):
        errors["name"] = "This region already has a template with this name."
    if not template.body:
        errors["body"] = "Write the template's text."
    elif len(template.body) > 1600:
        errors["body"] = "Keep the text to 1600 characters."
    else:
        problem = check_template(template.body)
        if problem:
            errors["body"] = problem
    if errors:
        raise ValidationError(errors)
    template.save()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE if creating else AuditEntry.Action.UPDATE,
        instance=template,
        changes=diff(before, snapshot(template, ("name", "body"))),
    )
    return template


@transaction.atomic
def message_template_delete(*, actor: Actor, template: MessageTemplate) -> None:
    audit_record(
        actor=actor,
        action=AuditEntry.Action.DELETE,
        instance=template,
        changes=diff(snapshot(template, ("name", "body")), {"name": None, "body": None}),
    )
    template.delete()


def twilio_request_claim(*, sid: str, digits: str = "", now: datetime | None = None) -> bool:
    """Record that the Twilio request ``sid`` (+ ``digits``) is being acted on; False when it
    was already (a replay). Call it inside the action's transaction: a concurrent duplicate
    waits on the unique index until that transaction ends, then gets False — or, if the action
    rolled back, acts itself."""
    try:
        with transaction.atomic():
            HandledTwilioRequest.objects.create(
                sid=sid, digits=digits, handled_at=now or timezone.now()
            )
    except IntegrityError:
        return False
    return True
