"""Exchange partners (who may read our feeds or send us documents) and what they sent."""

from __future__ import annotations

from django.db import models

from agencies.models import Region
from incidents.models import Incident


class ExchangePartner(models.Model):
    """Another system a region exchanges CAP / EDXL documents with: an alert aggregator, a
    neighbouring county, the state EOC. Authenticated by an API key of which only the SHA-256
    is stored; its scopes say what it may read and send."""

    class Scope(models.TextChoices):
        CAP_READ = "cap_read", "Read the region's CAP alerts"
        HAVE_READ = "have_read", "Read the region's hospital status (EDXL-HAVE)"
        CAP_SEND = "cap_send", "Send CAP alerts that may open incidents"
        HAVE_SEND = "have_send", "Send EDXL-HAVE status of outside partner hospitals"

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="exchange_partners")
    name = models.CharField(max_length=80)
    key_prefix = models.CharField(max_length=8, help_text="First characters, to recognise a key.")
    key_hash = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list, help_text="Scope values.")
    cap_senders = models.JSONField(
        default=list, blank=True, help_text="CAP `sender` values accepted from this partner."
    )
    cap_events = models.JSONField(
        default=list,
        blank=True,
        help_text="CAP `info/event` values (case-insensitive) whose Alert opens an incident.",
    )
    cap_incident_kind = models.CharField(
        max_length=20, choices=Incident.Kind.choices, default=Incident.Kind.OTHER_MCI
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["region", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"

    def may(self, scope: str) -> bool:
        return scope in self.scopes


class InboundMessage(models.Model):
    """One document a partner sent, what it was and what became of it. A CAP message is
    recorded once per (region, sender, identifier): sending it again changes nothing."""

    class Standard(models.TextChoices):
        CAP = "cap", "CAP 1.2"
        HAVE = "have", "EDXL-HAVE 1.0"

    class Outcome(models.TextChoices):
        OPENED = "opened", "Opened an incident"
        UPDATED = "updated", "Updated an incident"
        CLOSED = "closed", "Closed an incident"
        APPLIED = "applied", "Applied"
        IGNORED = "ignored", "Recorded and ignored"

    partner = models.ForeignKey(ExchangePartner, on_delete=models.CASCADE, related_name="inbound")
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+")
    standard = models.CharField(max_length=8, choices=Standard.choices)
    sender = models.CharField(max_length=255, blank=True)
    identifier = models.CharField(max_length=255, blank=True)
    msg_type = models.CharField(max_length=20, blank=True)
    status = models.CharField(max_length=20, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    reason = models.CharField(max_length=400, blank=True)
    incident = models.ForeignKey(
        Incident, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    enveloped = models.BooleanField(default=False, help_text="Came inside an EDXL-DE envelope.")

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "sender", "identifier"],
                condition=models.Q(standard="cap"),
                name="inbound_cap_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.standard} {self.identifier or self.pk}: {self.outcome}"
