"""Reads of notifications, already scoped to what the user may see.

- Notifications: those of incidents the user may see (incidents.queries.incidents_visible:
  dispatch, EMS, EM, responders and officials of the region; ER staff of an involved
  hospital), and every notification of the regions where they are an emergency manager.
- Deliveries (who was reached, at which address): everyone of a notification for the
  dispatchers and emergency managers of its region (they read every roster there);
  otherwise only members whose roster the user may read, and their own.
- In-app messages: each only to its own user.
- Rules and message templates: the emergency managers of the region.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import BooleanField, Case, Count, Exists, OuterRef, Q, QuerySet, Value, When

from agencies.models import ContactPoint, Role
from agencies.permissions import ROSTER_READERS_REGIONWIDE, scope_for
from agencies.queries import members_visible
from incidents import events as incident_events
from incidents.models import IncidentHospital
from incidents.queries import incidents_visible
from notifications.delivery import states
from notifications.delivery.audiences import audience_members
from notifications.models import Delivery, MessageTemplate, Notification, NotificationRule

User = AbstractBaseUser | AnonymousUser
RULE_KEEPERS = frozenset({Role.EMERGENCY_MANAGER})


def notifications_visible(user: User) -> QuerySet[Notification]:
    scope = scope_for(user)
    notifications = Notification.objects.select_related("incident", "region")
    if scope.superuser:
        return notifications
    allowed = Q(region_id__in=scope.regions_with(RULE_KEEPERS)) | Q(
        incident_id__in=incidents_visible(user).values("id")
    )
    return notifications.filter(allowed)


def sees_every_delivery(user: User, notification: Notification) -> bool:
    scope = scope_for(user)
    return scope.superuser or notification.region_id in scope.regions_with(
        ROSTER_READERS_REGIONWIDE
    )


# The alerts that ask a hospital to acknowledge: once the hospital has acknowledged the incident
# (by anyone, any way), each of them counts as acknowledged — the hospital rows and the
# delivery counts then tell the same story.
HOSPITAL_ALERT_KINDS = (
    incident_events.INCIDENT_DECLARED,
    incident_events.HOSPITAL_ADDED,
    incident_events.HOSPITAL_ESCALATED,
)


def with_hospital_acknowledged(deliveries: QuerySet[Delivery]) -> QuerySet[Delivery]:
    """Annotate ``hospital_acknowledged``: the delivery is a hospital alert whose recipient's
    hospital has acknowledged the incident."""
    acknowledged = IncidentHospital.objects.filter(
        incident_id=OuterRef("notification__incident_id"),
        hospital__agency_id=OuterRef("member__agency_id"),
        acknowledged_at__isnull=False,
    )
    return deliveries.annotate(
        hospital_acknowledged=Case(
            When(
                Q(notification__kind__in=HOSPITAL_ALERT_KINDS) & Exists(acknowledged),
                then=Value(True),
            ),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def deliveries_visible(user: User, notification: Notification) -> QuerySet[Delivery]:
    deliveries = with_hospital_acknowledged(
        Delivery.objects.filter(notification=notification).select_related("member__agency")
    )
    if sees_every_delivery(user, notification):
        return deliveries
    return deliveries.filter(
        Q(member_id__in=members_visible(user).values("id"))
        | Q(user_id=user.pk)
        | Q(member__user_id=user.pk)
    )


def inbox(user: User) -> QuerySet[Delivery]:
    """The user's in-app messages that have reached the inbox, newest first."""
    if not user.is_authenticated:
        return Delivery.objects.none()
    return (
        Delivery.objects.filter(
            user_id=user.pk,
            channel="in_app",
            status__in=[Delivery.Status.SENT, Delivery.Status.DELIVERED],
        )
        .select_related("notification__incident")
        .order_by("-sent_at", "-id")
    )


def rule_regions(user: User) -> set[int] | None:
    """Regions whose rules and templates the user keeps (None: all, for a superuser)."""
    scope = scope_for(user)
    if scope.superuser:
        return None
    return scope.regions_with(RULE_KEEPERS)


def rules_manageable(user: User) -> QuerySet[NotificationRule]:
    regions = rule_regions(user)
    rules = NotificationRule.objects.select_related("region").prefetch_related("distribution_lists")
    return rules if regions is None else rules.filter(region_id__in=regions)


def message_templates_manageable(user: User) -> QuerySet[MessageTemplate]:
    regions = rule_regions(user)
    templates = MessageTemplate.objects.select_related("region")
    return templates if regions is None else templates.filter(region_id__in=regions)


def _empty_summary() -> dict[str, Any]:
    return {
        "total": 0,
        **dict.fromkeys(states.PLAIN_STATES, 0),
        "failure_reasons": {},
        "phase": "finished",
        "text": "",
    }


def counts_for(notification_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """{notification id: {"counts": {status: n}, "total": n, "acknowledged": n, "summary":
    {...}}} in one query (two when a delivery failed).

    ``summary`` is in words people use (states.PLAIN_STATES): ``reached`` (delivered or
    acknowledged), ``acknowledged``, ``on_the_way``, ``sending``, ``failed`` with
    ``failure_reasons`` ({reason: n}), ``not_sent`` (console), a ``phase`` (sending,
    waiting_for_receipts, finished) and the one-line ``text`` a board shows.
    ``acknowledged`` counts the recipient's own acknowledgement or, for a hospital alert,
    their hospital's (see HOSPITAL_ALERT_KINDS)."""
    ids = list(notification_ids)
    result: dict[int, dict[str, Any]] = {
        pk: {
            "counts": dict.fromkeys(Delivery.Status.values, 0),
            "total": 0,
            "acknowledged": 0,
            "summary": _empty_summary(),
        }
        for pk in ids
    }
    if not ids:
        return result
    rows = (
        with_hospital_acknowledged(Delivery.objects.filter(notification_id__in=ids))
        .annotate(
            own_ack=Case(
                When(acknowledged_at__isnull=False, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
            console=Case(
                When(provider_id__startswith=states.NOT_SENT_PREFIX, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
        .values(
            "notification_id", "channel", "status", "own_ack", "hospital_acknowledged", "console"
        )
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        entry = result[row["notification_id"]]
        entry["counts"][row["status"]] += row["n"]
        entry["total"] += row["n"]
        plain = states.plain_state(
            channel=row["channel"],
            status=row["status"],
            acknowledged=row["own_ack"],
            hospital_acknowledged=row["hospital_acknowledged"],
            console=row["console"],
        )
        entry["summary"][plain] += row["n"]
    failed_ids = [pk for pk, entry in result.items() if entry["summary"]["failed"]]
    failures = (
        Delivery.objects.filter(
            notification_id__in=failed_ids,
            status__in=(Delivery.Status.FAILED, Delivery.Status.UNDELIVERED),
            acknowledged_at__isnull=True,
        )
        .values("notification_id", "channel", "error_code", "last_error")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in failures if failed_ids else ():  # the second query only when something failed
        reasons = result[row["notification_id"]]["summary"]["failure_reasons"]
        reason = states.failure_reason(
            channel=row["channel"], error_code=row["error_code"], last_error=row["last_error"]
        )
        reasons[reason] = reasons.get(reason, 0) + row["n"]
    for entry in result.values():
        summary = entry["summary"]
        summary["failure_reasons"] = dict(  # most common first, then by name
            sorted(summary["failure_reasons"].items(), key=lambda item: (-item[1], item[0]))
        )
        summary["total"] = entry["total"]
        summary["reached"] += summary["acknowledged"]
        entry["acknowledged"] = summary["acknowledged"]
        if summary["sending"]:
            summary["phase"] = "sending"
        elif summary["on_the_way"]:
            summary["phase"] = "waiting_for_receipts"
        summary["text"] = states.summary_text(summary) if entry["total"] else ""
    return result


def channel_counts(notification_ids: Sequence[int]) -> dict[int, dict[str, int]]:
    """{notification id: {channel: deliveries}} in one query."""
    result: dict[int, dict[str, int]] = defaultdict(dict)
    rows = (
        Delivery.objects.filter(notification_id__in=list(notification_ids))
        .values("notification_id", "channel")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        result[row["notification_id"]][row["channel"]] = row["n"]
    return result


def audience_preview(
    *, region_id: int, incident_id: int | None, list_ids: Sequence[int], channels: Sequence[str]
) -> dict[str, Any]:
    """How many people and addresses distribution lists reach, per channel (three queries):
    ``recipients`` (members), ``by_channel`` (distinct addresses, logins for in-app) and
    ``unreachable`` (members with nothing on those channels)."""
    members = audience_members(
        {"lists": list(list_ids)}, region_id=region_id, incident_id=incident_id
    )
    by_channel = dict.fromkeys(channels, 0)
    contact_channels = [c for c in channels if c != "in_app"]
    if contact_channels:
        for row in (
            ContactPoint.objects.filter(
                member_id__in=members.values("id"), channel__in=contact_channels
            )
            .values("channel")
            .annotate(n=Count("address", distinct=True))
            .order_by()
        ):
            by_channel[row["channel"]] = row["n"]
    reachable = Q(contact_points__channel__in=contact_channels)
    if "in_app" in channels:
        by_channel["in_app"] = (
            members.filter(user__isnull=False, user__is_active=True)
            .values("user_id")
            .distinct()
            .count()
        )
        reachable |= Q(user__isnull=False, user__is_active=True)
    recipients = members.count()
    unreachable = members.exclude(pk__in=members.filter(reachable).values("id")).count()
    return {"recipients": recipients, "by_channel": by_channel, "unreachable": unreachable}
