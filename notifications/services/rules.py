"""Matching rules to incident events, inside the event's transaction: the outbox.

``on_event`` is subscribed with ``incidents.events.subscribe_in_transaction`` (asim/wiring.py):
for every event it creates the Notification rows the region's active rules ask for — and,
for ``update.posted``, the update's own notification to its audience lists — in the same
transaction as the change, so they commit or roll back together. Their ids are handed to
Celery once the transaction commits (``queue.notifications_on_commit``); if the broker is
down then, the sweeper (delivery/sweeper.py) picks them up later. Nothing is sent for a
rolled-back change.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction

from incidents import events as incident_events
from incidents.models import Incident, IncidentEvent, SituationUpdate
from notifications import conf, queue
from notifications.models import Notification, NotificationRule
from notifications.texts import context_for, render_texts

logger = logging.getLogger(__name__)

# The event kinds a rule may trigger on, with a label for forms and the API. Patient events
# are not here (their payloads carry tag numbers), nor update.posted (an update is addressed
# by its author, not by rules) or notification.acknowledged.
TRIGGERS: dict[str, str] = {
    incident_events.INCIDENT_DECLARED: "MCI declared",
    incident_events.HOSPITAL_ADDED: "Hospital added to an incident",
    incident_events.HOSPITAL_ESCALATED: "Hospital escalated (no acknowledgement)",
    incident_events.HOSPITAL_CAPACITY_OVERDUE: "Hospital capacity overdue",
    incident_events.HOSPITAL_ACKNOWLEDGED: "Hospital acknowledged",
    incident_events.HOSPITAL_CAPACITY: "Hospital answered capacity",
    incident_events.HOSPITAL_REMOVED: "Hospital removed from an incident",
    incident_events.HOSPITAL_STOOD_DOWN: "Hospital stood down (removed, de-escalated, closed)",
    incident_events.INCIDENT_UPDATED: "Incident details updated",
    incident_events.INCIDENT_DEESCALATED: "Incident de-escalated",
    incident_events.INCIDENT_CLOSED: "Incident closed",
    incident_events.INCIDENT_REOPENED: "Incident reopened",
}


def rule_templates(rule: NotificationRule) -> dict[str, str]:
    return {
        "sms": rule.sms_template,
        "voice": rule.voice_template,
        "email_subject": rule.email_subject_template,
        "email": rule.email_body_template,
        "in_app": rule.in_app_template,
    }


def rule_audience(rule: NotificationRule, event: IncidentEvent) -> dict[str, Any]:
    """The audience spec of ``rule`` for ``event`` (see notifications.delivery.audiences)."""
    audience: dict[str, Any] = {}
    list_ids = sorted(d.pk for d in rule.distribution_lists.all())
    if list_ids:
        audience["lists"] = list_ids
    if rule.disciplines or rule.roster_roles:
        audience["disciplines"] = list(rule.disciplines)
        audience["roster_roles"] = list(rule.roster_roles)
        audience["on_call_only"] = rule.on_call_only
    if rule.incident_hospitals_er:
        audience["hospitals_er"] = True
        if event.hospital_id:
            audience["hospital_id"] = event.hospital_id
    if rule.everyone_notified:
        audience["everyone_notified"] = True
    return audience


def _covered_by_pending_alert(incident: Incident) -> bool:
    """Whether a not-yet-expanded notification of the incident already reaches every hospital
    on it. Declaring an MCI appends `incident.declared` and then one `hospital.added` per
    recommended hospital in one transaction; the declaration's alert is expanded after
    commit and reaches those hospitals, so a "hospital added" rule must not alert them twice.

    The candidate rows are locked: if the worker is expanding one right now, this waits for
    it and then sees it expanded (so the new hospital gets its own alert); if this locks
    first, the worker's expansion waits and then includes the new hospital.
    """
    pending = Notification.objects.select_for_update().filter(
        incident=incident, state=Notification.State.PENDING
    )
    return any(
        n.audience.get("hospitals_er") and not n.audience.get("hospital_id")
        for n in pending.only("id", "audience")
    )


def notification_for_rule(rule: NotificationRule, event: IncidentEvent) -> Notification | None:
    """Create the Notification ``rule`` asks for on ``event`` (None when nobody is left)."""
    incident = event.incident
    audience = rule_audience(rule, event)
    # (a stand-down is no alert: a pending alert never covers it)
    if (
        audience.get("hospital_id")
        and event.kind != incident_events.HOSPITAL_STOOD_DOWN
        and _covered_by_pending_alert(incident)
    ):
        audience.pop("hospitals_er")
        audience.pop("hospital_id")
        if not audience:
            return None
    channels = [c for c in rule.channels if c in ("sms", "voice", "email", "in_app")]
    context = context_for(incident=incident, event=event, hospital=event.hospital)
    subject, texts = render_texts(
        kind=event.kind,
        templates=rule_templates(rule),
        channels=channels,
        context=context,
        exercise=incident.is_exercise,
    )
    return Notification.objects.create(
        region_id=incident.region_id,
        incident=incident,
        event=event,
        rule=rule,
        kind=event.kind,
        exercise=incident.is_exercise,
        life_safety=rule.life_safety,
        channels=channels,
        subject=subject,
        texts=texts,
        audience=audience,
    )


def notification_for_update(update: SituationUpdate, event: IncidentEvent) -> Notification:
    """The notification of a situation update: its text to its audience lists."""
    incident = update.incident
    channels = conf.update_channels()
    context = context_for(incident=incident, event=event, update=update)
    subject, texts = render_texts(
        kind=incident_events.UPDATE_POSTED,
        templates={},
        channels=channels,
        context=context,
        exercise=incident.is_exercise,
    )
    return Notification.objects.create(
        region_id=incident.region_id,
        incident=incident,
        event=event,
        situation_update=update,
        kind=incident_events.UPDATE_POSTED,
        exercise=incident.is_exercise,
        channels=channels,
        subject=subject,
        texts=texts,
        audience={"lists": sorted(update.audience.values_list("id", flat=True))},
    )


def _isolated(make: Callable[[], Notification | None], what: str) -> Notification | None:
    """Create one notification in a savepoint. A rule that fails (a bug, a bad row) must not
    roll back the change that triggered it — an MCI declaration above all — nor keep the
    other rules from firing; it is logged loudly instead."""
    try:
        with transaction.atomic():
            return make()
    except Exception:
        logger.exception("could not create the notification for %s", what)
        return None


def on_event(event: IncidentEvent) -> None:
    """In-transaction subscriber: create the event's notifications and queue them on commit."""
    created: list[Notification | None] = []
    if event.kind == incident_events.UPDATE_POSTED:
        update = SituationUpdate.objects.filter(pk=event.data.get("update_id")).first()
        if update is not None:
            created.append(
                _isolated(lambda: notification_for_update(update, event), f"update {update.pk}")
            )
    elif event.kind in TRIGGERS:
        rules = (
            NotificationRule.objects.filter(
                region_id=event.incident.region_id, trigger=event.kind, active=True
            )
            .prefetch_related("distribution_lists")
            .order_by("id")
        )
        for rule in rules:
            created.append(
                _isolated(functools.partial(notification_for_rule, rule, event), f"rule {rule.pk}")
            )
    ids = [n.pk for n in created if n is not None]
    if ids:
        queue.notifications_on_commit(ids)
