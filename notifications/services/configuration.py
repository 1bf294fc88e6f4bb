"""Keeping notification rules and message templates: validated, and recorded in the audit log."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from agencies.models import AuditEntry, Discipline, DistributionList, Region, RosterRole
from agencies.services import audit_record, diff, snapshot
from notifications.delivery.transports import DeliveryChannel
from notifications.models import (
    MessageTemplate,
    NotificationRule,
)
from notifications.services.rules import TRIGGERS
from notifications.texts import check_template

Actor = AbstractBaseUser | None


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
    elif not set(channels) <= set(DeliveryChannel.values) or len(set(channels)) != len(channels):
        errors["channels"] = (
            f"Channels are some of: {', '.join(DeliveryChannel.values)}, each once."
        )
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


def _apply_rule_values(rule: NotificationRule, values: Mapping[str, Any]) -> None:
    unknown = set(values) - set(RULE_FIELDS)
    if unknown:
        raise ValidationError({name: "This field cannot be set." for name in sorted(unknown)})
    for name, value in values.items():
        setattr(rule, name, value.strip() if name == "name" and isinstance(value, str) else value)


def _rule_problems(
    rule: NotificationRule, region: Region, lists: Sequence[DistributionList] | None
) -> dict[str, str]:
    errors = _validate_rule(rule, lists)
    if not errors and (
        NotificationRule.objects.filter(region=region, name=rule.name).exclude(pk=rule.pk).exists()
    ):
        errors["name"] = "This region already has a rule with this name."
    return errors


def rule_errors(
    *,
    region: Region,
    values: Mapping[str, Any],
    rule: NotificationRule | None = None,
    distribution_lists: Sequence[DistributionList] | None = None,
) -> dict[str, str]:
    """What ``rule_save`` with these arguments would refuse, per field; saves nothing and
    leaves ``rule`` as it is (forms show these before saving)."""
    candidate = copy.copy(rule) if rule is not None else NotificationRule(region=region)
    try:
        _apply_rule_values(candidate, values)
    except ValidationError as exc:
        return {name: " ".join(messages) for name, messages in exc.message_dict.items()}
    return _rule_problems(candidate, region, distribution_lists)


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
    _apply_rule_values(rule, values)
    errors = _rule_problems(rule, region, distribution_lists)
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


def message_template_errors(
    *, region: Region, name: str, body: str, template: MessageTemplate | None = None
) -> dict[str, str]:
    """What ``message_template_save`` with these arguments would refuse, per field; saves
    nothing and leaves ``template`` as it is."""
    candidate = copy.copy(template) if template is not None else MessageTemplate(region=region)
    candidate.name, candidate.body = (name or "").strip(), (body or "").strip()
    return _template_problems(candidate, region)


def _template_problems(template: MessageTemplate, region: Region) -> dict[str, str]:
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
    return errors


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
    errors = _template_problems(template, region)
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
