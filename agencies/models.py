"""Regions, agencies, hospitals, rosters, memberships and distribution lists."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q


class Discipline(models.TextChoices):
    LAW = "law", "Law enforcement"
    FIRE = "fire", "Fire"
    EMS = "ems", "EMS"
    DISPATCH = "dispatch", "Dispatch / 911"
    EM = "em", "Emergency management"
    HOSPITAL = "hospital", "Hospital"
    SCHOOL = "school", "School"
    PUBLIC_HEALTH = "public_health", "Public health"
    OFFICIALS = "officials", "Officials"
    OTHER = "other", "Other"


class Role(models.TextChoices):
    """Platform roles a Membership grants; agencies/permissions.py says what each may do."""

    DISPATCHER = "dispatcher", "Dispatcher"
    EMS = "ems", "EMS"
    RESPONDER = "responder", "Responder"
    HOSPITAL = "hospital", "Hospital ER staff"
    EMERGENCY_MANAGER = "emergency_manager", "Emergency manager"
    OFFICIAL = "official", "Official"
    AGENCY_ADMIN = "agency_admin", "Agency admin"


class RosterRole(models.TextChoices):
    """Operational duties of a roster member, used to pick notification audiences."""

    ER_CONTACT = "er_contact", "ER contact"
    SUPERVISOR = "supervisor", "Supervisor"
    DUTY_OFFICER = "duty_officer", "Duty officer"
    COMMAND = "command", "Command staff"
    PIO = "pio", "Public information officer"
    LIAISON = "liaison", "Liaison"
    OFFICIAL = "official", "Elected / appointed official"
    STAFF = "staff", "Staff"


class Channel(models.TextChoices):
    SMS = "sms", "SMS"
    VOICE = "voice", "Voice call"
    EMAIL = "email", "Email"


class EdStatus(models.TextChoices):
    OPEN = "open", "Open"
    ADVISORY = "advisory", "Advisory"
    DIVERSION = "diversion", "Diversion"
    CLOSED = "closed", "Closed"


def default_time_zone() -> str:
    return settings.TIME_ZONE


def validate_time_zone(value: str) -> None:
    """An IANA time zone name zoneinfo knows ("America/Chicago"); raises ValidationError."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ValidationError(
            f"{value!r} is not a time zone; use an IANA name such as America/Chicago."
        ) from None


class Region(models.Model):
    """A county, region or state: the unit that shares one plan and one set of rules."""

    class Kind(models.TextChoices):
        COUNTY = "county", "County"
        REGION = "region", "Region"
        STATE = "state", "State"

    name = models.CharField(max_length=120)
    code = models.SlugField(max_length=40, unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.COUNTY)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    hospitals_to_notify = models.PositiveSmallIntegerField(
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text="How many ranked hospitals an MCI declaration puts on the incident.",
    )
    hospital_radius_km = models.PositiveIntegerField(
        default=80, help_text="Hospitals of other regions within this distance are ranked too."
    )
    ack_timeout_seconds = models.PositiveIntegerField(
        default=120, help_text="Escalate a hospital that has not acknowledged within this time."
    )
    capacity_timeout_seconds = models.PositiveIntegerField(
        default=300,
        help_text="Remind a hospital on an incident that has not answered its capacity within "
        "this time (the 'capacity overdue' notification trigger).",
    )
    time_zone = models.CharField(
        max_length=64,
        default=default_time_zone,
        validators=[validate_time_zone],
        help_text="IANA time zone (e.g. America/Chicago): every time shown for this region's "
        "incidents, on boards, in messages and on the record, is in it.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Agency(models.Model):
    """A police department, fire district, EMS service, 911 centre, hospital, EM office…"""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="agencies")
    name = models.CharField(max_length=160)
    short_code = models.CharField(max_length=20)
    discipline = models.CharField(max_length=20, choices=Discipline.choices)
    address = models.CharField(max_length=240, blank=True)
    latitude = models.FloatField(
        null=True, blank=True, validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    longitude = models.FloatField(
        null=True, blank=True, validators=[MinValueValidator(-180), MaxValueValidator(180)]
    )
    phone = models.CharField(max_length=20, blank=True, help_text="Main line, E.164.")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"
        constraints = [
            models.UniqueConstraint(fields=["region", "short_code"], name="agency_code_per_region")
        ]

    def __str__(self) -> str:
        return self.name


class Hospital(models.Model):
    """The hospital profile of a hospital agency: capability, ED status and last capacity."""

    class TraumaLevel(models.IntegerChoices):
        LEVEL_1 = 1, "Level I"
        LEVEL_2 = 2, "Level II"
        LEVEL_3 = 3, "Level III"
        LEVEL_4 = 4, "Level IV"

    agency = models.OneToOneField(Agency, on_delete=models.CASCADE, related_name="hospital")
    trauma_level = models.PositiveSmallIntegerField(
        choices=TraumaLevel.choices, null=True, blank=True, help_text="Empty: not a trauma centre."
    )
    pediatric = models.BooleanField("paediatric capable", default=False)
    # `trauma_level` is the adult verification; children are verified separately, and a
    # children's hospital does not take adults (ranking: incidents/ranking.py).
    pediatric_trauma_level = models.PositiveSmallIntegerField(
        "paediatric trauma level",
        choices=TraumaLevel.choices,
        null=True,
        blank=True,
        help_text="Empty: not a verified paediatric trauma centre.",
    )
    treats_adults = models.BooleanField(
        default=True, help_text="Off for a children's hospital: adults are not taken there."
    )
    burn = models.BooleanField("burn capable", default=False)
    ed_status = models.CharField(max_length=10, choices=EdStatus.choices, default=EdStatus.OPEN)
    ed_status_at = models.DateTimeField(null=True, blank=True)
    capacity_immediate = models.PositiveIntegerField(null=True, blank=True)
    capacity_delayed = models.PositiveIntegerField(null=True, blank=True)
    capacity_minor = models.PositiveIntegerField(null=True, blank=True)
    capacity_reported_at = models.DateTimeField(null=True, blank=True)
    # Who gave the ED status and the capacity: a person, or the system an exchange came from.
    ed_status_by = models.CharField(max_length=160, blank=True)
    capacity_reported_by = models.CharField(max_length=160, blank=True)
    exchange_id = models.CharField(
        max_length=120,
        blank=True,
        help_text="This hospital's identifier in EDXL-HAVE documents exchanged with other "
        "systems; empty: a generated one is used on export.",
    )
    outside_partner = models.BooleanField(
        default=False,
        help_text="A hospital across the border whose status comes from a neighbouring "
        "system's EDXL-HAVE feed (matched on its exchange identifier).",
    )

    class Meta:
        ordering = ["agency__name"]

    def __str__(self) -> str:
        return self.agency.name

    @property
    def name(self) -> str:
        return self.agency.name


class Member(models.Model):
    """A person on an agency's roster; may or may not have a login."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="roster_entries",
    )
    external_id = models.CharField(
        max_length=60, blank=True, help_text="Badge or employee number; the roster import key."
    )
    full_name = models.CharField(max_length=160)
    title = models.CharField(max_length=120, blank=True)
    roles = models.JSONField(default=list, blank=True, help_text="RosterRole values.")
    active = models.BooleanField(default=True)
    on_call = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "external_id"],
                condition=~Q(external_id=""),
                name="member_external_id_per_agency",
            )
        ]
        indexes = [models.Index(fields=["agency", "active"])]

    def __str__(self) -> str:
        return self.full_name

    def role_labels(self) -> list[str]:
        labels = dict(RosterRole.choices)
        return [labels.get(role, role) for role in self.roles]


class ContactPoint(models.Model):
    """One way to reach a member: a phone for SMS or voice (E.164), or an email address."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="contact_points")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    address = models.CharField(max_length=254, help_text="E.164 phone or email address.")
    priority = models.PositiveSmallIntegerField(default=1, help_text="1 is tried first.")
    verified = models.BooleanField(default=False)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    last_failure_reason = models.CharField(max_length=240, blank=True)

    class Meta:
        ordering = ["priority", "channel", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "channel", "address"], name="contact_point_unique"
            )
        ]
        indexes = [models.Index(fields=["channel", "address"])]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.address}"

    @property
    def failing(self) -> bool:
        return self.last_failure_at is not None


class Membership(models.Model):
    """A login's place in an agency, with the platform roles it holds there."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="memberships")
    roles = models.JSONField(default=list, help_text="Role values.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "agency"], name="membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.agency} ({', '.join(self.roles)})"


class DistributionList(models.Model):
    """A named audience in a region: chosen members, whole agencies and/or disciplines."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="distribution_lists")
    name = models.CharField(max_length=120)
    description = models.CharField(max_length=240, blank=True)
    members = models.ManyToManyField(Member, blank=True, related_name="distribution_lists")
    agencies = models.ManyToManyField(Agency, blank=True, related_name="distribution_lists")
    disciplines = models.JSONField(default=list, blank=True, help_text="Discipline values.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="distribution_list_name")
        ]

    def __str__(self) -> str:
        return self.name


class AuditEntry(models.Model):
    """Who changed which roster, list or profile record, when, and what changed."""

    class Action(models.TextChoices):
        CREATE = "create", "Created"
        UPDATE = "update", "Updated"
        DEACTIVATE = "deactivate", "Deactivated"
        DELETE = "delete", "Deleted"
        IMPORT = "import", "Imported"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    action = models.CharField(max_length=12, choices=Action.choices)
    object_type = models.CharField(max_length=40)
    object_id = models.CharField(max_length=40)
    object_repr = models.CharField(max_length=200)
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.SET_NULL)
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.SET_NULL)
    changes = models.JSONField(default=dict, blank=True, help_text="{field: [old, new]}")

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "audit entries"
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.object_type} {self.object_repr}"
