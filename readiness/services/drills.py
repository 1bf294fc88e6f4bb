"""Communications drills: start one (the region's emergency managers only), and its results.

A drill is one Notification with no incident, sent to the members targeted on every channel
their contact points give (SMS, voice, email) and in-app; its texts say plainly that it is a
drill. Results come from that notification's deliveries: an agency is reached when any of its
members has a delivered delivery (in-app counts once in the inbox) or
acknowledged; the time to acknowledge is from the start to
each member's first acknowledgement.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from statistics import median

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from agencies.models import (
    Agency,
    ContactPoint,
    Discipline,
    DistributionList,
    Member,
    Region,
    RosterRole,
)
from incidents.services.common import Actor
from notifications import queue
from notifications.delivery.audiences import lists_q, roles_q
from notifications.models import Delivery, Notification
from readiness.drill_access import can_start_drills
from readiness.models import CommunicationsDrill
from readiness.services.audit import audit

KIND = "readiness.communications_drill"
CHANNELS = ["sms", "voice", "email", "in_app"]
BANNER = "ASIM COMMUNICATIONS DRILL — no action except acknowledge."
MAX_MESSAGE = 300


def audience_members(
    region: Region, audience: str, distribution_list: DistributionList | None = None
) -> dict[int, list[int]]:
    """{agency id: sorted member ids} of the active members of active agencies targeted."""
    members = Member.objects.filter(active=True, agency__active=True)
    Audience = CommunicationsDrill.Audience
    if audience == Audience.DISTRIBUTION_LIST:
        if distribution_list is None or distribution_list.region_id != region.pk:
            raise ValidationError({"distribution_list": "Choose a list of this region."})
        members = members.filter(lists_q([distribution_list.pk]))
    else:
        members = members.filter(agency__region=region)
        if audience == Audience.ER_CONTACTS:
            members = members.filter(roles_q([RosterRole.ER_CONTACT]))
        elif audience == Audience.DISPATCH_CENTRES:
            members = members.filter(agency__discipline=Discipline.DISPATCH)
        elif audience == Audience.DUTY_OFFICERS:
            members = members.filter(roles_q([RosterRole.DUTY_OFFICER]))
        else:
            raise ValidationError({"audience": "Choose an audience."})
    found: dict[int, list[int]] = {}
    for agency_id, member_id in members.order_by("agency_id", "pk").values_list("agency_id", "pk"):
        found.setdefault(agency_id, []).append(member_id)
    return found


def _texts(region: Region, message: str) -> tuple[str, dict[str, str]]:
    body = f"{BANNER} {region.name}: {message}".strip() if message else f"{BANNER} {region.name}"
    reply = " Reply ACK to acknowledge."
    return (
        f"ASIM communications drill — {region.name}",
        {
            "sms": body + reply,
            "voice": body + " Press 1 to acknowledge.",
            "email": body + reply,
            "in_app": body,
        },
    )


def drill_start(
    *,
    actor: Actor,
    region: Region,
    audience: str,
    message: str = "",
    distribution_list: DistributionList | None = None,
    now: datetime | None = None,
) -> CommunicationsDrill:
    """Start a drill: the Notification is queued once the transaction commits."""
    if actor is not None and not can_start_drills(actor, region.pk):
        raise PermissionDenied("Only the region's emergency managers start drills.")
    message = message.strip()
    if len(message) > MAX_MESSAGE:
        raise ValidationError({"message": f"At most {MAX_MESSAGE} characters."})
    targeted = audience_members(region, audience, distribution_list)
    if not targeted:
        raise ValidationError({"audience": "Nobody on the roster is in this audience."})
    subject, texts = _texts(region, message)
    now = now or timezone.now()
    member_ids = sorted(m for ids in targeted.values() for m in ids)
    with transaction.atomic():
        notification = Notification.objects.create(
            region=region,
            kind=KIND,
            exercise=True,
            channels=CHANNELS,
            subject=subject,
            texts=texts,
            audience={"members": member_ids},
        )
        drill = CommunicationsDrill.objects.create(
            region=region,
            audience=audience,
            distribution_list=distribution_list,
            message=message,
            started_by=actor if actor is not None and actor.is_authenticated else None,
            started_at=now,
            notification=notification,
            targeted={str(k): v for k, v in targeted.items()},
        )
        audit(
            actor=actor,
            step="create",
            instance=drill,
            changes={"audience": audience, "members": len(member_ids)},
        )
        queue.notifications_on_commit([notification.pk])
    return drill


@dataclass
class AgencyResult:
    agency_id: int
    agency: str
    targeted: int
    reached: int = 0
    acknowledged: int = 0
    ack_seconds: list[float] = field(default_factory=list)
    not_acknowledged: list[str] = field(default_factory=list)

    @property
    def reach_percent(self) -> int:
        return round(100 * self.reached / self.targeted) if self.targeted else 0

    @property
    def median_ack_seconds(self) -> float | None:
        return median(self.ack_seconds) if self.ack_seconds else None

    @property
    def max_ack_seconds(self) -> float | None:
        return max(self.ack_seconds) if self.ack_seconds else None


def drill_results(
    drill: CommunicationsDrill, agency_ids: set[int] | None = None
) -> list[AgencyResult]:
    """Per agency targeted (only ``agency_ids`` when given): reach and time to acknowledge
    (three queries whatever the size)."""
    targeted = {int(k): v for k, v in drill.targeted.items()}
    if agency_ids is not None:
        targeted = {k: v for k, v in targeted.items() if k in agency_ids}
    names = dict(Agency.objects.filter(pk__in=targeted).values_list("pk", "name"))
    member_ids = [m for ids in targeted.values() for m in ids]
    people = dict(Member.objects.filter(pk__in=member_ids).values_list("pk", "full_name"))
    reached: set[int] = set()
    first_ack: dict[int, datetime] = {}
    rows = Delivery.objects.filter(
        notification_id=drill.notification_id, member_id__in=member_ids
    ).values_list("member_id", "status", "acknowledged_at")
    for member_id, status, acknowledged_at in rows:
        if status == Delivery.Status.DELIVERED:
            reached.add(member_id)
        if acknowledged_at is not None:
            reached.add(member_id)
            if member_id not in first_ack or acknowledged_at < first_ack[member_id]:
                first_ack[member_id] = acknowledged_at
    results = []
    for agency_id, ids in sorted(targeted.items(), key=lambda kv: names.get(kv[0], "")):
        result = AgencyResult(agency_id, names.get(agency_id, ""), targeted=len(ids))
        for member_id in ids:
            result.reached += member_id in reached
            if member_id in first_ack:
                result.acknowledged += 1
                result.ack_seconds.append(
                    max((first_ack[member_id] - drill.started_at).total_seconds(), 0.0)
                )
            else:
                result.not_acknowledged.append(people.get(member_id, ""))
        results.append(result)
    return results


STALE_AFTER = timedelta(days=90)


def stale_contacts(
    region: Region, agency_ids: set[int] | None = None, now: datetime | None = None
) -> dict[str, list[ContactPoint]]:
    """{agency name: contact points} not confirmed within STALE_AFTER. ContactPoint keeps no
    confirmation date: a point is confirmed by a delivery to it that was delivered or
    acknowledged within the period (a drill does this); ``verified`` alone is not enough."""
    since = (now or timezone.now()) - STALE_AFTER
    confirmed = Delivery.objects.filter(
        Q(delivered_at__gte=since) | Q(acknowledged_at__gte=since),
        contact_point__isnull=False,
    ).values("contact_point_id")
    points = (
        ContactPoint.objects.filter(
            member__active=True, member__agency__active=True, member__agency__region=region
        )
        .exclude(pk__in=confirmed)
        .select_related("member__agency")
        .order_by("member__agency__name", "member__full_name", "priority")
    )
    if agency_ids is not None:
        points = points.filter(member__agency_id__in=agency_ids)
    found: dict[str, list[ContactPoint]] = {}
    for point in points:
        found.setdefault(point.member.agency.name, []).append(point)
    return found
