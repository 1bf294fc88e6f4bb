"""Acknowledging notifications and reading in-app messages.

Each function takes keyword-only arguments, runs in one transaction, validates before it
saves (ValidationError with per-field messages) and records rule and template changes in the
audit log. Permission checks happen in the caller (API views, webhooks).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from agencies.models import Hospital, RosterRole
from incidents import events
from incidents.models import Incident, IncidentHospital
from incidents.services import hospital_acknowledge
from notifications.delivery import progress, states
from notifications.models import (
    Delivery,
    Notification,
)
from notifications.services.rules import TRIGGERS

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
