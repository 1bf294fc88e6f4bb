"""Notification rules, the outbox (Notification) and one Delivery per recipient and address."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from agencies.models import ContactPoint, DistributionList, Hospital, Member, Region
from incidents.models import Incident, IncidentEvent, SituationUpdate
from notifications.delivery.transports import DeliveryChannel


class NotificationRule(models.Model):
    """When an incident event of `trigger` kind happens in the region, notify an audience."""

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="notification_rules")
    name = models.CharField(max_length=120)
    trigger = models.CharField(max_length=40, help_text="An incident event kind.")
    active = models.BooleanField(default=True)
    # --- audience: the union of every part that is set
    distribution_lists = models.ManyToManyField(DistributionList, blank=True, related_name="+")
    disciplines = models.JSONField(
        default=list, blank=True, help_text="Members of the region's agencies of these disciplines…"
    )
    roster_roles = models.JSONField(
        default=list, blank=True, help_text="…holding one of these roster roles (empty: any)…"
    )
    on_call_only = models.BooleanField(default=False, help_text="…and on call.")
    incident_hospitals_er = models.BooleanField(
        default=False,
        help_text="The ER contacts of the incident's hospitals (of the event's hospital, when "
        "the event names one).",
    )
    everyone_notified = models.BooleanField(
        default=False, help_text="Everyone notified on this incident so far."
    )
    # --- what is sent
    channels = models.JSONField(default=list, help_text="DeliveryChannel values.")
    life_safety = models.BooleanField(
        default=False, help_text="Short SMS validity: a stale alert fails instead of arriving late."
    )
    sms_template = models.TextField(blank=True)
    voice_template = models.TextField(blank=True)
    email_subject_template = models.CharField(max_length=200, blank=True)
    email_body_template = models.TextField(blank=True)
    in_app_template = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["region", "trigger", "name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="notification_rule_name")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.trigger})"

    @property
    def distribution_list_ids(self) -> list[int]:
        """The ids of its lists (uses a prefetch of ``distribution_lists`` when there is one)."""
        return sorted(d.pk for d in self.distribution_lists.all())


class Notification(models.Model):
    """One message to many (the outbox row): created in the transaction of the change that
    caused it, expanded into Deliveries by a worker; the sweeper re-queues any left behind."""

    class State(models.TextChoices):
        PENDING = "pending", "Waiting to be expanded"
        EXPANDED = "expanded", "Deliveries created"
        DONE = "done", "Every delivery finished"

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="notifications")
    incident = models.ForeignKey(
        Incident, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    event = models.ForeignKey(
        IncidentEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rule = models.ForeignKey(
        NotificationRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    situation_update = models.ForeignKey(
        SituationUpdate,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(max_length=40, help_text="The trigger: an incident event kind.")
    exercise = models.BooleanField(default=False)
    life_safety = models.BooleanField(default=False)
    channels = models.JSONField(default=list)
    subject = models.CharField(max_length=200, blank=True)
    texts = models.JSONField(default=dict, help_text="{channel: rendered body}")
    audience = models.JSONField(
        default=dict, help_text="Who it reaches, resolved at expansion (lists, member ids…)."
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    expanded_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    recipient_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"


class Delivery(models.Model):
    """One recipient, one channel, one address: pending → sending → sent → delivered /
    undelivered / failed; acknowledged is recorded alongside (acknowledged_at)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        DELIVERED = "delivered", "Delivered"
        UNDELIVERED = "undelivered", "Undelivered"
        FAILED = "failed", "Failed"

    # No index of its own: (notification, status) below serves every lookup by notification.
    # Every claim and every answer rewrites a row and each of its indexes, so each index here
    # is paid for twice per message.
    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries", db_index=False
    )
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="deliveries")
    contact_point = models.ForeignKey(
        ContactPoint, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="inbox",
        help_text="The login an in-app message is for.",
    )
    channel = models.CharField(max_length=10, choices=DeliveryChannel.choices)
    address = models.CharField(max_length=254)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    provider_id = models.CharField(max_length=64, null=True, blank=True)  # unique: see Meta
    error_code = models.IntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    escalation = models.BooleanField(default=False, help_text="Sent by an escalation.")
    created_at = models.DateTimeField(auto_now_add=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "contact_point"],
                condition=Q(contact_point__isnull=False),
                name="delivery_once_per_contact_point",
            ),
            models.UniqueConstraint(
                fields=["notification", "member"],
                condition=Q(channel="in_app"),
                name="delivery_in_app_once_per_member",
            ),
            # A constraint rather than unique=True: the same unique index, without the extra
            # LIKE-pattern index PostgreSQL gets for a unique CharField.
            models.UniqueConstraint(fields=["provider_id"], name="delivery_provider_id_unique"),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["address", "sent_at"]),
            models.Index(fields=["notification", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.channel} to {self.address} ({self.status})"


class MessageTemplate(models.Model):
    """A region's ready-made text for an emergency manager's update (Django template syntax;
    context: incident, region)."""

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="message_templates")
    name = models.CharField(max_length=120)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["region", "name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="message_template_name")
        ]

    def __str__(self) -> str:
        return self.name


class HospitalEscalation(models.Model):
    """One escalation level reached for a hospital on an incident; unique, so a level is never
    escalated twice."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="+")
    hospital = models.ForeignKey(Hospital, on_delete=models.CASCADE, related_name="+")
    level = models.PositiveSmallIntegerField()
    at = models.DateTimeField()
    recipients = models.PositiveIntegerField(default=0)
    notification = models.ForeignKey(
        Notification, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["incident", "hospital", "level"]
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "hospital", "level"], name="hospital_escalation_once"
            )
        ]

    def __str__(self) -> str:
        return f"hospital {self.hospital_id} on {self.incident_id}: level {self.level}"


class HandledTwilioRequest(models.Model):
    """An inbound SMS (``MessageSid``) or a voice keypress (``CallSid`` + ``Digits``) that was
    acted on. Inserted in the transaction of the action; the unique constraint makes a replayed
    or concurrently duplicated request act at most once."""

    sid = models.CharField(max_length=64)
    digits = models.CharField(max_length=32, blank=True, default="")
    handled_at = models.DateTimeField()

    class Meta:
        ordering = ["-handled_at"]
        constraints = [
            models.UniqueConstraint(fields=["sid", "digits"], name="twilio_request_handled_once")
        ]

    def __str__(self) -> str:
        return f"{self.sid} {self.digits}".strip()
