"""Incidents and MCIs: the incident, its timeline, its hospitals, its patients, its updates.

State changes go through incidents/services (never `save()` from a view); the timeline
(IncidentEvent) is append-only and written by incidents/events.append_event.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from agencies.models import DistributionList, Hospital, Region


class TriageCategory(models.TextChoices):
    """START/SALT categories; the colour goes with the word on every screen."""

    IMMEDIATE = "immediate", "Immediate (red)"
    DELAYED = "delayed", "Delayed (yellow)"
    MINOR = "minor", "Minor (green)"
    EXPECTANT = "expectant", "Expectant (grey)"
    DECEASED = "deceased", "Deceased (black)"


# Hospitals answer capacity for these three; expectant and deceased are not polled.
CAPACITY_CATEGORIES: tuple[str, ...] = (
    TriageCategory.IMMEDIATE,
    TriageCategory.DELAYED,
    TriageCategory.MINOR,
)
CATEGORY_LETTER = {"immediate": "R", "delayed": "Y", "minor": "G"}


class IncidentQuerySet(models.QuerySet["Incident"]):
    def real(self) -> IncidentQuerySet:
        """Actual incidents only: exercises and tests never mix into real figures."""
        return self.filter(application=Incident.Application.ACTUAL)


class Incident(models.Model):
    """An active-shooter event, hostile event or other MCI in one region."""

    class Kind(models.TextChoices):
        ACTIVE_SHOOTER = "active_shooter", "Active shooter"
        HOSTILE_EVENT = "hostile_event", "Hostile event"
        OTHER_MCI = "other_mci", "Other MCI"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        DEESCALATED = "deescalated", "De-escalated"
        CLOSED = "closed", "Closed"

    class Application(models.TextChoices):
        ACTUAL = "actual", "Actual"
        EXERCISE = "exercise", "Exercise"
        TEST = "test", "Test"

    class Population(models.TextChoices):
        """Who the casualties are: hospital ranking weighs adult or paediatric trauma care."""

        UNKNOWN = "unknown", "Not known"
        ADULTS = "adults", "Adults"
        CHILDREN = "children", "Children"
        MIXED = "mixed", "Adults and children (e.g. a school)"

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="incidents")
    number = models.CharField(max_length=12, help_text="YYYY-NNNN, unique per region.")
    year = models.PositiveSmallIntegerField()
    sequence = models.PositiveIntegerField()
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER_MCI)
    title = models.CharField(max_length=160)
    location_text = models.CharField(max_length=240, blank=True)
    latitude = models.FloatField(
        null=True, blank=True, validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    longitude = models.FloatField(
        null=True, blank=True, validators=[MinValueValidator(-180), MaxValueValidator(180)]
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE)
    application = models.CharField(
        max_length=10, choices=Application.choices, default=Application.ACTUAL
    )
    cad_number = models.CharField(
        max_length=60, blank=True, help_text="The CAD's own number; CAD intake is idempotent on it."
    )
    estimated_immediate = models.PositiveIntegerField(default=0)
    estimated_delayed = models.PositiveIntegerField(default=0)
    estimated_minor = models.PositiveIntegerField(default=0)
    estimated_expectant = models.PositiveIntegerField(default=0)
    estimated_deceased = models.PositiveIntegerField(default=0)
    casualty_population = models.CharField(
        max_length=10, choices=Population.choices, default=Population.UNKNOWN
    )
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="incidents_declared",
    )
    declared_via = models.CharField(max_length=80, blank=True, help_text="e.g. 'CAD: County CAD'")
    declared_at = models.DateTimeField()
    deescalated_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closing_summary = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The last timeline seq handed out; bumped under a row lock by events.append_event.
    last_seq = models.PositiveIntegerField(default=0)

    objects = IncidentQuerySet.as_manager()

    class Meta:
        ordering = ["-declared_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["region", "number"], name="incident_number_per_region"),
            models.UniqueConstraint(
                fields=["region", "year", "sequence"], name="incident_sequence_per_region_year"
            ),
            models.UniqueConstraint(
                fields=["region", "cad_number"],
                condition=~Q(cad_number=""),
                name="incident_cad_number_per_region",
            ),
        ]
        indexes = [models.Index(fields=["region", "status"])]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def is_exercise(self) -> bool:
        """Exercises and tests: messages say EXERCISE, boards show a banner, figures skip it."""
        return self.application != self.Application.ACTUAL

    def estimated(self) -> dict[str, int]:
        return {category: getattr(self, f"estimated_{category}") for category in TriageCategory}


class IncidentEvent(models.Model):
    """One entry of an incident's append-only timeline: the live feed and the record at once."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveIntegerField()
    kind = models.CharField(max_length=40)
    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    actor_label = models.CharField(max_length=160, blank=True)
    summary = models.CharField(max_length=400)
    data = models.JSONField(default=dict, blank=True)
    public = models.BooleanField(
        default=False, help_text="Officials may see its summary: never patient details."
    )
    # The hospital an event concerns, so ER staff see their own part of the timeline.
    hospital = models.ForeignKey(
        Hospital, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["incident", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "seq"], name="incident_event_seq_unique")
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.kind}: {self.summary}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("The incident timeline is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValueError("The incident timeline is append-only.")


# The escalation ladder of a hospital that has not acknowledged (notifications.services.escalation
# runs it, one step per region `ack_timeout_seconds`): level → who is called, by voice.
ESCALATION_STEPS: dict[int, str] = {1: "ER contacts not yet called", 2: "on-call staff"}


class IncidentHospital(models.Model):
    """A hospital on an incident: why it was chosen, whether it acknowledged, what it can take."""

    class Source(models.TextChoices):
        RANKED = "ranked", "Recommended"
        CAD = "cad", "CAD"
        MANUAL = "manual", "Added by dispatch"
        WALK_IN = "walk_in", "Walk-in received"

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="hospitals")
    hospital = models.ForeignKey(Hospital, on_delete=models.PROTECT, related_name="incidents")
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.MANUAL)
    rank = models.PositiveSmallIntegerField(null=True, blank=True)
    reasons = models.JSONField(default=list, blank=True, help_text="Human-readable reasons.")
    distance_km = models.FloatField(null=True, blank=True)
    notified_at = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    capacity_immediate = models.PositiveIntegerField(null=True, blank=True)
    capacity_delayed = models.PositiveIntegerField(null=True, blank=True)
    capacity_minor = models.PositiveIntegerField(null=True, blank=True)
    capacity_answered_at = models.DateTimeField(null=True, blank=True)
    capacity_answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    capacity_revisions = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["incident", "rank", "id"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "hospital"], name="incident_hospital_once")
        ]

    def __str__(self) -> str:
        return f"{self.hospital_id} on {self.incident_id}"

    @property
    def status(self) -> str:
        if self.capacity_answered_at:
            return "answered"
        if self.acknowledged_at:
            return "acknowledged"
        return "notified"

    def capacity(self) -> dict[str, int | None]:
        return {category: getattr(self, f"capacity_{category}") for category in CAPACITY_CATEGORIES}


class HospitalStandDown(models.Model):
    """A hospital told to stand down on an incident — taken off it, or the incident
    de-escalated or closed — and whether its ER has acknowledged that."""

    class Reason(models.TextChoices):
        REMOVED = "removed", "Removed from the incident"
        DEESCALATED = "deescalated", "Incident de-escalated"
        CLOSED = "closed", "Incident closed"

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="standdowns")
    hospital = models.ForeignKey(Hospital, on_delete=models.PROTECT, related_name="standdowns")
    reason = models.CharField(max_length=12, choices=Reason.choices)
    at = models.DateTimeField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    by_label = models.CharField(max_length=160, blank=True, help_text="Who, by full name.")
    # The seq of its hospital.stood_down event: a removed hospital reads the timeline up to it.
    seq = models.PositiveIntegerField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["incident", "seq"]
        indexes = [models.Index(fields=["hospital", "acknowledged_at"])]

    def __str__(self) -> str:
        return f"{self.hospital_id} stood down on {self.incident_id} ({self.reason})"

    @property
    def reason_text(self) -> str:
        """The reason as its message and card say it."""
        return STANDDOWN_TEXT[self.reason]


STANDDOWN_TEXT = {
    HospitalStandDown.Reason.REMOVED: "removed from the incident",
    HospitalStandDown.Reason.DEESCALATED: "incident de-escalated, no patients coming to you",
    HospitalStandDown.Reason.CLOSED: "incident closed",
}


class Patient(models.Model):
    """One casualty, tracked by triage tag from the scene to a hospital (minimal details)."""

    class Status(models.TextChoices):
        ON_SCENE = "on_scene", "On scene"
        IN_TRANSPORT = "in_transport", "In transport"
        ARRIVED = "arrived", "Arrived"

    class AgeGroup(models.TextChoices):
        UNKNOWN = "unknown", "Unknown"
        INFANT = "infant", "Infant (0-1)"
        CHILD = "child", "Child (2-12)"
        TEEN = "teen", "Teen (13-17)"
        ADULT = "adult", "Adult (18-64)"
        OLDER = "older", "Older adult (65+)"

    class Sex(models.TextChoices):
        UNKNOWN = "unknown", "Unknown"
        FEMALE = "female", "Female"
        MALE = "male", "Male"
        OTHER = "other", "Other"

    class Avpu(models.TextChoices):
        ALERT = "A", "Alert"
        VOICE = "V", "Responds to voice"
        PAIN = "P", "Responds to pain"
        UNRESPONSIVE = "U", "Unresponsive"

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="patients")
    tag_number = models.CharField(max_length=40)
    category = models.CharField(max_length=10, choices=TriageCategory.choices)
    age_group = models.CharField(max_length=10, choices=AgeGroup.choices, default=AgeGroup.UNKNOWN)
    sex = models.CharField(max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    injury_note = models.CharField(
        max_length=200, blank=True, help_text="Chief complaint / injuries, in a few words."
    )
    # Ringdown vitals, when EMS has them (None: not taken). Ranges: incidents.services.patients.
    heart_rate = models.PositiveSmallIntegerField(null=True, blank=True)
    systolic_bp = models.PositiveSmallIntegerField(null=True, blank=True)
    diastolic_bp = models.PositiveSmallIntegerField(null=True, blank=True)
    respiratory_rate = models.PositiveSmallIntegerField(null=True, blank=True)
    spo2 = models.PositiveSmallIntegerField(null=True, blank=True)
    gcs = models.PositiveSmallIntegerField(null=True, blank=True)
    avpu = models.CharField(max_length=1, choices=Avpu.choices, blank=True)
    details_updated_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ON_SCENE)
    walk_in = models.BooleanField(default=False, help_text="Self-transported to a hospital.")
    transport_unit = models.CharField(max_length=40, blank=True)
    destination = models.ForeignKey(
        Hospital, null=True, blank=True, on_delete=models.PROTECT, related_name="patients"
    )
    departed_at = models.DateTimeField(null=True, blank=True)
    eta = models.DateTimeField(null=True, blank=True)
    arrived_at = models.DateTimeField(null=True, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["incident", "tag_number"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "tag_number"], name="patient_tag_once")
        ]
        indexes = [models.Index(fields=["incident", "destination"])]

    def __str__(self) -> str:
        return f"Patient {self.tag_number}"


class SituationUpdate(models.Model):
    """An emergency manager's update to officials; the notifications app sends it."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="updates")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField()
    audience = models.ManyToManyField(DistributionList, blank=True, related_name="+")
    posted_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-posted_at", "-id"]

    def __str__(self) -> str:
        return f"Update {self.pk} on {self.incident_id}"


class CadToken(models.Model):
    """An API key for one region's CAD system; only its SHA-256 is stored."""

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="cad_tokens")
    name = models.CharField(max_length=80)
    key_prefix = models.CharField(max_length=8, help_text="First characters, to recognise a key.")
    key_hash = models.CharField(max_length=64, unique=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["region", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"
