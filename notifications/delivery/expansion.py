"""Expanding a Notification into Delivery rows, in bulk, in the worker.

One Delivery per (member, channel, address): one per contact point of the member on the
notification's phone/email channels, and one in-app delivery (address ``user:<id>``) per
member with an active login. An address is used once per notification even when two roster
entries share it (nobody gets the same SMS twice). Expansion is idempotent: it runs once per
notification under a row lock (pending → expanded) and its inserts ignore rows that exist
already (unique per notification + contact point, and per notification + member in-app).

The number of queries does not grow with the audience. On PostgreSQL the rows are made by
the database itself: one ``INSERT … SELECT DISTINCT ON (channel, address) … ON CONFLICT DO
NOTHING`` for contact points and one for in-app (10,000 rows in well under a second, where
building them as Django objects took several times longer). Elsewhere (SQLite, the embedded
mode), and for escalations that call SMS numbers, ``plan_deliveries`` builds them in Python
with the same rules (the audience one query, contact points one, existing rows one) and
``bulk_create`` inserts them in chunks of ``INSERT_CHUNK``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from agencies.models import Channel, ContactPoint, Member
from notifications.delivery.audiences import audience_members
from notifications.models import Delivery, Notification

logger = logging.getLogger(__name__)

INSERT_CHUNK = 1000
PHONE_CHANNELS = ("sms", "voice")
CONTACT_CHANNELS = tuple(Channel.values)  # the channels with an address in the roster


@dataclass(frozen=True)
class Expansion:
    """What expanding one notification did."""

    notification_id: int
    expanded: bool  # False: it was expanded before (nothing to do)
    created: int = 0
    recipients: int = 0


def _audience(notification: Notification) -> QuerySet[Member]:
    return audience_members(
        notification.audience or {},
        region_id=notification.region_id,
        incident_id=notification.incident_id,
        before_notification_id=notification.pk,
    )


def _calls_sms_numbers(notification: Notification) -> bool:
    # Escalations call a member's SMS number when they have no voice contact point.
    channels = notification.channels or []
    return bool(
        (notification.audience or {}).get("call_sms_numbers")
        and "voice" in channels
        and "sms" not in channels
    )


def plan_deliveries(notification: Notification) -> list[Delivery]:
    """The Delivery rows ``notification`` should have that it does not have yet (built in
    Python: the portable path)."""
    audience = notification.audience or {}
    channels = list(notification.channels or [])
    audience_qs = _audience(notification)
    members = list(audience_qs.values_list("id", "user_id", "user__is_active"))
    if not members:
        return []
    wanted = [c for c in channels if c in CONTACT_CHANNELS]
    call_sms = _calls_sms_numbers(notification)
    lookup = set(wanted) | ({"sms"} if call_sms else set())
    points = (
        list(
            # The audience again as a subquery: no list of thousands of ids to send back.
            ContactPoint.objects.filter(member_id__in=audience_qs.values("id"), channel__in=lookup)
            .order_by("member_id", "priority", "id")
            .values_list("id", "member_id", "channel", "address")
        )
        if lookup
        else []
    )
    taken = set(
        Delivery.objects.filter(notification=notification).values_list("channel", "address")
    )
    escalation = bool(audience.get("escalation"))
    rows: list[Delivery] = []

    def add(**fields: object) -> None:
        key = (fields["channel"], fields["address"])
        if key in taken:
            return
        taken.add(key)
        rows.append(Delivery(notification=notification, escalation=escalation, **fields))

    has_voice = {member_id for _, member_id, channel, _ in points if channel == "voice"}
    for point_id, member_id, channel, address in points:
        if channel in wanted:
            add(member_id=member_id, contact_point_id=point_id, channel=channel, address=address)
        elif call_sms and channel == "sms" and member_id not in has_voice:
            add(member_id=member_id, contact_point_id=point_id, channel="voice", address=address)
    if "in_app" in channels:
        for member_id, user_id, user_active in members:
            if user_id is not None and user_active:
                add(
                    member_id=member_id,
                    user_id=user_id,
                    channel="in_app",
                    address=f"user:{user_id}",
                )
    return rows


def insert_in_database(notification: Notification) -> tuple[int, set[int]]:
    """PostgreSQL: insert the notification's missing deliveries with INSERT … SELECT, by the
    same rules as ``plan_deliveries`` (first contact point by member, priority and id wins an
    address; one in-app row per active login). Returns (rows created, their member ids)."""
    channels = list(notification.channels or [])
    contact_channels = [c for c in channels if c in CONTACT_CHANNELS]
    member_sql, member_params = _audience(notification).values("id").query.sql_with_params()
    table = Delivery._meta.db_table
    columns = (
        "notification_id, member_id, contact_point_id, user_id, channel, address, status, "
        "attempts, last_error, escalation, created_at"
    )
    escalation = bool((notification.audience or {}).get("escalation"))
    now = timezone.now()
    created, members = 0, set()
    statements = []
    if contact_channels:
        placeholders = ", ".join(["%s"] * len(contact_channels))
        statements.append(
            (
                f"INSERT INTO {table} ({columns}) "
                f"SELECT DISTINCT ON (cp.channel, cp.address) %s, cp.member_id, cp.id, NULL, "
                f"cp.channel, cp.address, %s, 0, '', %s, %s "
                f"FROM {ContactPoint._meta.db_table} cp "
                f"WHERE cp.member_id IN ({member_sql}) AND cp.channel IN ({placeholders}) "
                f"AND NOT EXISTS (SELECT 1 FROM {table} d WHERE d.notification_id = %s "
                f"AND d.channel = cp.channel AND d.address = cp.address) "
                f"ORDER BY cp.channel, cp.address, cp.member_id, cp.priority, cp.id "
                f"ON CONFLICT DO NOTHING RETURNING member_id",
                [
                    notification.pk,
                    Delivery.Status.PENDING,
                    escalation,
                    now,
                    *member_params,
                    *contact_channels,
                    notification.pk,
                ],
            )
        )
    if "in_app" in channels:
        statements.append(
            (
                f"INSERT INTO {table} ({columns}) "
                f"SELECT DISTINCT ON (m.user_id) %s, m.id, NULL, m.user_id, 'in_app', "
                f"'user:' || m.user_id, %s, 0, '', %s, %s "
                f"FROM {Member._meta.db_table} m "
                f"JOIN {get_user_model()._meta.db_table} u ON u.id = m.user_id "
                f"WHERE m.id IN ({member_sql}) AND u.is_active "
                f"AND NOT EXISTS (SELECT 1 FROM {table} d WHERE d.notification_id = %s "
                f"AND d.channel = 'in_app' AND d.address = 'user:' || m.user_id) "
                f"ORDER BY m.user_id, m.id "
                f"ON CONFLICT DO NOTHING RETURNING member_id",
                [
                    notification.pk,
                    Delivery.Status.PENDING,
                    escalation,
                    now,
                    *member_params,
                    notification.pk,
                ],
            )
        )
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
            created += len(rows)
            members.update(member_id for (member_id,) in rows)
    return created, members


def dependencies(notification_id: int) -> list[int]:
    """The notifications to expand before this one: for "everyone notified on this incident
    so far", the incident's earlier notifications still pending (waiting for a worker, or
    for the broker), so "so far" means what it says."""
    head = (
        Notification.objects.filter(pk=notification_id, state=Notification.State.PENDING)
        .only("id", "incident_id", "audience")
        .first()
    )
    if head is None or not head.incident_id or not (head.audience or {}).get("everyone_notified"):
        return []
    return list(
        Notification.objects.filter(
            incident_id=head.incident_id, state=Notification.State.PENDING, pk__lt=notification_id
        )
        .order_by("id")
        .values_list("id", flat=True)
    )


def expand(notification_id: int) -> Expansion:
    """Create the notification's deliveries if it is still pending (see module docstring);
    expand its ``dependencies`` first."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update()
            .filter(pk=notification_id, state=Notification.State.PENDING)
            .first()
        )
        if notification is None:
            return Expansion(notification_id, expanded=False)
        if connection.vendor == "postgresql" and not _calls_sms_numbers(notification):
            created, members = insert_in_database(notification)
        else:
            rows = plan_deliveries(notification)
            Delivery.objects.bulk_create(rows, batch_size=INSERT_CHUNK, ignore_conflicts=True)
            created, members = len(rows), {row.member_id for row in rows}
        recipients = len(members)
        now = timezone.now()
        # Even with nobody to reach it is "expanded": the caller's finishing step marks it
        # done, with its final progress, like any other.
        notification.state = Notification.State.EXPANDED
        notification.expanded_at = now
        notification.recipient_count = recipients
        notification.save(update_fields=["state", "expanded_at", "recipient_count"])
    logger.info(
        "notification %s expanded: %s deliveries for %s recipients",
        notification_id,
        created,
        recipients,
    )
    return Expansion(notification_id, expanded=True, created=created, recipients=recipients)
