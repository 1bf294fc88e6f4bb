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

from agencies.models import Agency, DistributionList, Hospital, Member, Region


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


# The escalation ladder of a hospital that has not acknowledged (notifications.escalation runs
# it, one step per region `ack_timeout_seconds`): level → who is called, by voice.
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


# --- the shared ASIM checklist and ICS roles ---------------------------------------------------


class ChecklistDiscipline(models.TextChoices):
    """Who a checklist item concerns (an item may concern several)."""

    LAW = "law", "Law enforcement"
    FIRE_EMS = "fire_ems", "Fire / EMS"
    DISPATCH = "dispatch", "Dispatch / 911"
    EM = "em", "Emergency management"
    HOSPITAL = "hospital", "Hospital"
    MULTI = "multi", "Multi-discipline"


class IcsRole(models.TextChoices):
    """ICS / ASIM roles held on an incident; incidents/checklists.py says how they nest."""

    UNIFIED_COMMAND = "unified_command", "Unified command"
    LAW_COMMAND = "law_command", "Law enforcement command"
    FIRE_EMS_COMMAND = "fire_ems_command", "Fire / EMS command"
    STAGING = "staging", "Staging"
    RESCUE_TASK_FORCE = "rescue_task_force", "Rescue task force"
    CASUALTY_COLLECTION_POINT = "casualty_collection_point", "Casualty collection point"
    TRIAGE = "triage", "Triage"
    TREATMENT = "treatment", "Treatment"
    TRANSPORT = "transport", "Transport"
    PIO = "pio", "Public information officer"
    REUNIFICATION = "reunification", "Reunification"
    EM_LIAISON = "em_liaison", "EM liaison"
    HOSPITAL_LIAISON = "hospital_liaison", "Hospital liaison"


# Roles that several people (teams) may hold at once; every other role has one holder.
MULTI_HOLDER_ROLES: frozenset[str] = frozenset({IcsRole.RESCUE_TASK_FORCE})


class ChecklistTemplate(models.Model):
    """One version of a region's checklist: a draft, the adopted plan, or a retired plan.

    Only a draft changes (incidents/services/checklist.py); an adopted or retired version is
    frozen, because incidents that started with it keep pointing at it."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ADOPTED = "adopted", "Adopted"
        RETIRED = "retired", "Retired"

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="checklists")
    version = models.PositiveIntegerField()
    name = models.CharField(max_length=160)
    description = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    based_on = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    adopted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    adopted_at = models.DateTimeField(null=True, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["region", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["region", "version"], name="checklist_version_once"),
            models.UniqueConstraint(
                fields=["region"], condition=Q(status="adopted"), name="checklist_one_adopted"
            ),
            models.UniqueConstraint(
                fields=["region"], condition=Q(status="draft"), name="checklist_one_draft"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version} ({self.status})"


class ChecklistPhase(models.Model):
    """An ordered phase of a checklist version ("Command post, unified command and staging")."""

    template = models.ForeignKey(ChecklistTemplate, on_delete=models.CASCADE, related_name="phases")
    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=160)

    class Meta:
        ordering = ["template", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["template", "position"], name="checklist_phase_position"
            )
        ]

    def __str__(self) -> str:
        return self.title


class ChecklistItem(models.Model):
    """An ordered item of a phase, tagged with the disciplines it concerns."""

    phase = models.ForeignKey(ChecklistPhase, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=300)
    disciplines = models.JSONField(default=list, help_text="ChecklistDiscipline values.")
    owner_role = models.CharField(max_length=30, choices=IcsRole.choices, blank=True)

    class Meta:
        ordering = ["phase", "position"]
        constraints = [
            models.UniqueConstraint(fields=["phase", "position"], name="checklist_item_position")
        ]

    def __str__(self) -> str:
        return self.text


class IncidentChecklist(models.Model):
    """The checklist an incident works: a copy of the version adopted when it was declared."""

    incident = models.OneToOneField(Incident, on_delete=models.CASCADE, related_name="checklist")
    template = models.ForeignKey(
        ChecklistTemplate, on_delete=models.PROTECT, related_name="incident_checklists"
    )
    started_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Checklist of {self.incident_id} ({self.template_id})"


class IncidentChecklistItem(models.Model):
    """One item on an incident's checklist. Text, tags and phase are copied from the version,
    so the record reads the same whatever happens to the template later."""

    checklist = models.ForeignKey(IncidentChecklist, on_delete=models.CASCADE, related_name="items")
    source = models.ForeignKey(
        ChecklistItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    phase_position = models.PositiveSmallIntegerField()
    phase_title = models.CharField(max_length=160)
    position = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=300)
    disciplines = models.JSONField(default=list)
    owner_role = models.CharField(max_length=30, choices=IcsRole.choices, blank=True)
    done = models.BooleanField(default=False)
    checked_at = models.DateTimeField(null=True, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    checked_by_label = models.CharField(max_length=160, blank=True)
    # The last change either way (a check or an un-check), for "who touched this last".
    changed_at = models.DateTimeField(null=True, blank=True)
    changed_by_label = models.CharField(max_length=160, blank=True)

    class Meta:
        ordering = ["checklist", "phase_position", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["checklist", "phase_position", "position"],
                name="incident_checklist_item_position",
            )
        ]

    def __str__(self) -> str:
        return self.text


class RoleAssignment(models.Model):
    """Someone holding an ICS / ASIM role on an incident, from assigned_at until relieved_at.

    A roster member, or a free-text name with an agency (mutual aid, someone not on a roster).
    One current holder per role, except rescue task forces (MULTI_HOLDER_ROLES)."""

    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.CharField(max_length=30, choices=IcsRole.choices)
    member = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(max_length=160, help_text="The holder's name as shown.")
    agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    agency_name = models.CharField(max_length=160, help_text="The holder's agency as shown.")
    note = models.CharField(
        max_length=120, blank=True, help_text="e.g. 'RTF 2, east entrance', a radio channel."
    )
    assigned_at = models.DateTimeField()
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    relieved_at = models.DateTimeField(null=True, blank=True)
    relieved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    relieved_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["incident", "assigned_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "role"],
                condition=Q(relieved_at__isnull=True) & ~Q(role="rescue_task_force"),
                name="role_one_current_holder",
            )
        ]
        indexes = [models.Index(fields=["incident", "relieved_at"])]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.name}"

    @property
    def current(self) -> bool:
        return self.relieved_at is None
