"""DRF serializers for exercises, objectives, after-action reports and corrective actions."""

from __future__ import annotations

from django.utils import timezone
from rest_framework import serializers

from readiness.models import (
    AfterActionReport,
    CapabilityElement,
    CoreCapability,
    CorrectiveAction,
    Exercise,
    ExerciseType,
    Objective,
    Rating,
)


class ObjectiveSerializer(serializers.ModelSerializer):
    class Meta:
        model = Objective
        fields = ["id", "text", "capability", "rating", "observations"]
        read_only_fields = fields


class ExerciseSerializer(serializers.ModelSerializer):
    # Plain text rather than an enum: the schema already has other "status" enums.
    status = serializers.CharField(read_only=True, help_text="planned, held or cancelled")
    category = serializers.CharField(read_only=True, help_text="Discussion- or operations-based")
    objectives = ObjectiveSerializer(many=True, read_only=True)

    class Meta:
        model = Exercise
        fields = [
            "id",
            "region",
            "name",
            "type",
            "category",
            "status",
            "planned_on",
            "held_on",
            "scenario",
            "agencies",
            "evaluators",
            "incidents",
            "objectives",
        ]
        read_only_fields = fields


class ExerciseWriteSerializer(serializers.Serializer):
    region = serializers.IntegerField(required=False, help_text="On create only.")
    name = serializers.CharField(max_length=200, required=False)
    type = serializers.ChoiceField(choices=ExerciseType.choices, required=False)
    planned_on = serializers.DateField(required=False)
    scenario = serializers.CharField(allow_blank=True, required=False)
    agencies = serializers.ListField(child=serializers.IntegerField(), required=False)
    evaluators = serializers.ListField(child=serializers.IntegerField(), required=False)


class ExerciseHoldSerializer(serializers.Serializer):
    held_on = serializers.DateField()


class LinkIncidentSerializer(serializers.Serializer):
    incident = serializers.IntegerField()


class ObjectiveAddSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=400)
    capability = serializers.ChoiceField(choices=CoreCapability.choices)


class ObjectiveRateSerializer(serializers.Serializer):
    rating = serializers.ChoiceField(choices=Rating.choices, allow_null=True)
    observations = serializers.CharField(allow_blank=True, required=False, default="")


class CorrectiveActionSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True, help_text="open, in_progress or closed")
    agency_name = serializers.CharField(source="agency.name", read_only=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = CorrectiveAction
        fields = [
            "id",
            "report",
            "issue",
            "action",
            "element",
            "agency",
            "agency_name",
            "contact",
            "start_on",
            "due_on",
            "status",
            "closed_on",
            "evidence",
            "overdue",
        ]
        read_only_fields = fields

    def get_overdue(self, action: CorrectiveAction) -> bool:
        return action.status != "closed" and action.due_on < timezone.localdate()


class CorrectiveActionWriteSerializer(serializers.Serializer):
    issue = serializers.CharField(max_length=400, required=False)
    action = serializers.CharField(max_length=400, required=False)
    element = serializers.ChoiceField(choices=CapabilityElement.choices, required=False)
    agency = serializers.IntegerField(required=False)
    contact = serializers.IntegerField(required=False, allow_null=True)
    start_on = serializers.DateField(required=False)
    due_on = serializers.DateField(required=False)
    status = serializers.CharField(
        required=False, help_text="open or in_progress (close with …/close/)"
    )


class CorrectiveActionCloseSerializer(serializers.Serializer):
    evidence = serializers.CharField(help_text="What shows it is done: a note or a link.")
    closed_on = serializers.DateField(required=False)


class ReportSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True, help_text="draft or issued")

    class Meta:
        model = AfterActionReport
        fields = [
            "id",
            "region",
            "exercise",
            "incident",
            "title",
            "status",
            "issued_on",
            "overview",
            "participants",
            "strengths",
            "areas_for_improvement",
            "kpis",
        ]
        read_only_fields = fields


class ReportCreateSerializer(serializers.Serializer):
    exercise = serializers.IntegerField(required=False, help_text="A held exercise, or…")
    incident = serializers.IntegerField(required=False, help_text="…a closed real incident.")

    def validate(self, data: dict) -> dict:
        if ("exercise" in data) == ("incident" in data):
            raise serializers.ValidationError({"exercise": ["Give an exercise or an incident."]})
        return data


class ReportEditSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    overview = serializers.CharField(allow_blank=True, required=False)
    strengths = serializers.CharField(allow_blank=True, required=False)
    areas_for_improvement = serializers.CharField(allow_blank=True, required=False)


class ReportIssueSerializer(serializers.Serializer):
    issued_on = serializers.DateField(required=False)
