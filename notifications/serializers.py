"""API shapes of the notifications app. Input serializers check shape; the services check
meaning (and their ValidationErrors become 400s with field errors in api.py)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agencies.models import Discipline, RosterRole
from notifications.delivery import states
from notifications.delivery.audiences import describe
from notifications.delivery.transports import DeliveryChannel
from notifications.models import Delivery, Notification
from notifications.services import mask_number
from notifications.services.rules import TRIGGERS

STATUS_HELP = "pending, sending, sent, delivered, undelivered or failed"
CHANNEL_HELP = f"{', '.join(DeliveryChannel.values[:-1])} or {DeliveryChannel.values[-1]}"


class CountsSerializer(serializers.Serializer):
    pending = serializers.IntegerField()
    sending = serializers.IntegerField()
    sent = serializers.IntegerField()
    delivered = serializers.IntegerField()
    undelivered = serializers.IntegerField()
    failed = serializers.IntegerField()


class DeliverySummarySerializer(serializers.Serializer):
    """A notification's deliveries in words people use (delivery/states.py PLAIN_STATES)."""

    total = serializers.IntegerField()
    reached = serializers.IntegerField(help_text="Delivered or acknowledged.")
    acknowledged = serializers.IntegerField(
        help_text="By the recipient, or (for a hospital alert) by their hospital."
    )
    on_the_way = serializers.IntegerField(help_text="Accepted by the provider, no receipt yet.")
    sending = serializers.IntegerField(help_text="Not handed to the provider yet.")
    failed = serializers.IntegerField()
    failure_reasons = serializers.DictField(
        child=serializers.IntegerField(), help_text='{reason: n}, e.g. {"number not mobile": 2}'
    )
    not_sent = serializers.IntegerField(help_text="Kept by the console transport: not sent.")
    phase = serializers.ChoiceField(choices=["sending", "waiting_for_receipts", "finished"])
    text = serializers.CharField(help_text="The one line a board shows.")


class NotificationSerializer(serializers.ModelSerializer):
    """A notification with its delivery counts (``counts`` from the view's context)."""

    incident_number = serializers.CharField(source="incident.number", default=None, allow_null=True)
    audience_labels = serializers.SerializerMethodField()
    total = serializers.SerializerMethodField()
    counts = serializers.SerializerMethodField()
    acknowledged = serializers.SerializerMethodField()
    summary = serializers.SerializerMethodField()
    by_channel = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = [
            "id",
            "region",
            "incident",
            "incident_number",
            "situation_update",
            "rule",
            "kind",
            "exercise",
            "life_safety",
            "channels",
            "subject",
            "texts",
            "audience_labels",
            "state",
            "created_at",
            "queued_at",
            "expanded_at",
            "done_at",
            "recipient_count",
            "total",
            "counts",
            "acknowledged",
            "summary",
            "by_channel",
        ]

    def _entry(self, notification: Notification) -> dict[str, Any]:
        return self.context.get("counts", {}).get(notification.pk, {})

    def get_audience_labels(self, notification: Notification) -> list[str]:
        return describe(notification.audience or {})

    def get_total(self, notification: Notification) -> int:
        return int(self._entry(notification).get("total", 0))

    @extend_schema_field(CountsSerializer)
    def get_counts(self, notification: Notification) -> dict[str, int]:
        counts = self._entry(notification).get("counts")
        return dict(counts) if counts else dict.fromkeys(Delivery.Status.values, 0)

    def get_acknowledged(self, notification: Notification) -> int:
        return int(self._entry(notification).get("acknowledged", 0))

    @extend_schema_field(DeliverySummarySerializer)
    def get_summary(self, notification: Notification) -> dict[str, Any]:
        return dict(self._entry(notification).get("summary") or {})

    def get_by_channel(self, notification: Notification) -> dict[str, int]:
        return dict(self.context.get("channels", {}).get(notification.pk, {}))


class DeliverySerializer(serializers.ModelSerializer):
    """One recipient, channel and address, with its delivery and read/ack state."""

    # Plain strings in the schema: the same field names carry other choice sets elsewhere.
    channel = serializers.CharField(help_text=CHANNEL_HELP)
    status = serializers.CharField(help_text=STATUS_HELP)
    member_name = serializers.CharField(source="member.full_name")
    agency = serializers.CharField(source="member.agency.name")
    agency_id = serializers.IntegerField(source="member.agency_id")
    address = serializers.SerializerMethodField()
    state = serializers.SerializerMethodField(
        help_text="acknowledged, reached, on_the_way, sending, failed or not_sent"
    )
    state_label = serializers.SerializerMethodField(help_text="The state in words.")
    failure_reason = serializers.SerializerMethodField(
        help_text='Why it failed, in words ("number not mobile", "opted out …"); "" otherwise.'
    )

    class Meta:
        model = Delivery
        fields = [
            "id",
            "member",
            "member_name",
            "agency",
            "agency_id",
            "channel",
            "address",
            "status",
            "attempts",
            "error_code",
            "last_error",
            "escalation",
            "next_attempt_at",
            "sent_at",
            "delivered_at",
            "failed_at",
            "read_at",
            "acknowledged_at",
            "state",
            "state_label",
            "failure_reason",
        ]

    def get_state(self, delivery: Delivery) -> str:
        return states.plain_state(
            channel=delivery.channel,
            status=delivery.status,
            acknowledged=delivery.acknowledged_at is not None,
            hospital_acknowledged=bool(getattr(delivery, "hospital_acknowledged", False)),
            console=states.not_sent(delivery.provider_id),
        )

    def get_state_label(self, delivery: Delivery) -> str:
        label = states.PLAIN_STATES[self.get_state(delivery)]
        reason = self.get_failure_reason(delivery)
        return f"{label}: {reason}" if reason else label

    def get_failure_reason(self, delivery: Delivery) -> str:
        if delivery.status not in (Delivery.Status.FAILED, Delivery.Status.UNDELIVERED):
            return ""
        return states.failure_reason(
            channel=delivery.channel, error_code=delivery.error_code, last_error=delivery.last_error
        )

    def get_address(self, delivery: Delivery) -> str:
        # Phone numbers in full only for those who read the roster; others see who, not how.
        if self.context.get("full_addresses"):
            return delivery.address
        return mask_number(delivery.address) if delivery.channel in ("sms", "voice") else ""


class InboxSerializer(serializers.ModelSerializer):
    """An in-app message as its user sees it."""

    notification = serializers.IntegerField(source="notification_id")
    incident = serializers.IntegerField(source="notification.incident_id", allow_null=True)
    incident_number = serializers.CharField(
        source="notification.incident.number", default=None, allow_null=True
    )
    kind = serializers.CharField(source="notification.kind")
    text = serializers.SerializerMethodField()
    life_safety = serializers.BooleanField(source="notification.life_safety")
    exercise = serializers.BooleanField(source="notification.exercise")
    status = serializers.CharField(help_text=STATUS_HELP)

    class Meta:
        model = Delivery
        fields = [
            "id",
            "notification",
            "incident",
            "incident_number",
            "kind",
            "text",
            "life_safety",
            "exercise",
            "status",
            "sent_at",
            "read_at",
            "acknowledged_at",
        ]

    def get_text(self, delivery: Delivery) -> str:
        texts = delivery.notification.texts or {}
        return texts.get("in_app") or texts.get("sms") or ""


class RuleSerializer(serializers.Serializer):
    """A notification rule: trigger, audience, channels and a template per channel."""

    id = serializers.IntegerField(read_only=True)
    region = serializers.IntegerField(source="region_id", required=False, min_value=1)
    name = serializers.CharField(max_length=120)
    trigger = serializers.ChoiceField(choices=list(TRIGGERS.items()))
    active = serializers.BooleanField(default=True)
    distribution_lists = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        source="distribution_list_ids",
        required=False,
        max_length=50,
    )
    disciplines = serializers.ListField(
        child=serializers.ChoiceField(choices=Discipline.choices), required=False, max_length=20
    )
    # Roster roles and channels are checked by the service (notifications.services): as
    # plain strings here, their choice sets keep one name each in the OpenAPI schema.
    roster_roles = serializers.ListField(
        child=serializers.CharField(max_length=40),
        required=False,
        max_length=20,
        help_text=f"Roster roles: {', '.join(RosterRole.values)}.",
    )
    on_call_only = serializers.BooleanField(default=False)
    incident_hospitals_er = serializers.BooleanField(default=False)
    everyone_notified = serializers.BooleanField(default=False)
    channels = serializers.ListField(
        child=serializers.CharField(max_length=10), max_length=4, help_text=CHANNEL_HELP
    )
    life_safety = serializers.BooleanField(default=False)
    sms_template = serializers.CharField(required=False, allow_blank=True, max_length=1600)
    voice_template = serializers.CharField(required=False, allow_blank=True, max_length=3000)
    email_subject_template = serializers.CharField(required=False, allow_blank=True, max_length=200)
    email_body_template = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    in_app_template = serializers.CharField(required=False, allow_blank=True, max_length=1600)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)


class MessageTemplateSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    region = serializers.IntegerField(source="region_id", required=False, min_value=1)
    name = serializers.CharField(max_length=120)
    body = serializers.CharField(max_length=1600)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)


class PreviewInSerializer(serializers.Serializer):
    """Which lists, and optionally a template or free text, to preview an update for."""

    audience = serializers.ListField(
        child=serializers.IntegerField(min_value=1), allow_empty=False, max_length=50
    )
    template = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    body = serializers.CharField(max_length=1600, required=False, allow_blank=True)


class ListRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class PreviewOutSerializer(serializers.Serializer):
    recipients = serializers.IntegerField()
    unreachable = serializers.IntegerField()
    by_channel = serializers.DictField(child=serializers.IntegerField())
    channels = serializers.ListField(child=serializers.CharField())
    audience = ListRefSerializer(many=True)
    body = serializers.CharField()
    text = serializers.CharField(help_text="The body as recipients will read it (SMS).")


class EmptySerializer(serializers.Serializer):
    """No request body."""
