"""Readiness: the region's ASIM checklist and its versions, the checklist an incident works,
and who holds which ICS role on it.

The tables were created by the incidents app and keep their names (db_table); state changes
go through readiness/services, and every change to an incident appends to its timeline.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from agencies.models import Agency, Member, Region
from incidents.models import Incident


class ChecklistDiscipline(models.TextChoices):
    """Who a checklist item concerns (an item may concern several)."""

    LAW = "law", "Law enforcement"
    FIRE_EMS = "fire_ems", "Fire / EMS"
    DISPATCH = "dispatch", "Dispatch / 911"
    EM = "em", "Emergency management"
    HOSPITAL = "hospital", "Hospital"
    MULTI = "multi", "Multi-discipline"


class IcsRole(models.TextChoices):
    """ICS / ASIM roles held on an incident; readiness/checklists.py says how they nest."""

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

    Only a draft changes (readiness/services/checklist.py); an adopted or retired version is
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
        db_table = "incidents_checklisttemplate"
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
        db_table = "incidents_checklistphase"
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
        db_table = "incidents_checklistitem"
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

    class Meta:
        db_table = "incidents_incidentchecklist"

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
        db_table = "incidents_incidentchecklistitem"
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
        db_table = "incidents_roleassignment"
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


# --- training: the region's course catalogue, sessions and members' records ------------------


class CourseKind(models.TextChoices):
    ASIM_BASIC = "asim_basic", "ASIM Basic"
    ASIM_ADVANCED = "asim_advanced", "ASIM Advanced"
    TRAIN_THE_TRAINER = "train_the_trainer", "Train-the-Trainer"
    NIMS_ICS = "nims_ics", "NIMS / ICS"
    OTHER = "other", "Other"


class Course(models.Model):
    """A course in a region's catalogue; `disciplines` are agencies.models.Discipline values."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="courses")
    name = models.CharField(max_length=160)
    code = models.CharField(max_length=30)
    kind = models.CharField(max_length=20, choices=CourseKind.choices, default=CourseKind.OTHER)
    disciplines = models.JSONField(default=list, blank=True, help_text="Discipline values.")
    hours = models.DecimalField(max_digits=5, decimal_places=1, default=0)
    refresher_months = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Empty: a completion never expires."
    )
    required = models.BooleanField(default=False)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "code"], name="course_code_per_region")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class TrainingSession(models.Model):
    """One delivery of a course: when, where, who taught it and which agencies attended."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="training_sessions")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="sessions")
    date = models.DateField()
    place = models.CharField(max_length=200, blank=True)
    instructors = models.ManyToManyField(Member, blank=True, related_name="sessions_taught")
    agencies = models.ManyToManyField(Agency, blank=True, related_name="training_sessions")
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["region", "date"])]

    def __str__(self) -> str:
        return f"{self.course.code} {self.date.isoformat()}"


class TrainingRecord(models.Model):
    """A member completed a course on a day; `expires_on` follows the course's refresher."""

    class Source(models.TextChoices):
        SESSION = "session", "Session attendance"
        IMPORT = "import", "CSV import"
        MANUAL = "manual", "Entered by hand"

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="training_records")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="records")
    completed_on = models.DateField()
    expires_on = models.DateField(null=True, blank=True, help_text="Empty: never expires.")
    session = models.ForeignKey(
        TrainingSession, null=True, blank=True, on_delete=models.SET_NULL, related_name="records"
    )
    certificate = models.FileField(upload_to="training/certificates/", blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.MANUAL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-completed_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "course", "completed_on"], name="training_record_unique"
            )
        ]
        indexes = [models.Index(fields=["course", "expires_on"])]

    def __str__(self) -> str:
        return f"{self.member} {self.course.code} {self.completed_on.isoformat()}"


class RefresherReminder(models.Model):
    """A refresher reminder sent for a record in one window (30, 60 or 90 days before it
    expires): the unique pair is what keeps a reminder from going out twice."""

    record = models.ForeignKey(TrainingRecord, on_delete=models.CASCADE, related_name="reminders")
    window = models.PositiveSmallIntegerField(help_text="Days before expiry: 30, 60 or 90.")
    notification = models.ForeignKey(
        "notifications.Notification",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The notification that carried it.",
    )
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(fields=["record", "window"], name="refresher_reminder_once")
        ]

    def __str__(self) -> str:
        return f"{self.record} ({self.window} days)"


# --- exercises and after-action reports (HSEEP) ------------------------------------------------


class ExerciseType(models.TextChoices):
    """HSEEP exercise types, discussion-based first, then operations-based."""

    SEMINAR = "seminar", "Seminar"
    WORKSHOP = "workshop", "Workshop"
    TABLETOP = "tabletop", "Tabletop exercise"
    GAME = "game", "Game"
    DRILL = "drill", "Drill"
    FUNCTIONAL = "functional", "Functional exercise"
    FULL_SCALE = "full_scale", "Full-scale exercise"


DISCUSSION_BASED: frozenset[str] = frozenset(
    {ExerciseType.SEMINAR, ExerciseType.WORKSHOP, ExerciseType.TABLETOP, ExerciseType.GAME}
)


class CoreCapability(models.TextChoices):
    """National Preparedness Goal core capabilities most used for active-shooter exercises."""

    PLANNING = "planning", "Planning"
    OPERATIONAL_COORDINATION = "operational_coordination", "Operational Coordination"
    OPERATIONAL_COMMUNICATIONS = "operational_communications", "Operational Communications"
    PUBLIC_INFORMATION = "public_information", "Public Information and Warning"
    INTELLIGENCE_SHARING = "intelligence_sharing", "Intelligence and Information Sharing"
    ON_SCENE_SECURITY = (
        "on_scene_security",
        "On-scene Security, Protection, and Law Enforcement",
    )
    HEALTH_EMS = "health_ems", "Public Health, Healthcare, and Emergency Medical Services"
    SITUATIONAL_ASSESSMENT = "situational_assessment", "Situational Assessment"
    MASS_CARE = "mass_care", "Mass Care Services"
    FATALITY_MANAGEMENT = "fatality_management", "Fatality Management Services"


class Rating(models.TextChoices):
    """HSEEP performance ratings of an objective."""

    P = "P", "Performed without challenges"
    S = "S", "Performed with some challenges"
    M = "M", "Performed with major challenges"
    U = "U", "Unable to be performed"


class Exercise(models.Model):
    """An exercise on the region's multi-year schedule; operations-based ones may be played
    as exercise incidents (linked_incidents), whose timelines give the AAR its figures."""

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        HELD = "held", "Held"
        CANCELLED = "cancelled", "Cancelled"

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="exercises")
    name = models.CharField(max_length=200)
    type = models.CharField(max_length=12, choices=ExerciseType.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNED)
    planned_on = models.DateField()
    held_on = models.DateField(null=True, blank=True)
    scenario = models.TextField(blank=True)
    agencies = models.ManyToManyField(Agency, blank=True, related_name="exercises")
    evaluators = models.ManyToManyField(Member, blank=True, related_name="+")
    incidents = models.ManyToManyField(Incident, blank=True, related_name="+")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-planned_on", "id"]
        indexes = [models.Index(fields=["region", "planned_on"])]

    def __str__(self) -> str:
        return self.name

    @property
    def discussion_based(self) -> bool:
        return self.type in DISCUSSION_BASED

    @property
    def category(self) -> str:
        return "Discussion-based" if self.discussion_based else "Operations-based"


class Objective(models.Model):
    """An exercise objective mapped to a core capability, rated by the evaluators."""

    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="objectives")
    text = models.CharField(max_length=400)
    capability = models.CharField(max_length=30, choices=CoreCapability.choices)
    rating = models.CharField(max_length=1, choices=Rating.choices, null=True, blank=True)
    observations = models.TextField(blank=True)

    class Meta:
        ordering = ["exercise", "id"]

    def __str__(self) -> str:
        return self.text[:80]


class AfterActionReport(models.Model):
    """An AAR/IP for an exercise or for a real incident (exactly one of the two)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ISSUED = "issued", "Issued"

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    exercise = models.OneToOneField(
        Exercise, null=True, blank=True, on_delete=models.PROTECT, related_name="report"
    )
    incident = models.OneToOneField(
        Incident, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    issued_on = models.DateField(null=True, blank=True)
    overview = models.TextField(blank=True)
    participants = models.JSONField(default=list, blank=True)
    strengths = models.TextField(blank=True)
    areas_for_improvement = models.TextField(blank=True)
    kpis = models.JSONField(default=list, blank=True, help_text="Key figures per incident.")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(exercise__isnull=False, incident__isnull=True)
                | Q(exercise__isnull=True, incident__isnull=False),
                name="aar_exercise_xor_incident",
            )
        ]

    def __str__(self) -> str:
        return self.title


class CapabilityElement(models.TextChoices):
    """POETE: where a corrective action lands."""

    PLANNING = "planning", "Planning"
    ORGANIZATION = "organization", "Organization"
    EQUIPMENT = "equipment", "Equipment"
    TRAINING = "training", "Training"
    EXERCISES = "exercises", "Exercises"


class CorrectiveAction(models.Model):
    """One row of the improvement plan: issue → action → owner → dates → status."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        IN_PROGRESS = "in_progress", "In progress"
        CLOSED = "closed", "Closed"

    report = models.ForeignKey(
        AfterActionReport, on_delete=models.CASCADE, related_name="corrective_actions"
    )
    issue = models.CharField(max_length=400)
    action = models.CharField(max_length=400)
    element = models.CharField(max_length=14, choices=CapabilityElement.choices)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    contact = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    start_on = models.DateField()
    due_on = models.DateField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    closed_on = models.DateField(null=True, blank=True)
    evidence = models.TextField(blank=True, help_text="What shows it is done (text or a link).")

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self) -> str:
        return self.action[:80]


# --- the regional plan: its documents and each agency's alignment to it ------------------------


class PlanDocument(models.Model):
    """A document of the region's plan (an EOP annex, a concept of operations, an SOP, ...):
    a file or a link, with the date its review falls due. Retired documents stay on record."""

    class Kind(models.TextChoices):
        EOP_ANNEX = "eop_annex", "EOP annex"
        CONOPS = "conops", "Concept of operations"
        SOP = "sop", "SOP"
        INTEROP = "interop", "Interoperability plan"
        OTHER = "other", "Other"

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="plan_documents")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    title = models.CharField(max_length=200)
    version = models.CharField(max_length=40, blank=True)
    document_date = models.DateField(null=True, blank=True)
    review_due = models.DateField(null=True, blank=True)
    file = models.FileField(upload_to="plan-documents/", blank=True)
    url = models.URLField(blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField()
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["region", "kind", "title"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"


class AgencyAlignment(models.Model):
    """Where an agency stands with its region's plan version: one row per (agency, region)."""

    class Status(models.TextChoices):
        NONE = "none", "None"
        OWN_PLAN = "own_plan", "Own plan only"
        ALIGNED_SOP = "aligned_sop", "Aligned SOP"
        ADOPTED = "adopted", "Adopted by governing body"
        REVIEW_NEEDED = "review_needed", "Review needed"

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="plan_alignments")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    template = models.ForeignKey(
        ChecklistTemplate,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="alignments",
        help_text="The adopted plan version the status refers to.",
    )
    status = models.CharField(max_length=14, choices=Status.choices, default=Status.NONE)
    evidence_document = models.ForeignKey(
        PlanDocument, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    evidence_file = models.FileField(upload_to="plan-evidence/", blank=True)
    evidence_text = models.TextField(blank=True)
    evidence_date = models.DateField(null=True, blank=True)
    signed_by_name = models.CharField(max_length=120, blank=True)
    signed_by_title = models.CharField(max_length=120, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["region", "agency"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "region"], name="alignment_once_per_region")
        ]

    def __str__(self) -> str:
        return f"{self.agency}: {self.get_status_display()}"


# --- governance: interoperability plan, mutual aid, committee, adoption, funding -------------


class RadioChannel(models.Model):
    """One row of the region's ICS 205-style communications plan."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="radio_channels")
    function = models.CharField(max_length=100, help_text="Function or ICS role served.")
    discipline = models.CharField(max_length=20, help_text="agencies.models.Discipline value.")
    channel_name = models.CharField(max_length=100)
    talk_group = models.CharField(max_length=100, blank=True)
    frequency_zone = models.CharField(max_length=100, blank=True)
    assignment = models.CharField(max_length=200, blank=True)
    remarks = models.TextField(blank=True)

    class Meta:
        ordering = ["region", "discipline", "function", "id"]

    def __str__(self) -> str:
        return f"{self.function}: {self.channel_name}"


class MutualAidAgreement(models.Model):
    """An agreement between two or more agencies of a region, valid until `expires_on`."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="mutual_aid")
    agencies = models.ManyToManyField(Agency, related_name="mutual_aid_agreements")
    title = models.CharField(max_length=200)
    signed_on = models.DateField()
    expires_on = models.DateField(null=True, blank=True, help_text="Empty: no expiry.")
    document_url = models.URLField(blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["expires_on", "id"]
        indexes = [models.Index(fields=["region", "expires_on"])]

    def __str__(self) -> str:
        return self.title


class CommitteeMeeting(models.Model):
    """A meeting of the region's readiness committee."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="committee_meetings")
    date = models.DateField()
    place = models.CharField(max_length=200, blank=True)
    disciplines_present = models.JSONField(default=list, help_text="Discipline values.")
    attendees = models.TextField(blank=True)
    decisions = models.TextField(blank=True)
    minutes_url = models.URLField(blank=True)

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["region", "date"])]

    def __str__(self) -> str:
        return f"Committee {self.date.isoformat()}"


class PlanAdoption(models.Model):
    """Officials formally adopted a version of the region's plan."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="plan_adoptions")
    checklist = models.ForeignKey(
        ChecklistTemplate, on_delete=models.PROTECT, related_name="adoptions"
    )
    body = models.CharField(max_length=200, help_text="e.g. Board of Commissioners.")
    resolution_number = models.CharField(max_length=100, blank=True)
    adopted_on = models.DateField()
    document_url = models.URLField(blank=True)

    class Meta:
        ordering = ["-adopted_on", "-id"]

    def __str__(self) -> str:
        return f"{self.body} {self.adopted_on.isoformat()}"


class FundingProgram(models.TextChoices):
    HSGP_SHSP = "hsgp_shsp", "HSGP-SHSP"
    HSGP_UASI = "hsgp_uasi", "HSGP-UASI"
    HSGP_OPSG = "hsgp_opsg", "HSGP-OPSG"
    EMPG = "empg", "EMPG"
    LOCAL = "local", "Local"
    OTHER = "other", "Other"


class FundingLine(models.Model):
    """A grant or budget line and the region's sessions and exercises it pays for."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="funding_lines")
    program = models.CharField(max_length=12, choices=FundingProgram.choices)
    grant_year = models.PositiveSmallIntegerField()
    reference = models.CharField(max_length=100, blank=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    sessions = models.ManyToManyField(TrainingSession, blank=True, related_name="funding_lines")
    exercises = models.ManyToManyField(Exercise, blank=True, related_name="funding_lines")

    class Meta:
        ordering = ["-grant_year", "program", "id"]

    def __str__(self) -> str:
        return f"{self.get_program_display()} {self.grant_year} {self.reference}".strip()


class CommunicationsDrill(models.Model):
    """A test message from an emergency manager to a chosen audience of the region, sent
    through the notification system like any alert (one Notification, kind
    ``readiness.communications_drill``, no incident) so reach and time to acknowledge are
    measured on the real path. The members targeted are resolved when it starts.

    Audiences: every active member of the region with the ER contact roster role; every active
    member of the region's dispatch agencies; every agency's duty officer (members with the
    duty-officer roster role, whether on call or not: the drill tests the contact points, not
    the shift); or the members a distribution list reaches."""

    class Audience(models.TextChoices):
        ER_CONTACTS = "er_contacts", "All ER contacts"
        DISPATCH_CENTRES = "dispatch_centres", "All dispatch centres"
        DUTY_OFFICERS = "duty_officers", "Every agency's duty officer"
        DISTRIBUTION_LIST = "distribution_list", "A distribution list"

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+")
    audience = models.CharField(max_length=20, choices=Audience.choices)
    distribution_list = models.ForeignKey(
        "agencies.DistributionList",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    message = models.CharField(max_length=300, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField()
    notification = models.OneToOneField(
        "notifications.Notification", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    targeted = models.JSONField(default=dict, help_text="{agency id: [member ids]} at the start.")

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_audience_display()} drill {self.started_at:%Y-%m-%d}"
