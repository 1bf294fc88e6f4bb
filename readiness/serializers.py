"""DRF serializers for checklists, roles and the record: request shapes in, response shapes out.

The response shapes of the checklist, the org chart and the key figures are built as plain
dicts by readiness/checklists.py and readiness/record/build.py; the serializers here describe them
for the OpenAPI schema.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from agencies.queries import person_label
from readiness.models import ChecklistDiscipline, ChecklistTemplate, IcsRole
from readiness.template_json import MAX_DESCRIPTION, MAX_NAME

# --- checklist templates -----------------------------------------------------------------------


class TemplateItemSerializer(serializers.Serializer):
    text = serializers.CharField()
    disciplines = serializers.ListField(
        child=serializers.ChoiceField(choices=ChecklistDiscipline.choices)
    )
    owner_role = serializers.CharField(allow_blank=True, help_text="An ICS role, or blank.")


class TemplatePhaseSerializer(serializers.Serializer):
    title = serializers.CharField()
    items = TemplateItemSerializer(many=True)


class TemplateSummarySerializer(serializers.ModelSerializer):
    region_name = serializers.CharField(source="region.name", read_only=True)
    # Plain text rather than an enum: the schema already has other "status" enums.
    status = serializers.CharField(read_only=True, help_text="draft, adopted or retired")
    created_by = serializers.SerializerMethodField()
    adopted_by = serializers.SerializerMethodField()
    based_on_version = serializers.SerializerMethodField()

    class Meta:
        model = ChecklistTemplate
        fields = [
            "id",
            "region",
            "region_name",
            "version",
            "name",
            "description",
            "status",
            "based_on",
            "based_on_version",
            "created_by",
            "created_at",
            "updated_at",
            "adopted_by",
            "adopted_at",
            "retired_at",
        ]
        read_only_fields = fields

    def get_created_by(self, template: ChecklistTemplate) -> str:
        return _user(template.created_by)

    def get_adopted_by(self, template: ChecklistTemplate) -> str:
        return _user(template.adopted_by)

    def get_based_on_version(self, template: ChecklistTemplate) -> int | None:
        return template.based_on.version if template.based_on else None


class TemplateDetailSerializer(TemplateSummarySerializer):
    phases = serializers.SerializerMethodField()

    class Meta(TemplateSummarySerializer.Meta):
        fields = [*TemplateSummarySerializer.Meta.fields, "phases"]
        read_only_fields = fields

    def get_phases(self, template: ChecklistTemplate) -> list[dict[str, Any]]:
        return [
            {
                "id": phase.pk,
                "position": phase.position,
                "title": phase.title,
                "items": [
                    {
                        "id": item.pk,
                        "position": item.position,
                        "text": item.text,
                        "disciplines": list(item.disciplines),
                        "owner_role": item.owner_role,
                    }
                    for item in phase.items.all()
                ],
            }
            for phase in template.phases.all()
        ]


def _user(user: Any) -> str:
    return person_label(user)


class TemplateCreateSerializer(serializers.Serializer):
    region = serializers.IntegerField(min_value=1)
    based_on = serializers.IntegerField(
        min_value=1,
        required=False,
        allow_null=True,
        help_text="The version to copy; by default the region's adopted one.",
    )
    name = serializers.CharField(max_length=MAX_NAME, required=False, allow_blank=True)


class TemplateEditSerializer(serializers.Serializer):
    """A draft's new name, description and/or phases (phases replace the old ones whole)."""

    name = serializers.CharField(max_length=MAX_NAME, required=False)
    description = serializers.CharField(
        max_length=MAX_DESCRIPTION, required=False, allow_blank=True
    )
    phases = TemplatePhaseSerializer(many=True, required=False)


class TemplateImportSerializer(serializers.Serializer):
    region = serializers.IntegerField(min_value=1)
    document = serializers.JSONField(help_text='A checklist document, format "asim.checklist/1".')


class TemplateDocumentSerializer(serializers.Serializer):
    format = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    region = serializers.CharField()
    version = serializers.IntegerField()
    status = serializers.CharField()
    adopted_at = serializers.DateTimeField(allow_null=True)
    phases = TemplatePhaseSerializer(many=True)


# --- the incident's checklist ------------------------------------------------------------------


class ChecklistItemOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    phase_position = serializers.IntegerField()
    position = serializers.IntegerField()
    text = serializers.CharField()
    disciplines = serializers.ListField(child=serializers.CharField())
    owner_role = serializers.CharField()
    owner_role_label = serializers.CharField()
    done = serializers.BooleanField()
    checked_at = serializers.DateTimeField(allow_null=True)
    checked_by = serializers.CharField()
    changed_at = serializers.DateTimeField(allow_null=True)
    changed_by = serializers.CharField()
    can_check = serializers.BooleanField()


class PhaseProgressSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    title = serializers.CharField()
    done = serializers.IntegerField()
    total = serializers.IntegerField()
    complete = serializers.BooleanField()
    percent = serializers.IntegerField()
    first_checked_at = serializers.DateTimeField(allow_null=True)
    last_checked_at = serializers.DateTimeField(allow_null=True)


class ChecklistPhaseOutSerializer(PhaseProgressSerializer):
    items = ChecklistItemOutSerializer(many=True)


class ProgressSerializer(serializers.Serializer):
    done = serializers.IntegerField()
    total = serializers.IntegerField()
    percent = serializers.IntegerField()


class ChecklistTemplateRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    version = serializers.IntegerField()
    region = serializers.CharField()
    status = serializers.CharField()


class ChecklistOverviewSerializer(serializers.Serializer):
    incident = serializers.IntegerField()
    checklist = serializers.IntegerField(allow_null=True)
    template = ChecklistTemplateRefSerializer(allow_null=True)
    started_at = serializers.DateTimeField(required=False)
    progress = ProgressSerializer()
    phases = ChecklistPhaseOutSerializer(many=True)
    can_check = serializers.BooleanField(help_text="The user may check some items.")


class ChecklistItemChangedSerializer(serializers.Serializer):
    item = ChecklistItemOutSerializer()
    phase = PhaseProgressSerializer()
    progress = ProgressSerializer()


# --- roles -------------------------------------------------------------------------------------


class RoleAssignSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=IcsRole.choices)
    member = serializers.IntegerField(
        min_value=1, required=False, allow_null=True, help_text="A roster member's id."
    )
    name = serializers.CharField(
        max_length=160, required=False, allow_blank=True, help_text="Or a free-text name…"
    )
    agency = serializers.IntegerField(
        min_value=1, required=False, allow_null=True, help_text="…with a directory agency…"
    )
    agency_name = serializers.CharField(
        max_length=160, required=False, allow_blank=True, help_text="…or a free-text agency."
    )
    note = serializers.CharField(max_length=120, required=False, allow_blank=True)
    replaces = serializers.IntegerField(
        min_value=1,
        required=False,
        allow_null=True,
        help_text="The current assignment this one takes over from (reassigning a held role).",
    )


class RoleRelieveSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True)


class AssignmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    role = serializers.CharField()
    role_label = serializers.CharField()
    name = serializers.CharField()
    agency = serializers.CharField()
    agency_id = serializers.IntegerField(allow_null=True)
    member_id = serializers.IntegerField(allow_null=True)
    note = serializers.CharField()
    current = serializers.BooleanField()
    assigned_at = serializers.DateTimeField()
    assigned_by = serializers.CharField()
    relieved_at = serializers.DateTimeField(allow_null=True)
    relieved_by = serializers.CharField()
    relieved_reason = serializers.CharField()


class ChartRoleSerializer(serializers.Serializer):
    role = serializers.CharField()
    label = serializers.CharField()
    group = serializers.CharField()
    reports_to = serializers.CharField(allow_null=True)
    multiple = serializers.BooleanField()
    holders = AssignmentSerializer(many=True)


class ChartGroupSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()


class OrgChartSerializer(serializers.Serializer):
    incident = serializers.IntegerField()
    groups = ChartGroupSerializer(many=True)
    roles = ChartRoleSerializer(many=True)
    history = AssignmentSerializer(many=True)


# --- the record --------------------------------------------------------------------------------


class MilestoneSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    source = serializers.CharField(help_text="The events it is measured between.")
    at = serializers.DateTimeField(allow_null=True)
    seconds = serializers.IntegerField(allow_null=True, help_text="From the declaration.")
    elapsed = serializers.CharField(help_text="m:ss or h:mm:ss; blank when not reached.")
    note = serializers.CharField()


class HospitalFiguresSerializer(serializers.Serializer):
    hospital_id = serializers.IntegerField()
    hospital = serializers.CharField()
    by_category = serializers.DictField(child=serializers.IntegerField())
    total = serializers.IntegerField()
    arrived = serializers.IntegerField()


class PatientFiguresSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    by_category = serializers.DictField(child=serializers.IntegerField())
    by_status = serializers.DictField(child=serializers.IntegerField())
    walk_ins = serializers.IntegerField()
    by_hospital = HospitalFiguresSerializer(many=True)
    category_labels = serializers.DictField(child=serializers.CharField())


class HospitalAckFiguresSerializer(serializers.Serializer):
    notified = serializers.IntegerField()
    acknowledged = serializers.IntegerField()
    outstanding = serializers.ListField(child=serializers.CharField())


class PhaseFiguresSerializer(PhaseProgressSerializer):
    first_elapsed = serializers.CharField()
    last_elapsed = serializers.CharField()


class ChecklistFiguresSerializer(serializers.Serializer):
    template = serializers.CharField()
    version = serializers.IntegerField()
    done = serializers.IntegerField()
    total = serializers.IntegerField()
    percent = serializers.IntegerField()
    phases = PhaseFiguresSerializer(many=True)


class KeyFiguresSerializer(serializers.Serializer):
    incident = serializers.IntegerField()
    number = serializers.CharField()
    application = serializers.CharField()
    is_exercise = serializers.BooleanField()
    label = serializers.CharField(help_text='"EXERCISE" or "TEST"; blank for actual incidents.')
    declared_at = serializers.DateTimeField()
    milestones = MilestoneSerializer(many=True)
    hospitals = HospitalAckFiguresSerializer()
    patients = PatientFiguresSerializer()
    checklist = ChecklistFiguresSerializer(allow_null=True)
