"""API shapes of the course catalogue, sessions, attendance, coverage and one's own record."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from agencies.models import Discipline
from readiness.models import Course, CourseKind, TrainingRecord, TrainingSession


class CourseSerializer(serializers.ModelSerializer):
    disciplines = serializers.ListField(
        child=serializers.ChoiceField(choices=Discipline.choices), required=False
    )
    kind = serializers.ChoiceField(choices=CourseKind.choices, required=False)
    hours = serializers.DecimalField(
        max_digits=5, decimal_places=1, coerce_to_string=False, required=False
    )

    class Meta:
        model = Course
        fields = [
            "id",
            "region",
            "name",
            "code",
            "kind",
            "disciplines",
            "hours",
            "refresher_months",
            "required",
            "active",
        ]
        read_only_fields = ["id"]
        # region and code uniqueness are checked by the service, with a readable message
        validators: list[Any] = []


class CourseEditSerializer(CourseSerializer):
    class Meta(CourseSerializer.Meta):
        read_only_fields = ["id", "region"]


class SessionSerializer(serializers.ModelSerializer):
    course_code = serializers.CharField(source="course.code", read_only=True)
    course_name = serializers.CharField(source="course.name", read_only=True)
    instructors = serializers.SerializerMethodField()
    agencies = serializers.SerializerMethodField()
    attendance = serializers.IntegerField(source="attendance_count", read_only=True, default=None)

    class Meta:
        model = TrainingSession
        fields = [
            "id",
            "region",
            "course",
            "course_code",
            "course_name",
            "date",
            "place",
            "notes",
            "instructors",
            "agencies",
            "attendance",
        ]

    def get_instructors(self, session: TrainingSession) -> list[dict[str, Any]]:
        return [
            {"id": m.pk, "full_name": m.full_name, "agency": m.agency_id}
            for m in session.instructors.all()
        ]

    def get_agencies(self, session: TrainingSession) -> list[dict[str, Any]]:
        return [{"id": a.pk, "name": a.name} for a in session.agencies.all()]


class SessionWriteSerializer(serializers.Serializer):
    course = serializers.IntegerField(required=False)
    date = serializers.DateField(required=False)
    place = serializers.CharField(required=False, allow_blank=True, max_length=200)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    instructors = serializers.ListField(child=serializers.IntegerField(), required=False)
    agencies = serializers.ListField(child=serializers.IntegerField(), required=False)


class RecordSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.full_name", read_only=True)
    agency = serializers.IntegerField(source="member.agency_id", read_only=True)
    agency_name = serializers.CharField(source="member.agency.name", read_only=True)
    course_code = serializers.CharField(source="course.code", read_only=True)
    course_name = serializers.CharField(source="course.name", read_only=True)

    class Meta:
        model = TrainingRecord
        fields = [
            "id",
            "member",
            "member_name",
            "agency",
            "agency_name",
            "course",
            "course_code",
            "course_name",
            "completed_on",
            "expires_on",
            "session",
            "source",
        ]
        read_only_fields = fields


class AttendanceAddSerializer(serializers.Serializer):
    member = serializers.IntegerField()


class AttendanceImportSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="A CSV sign-in sheet: full_name,email,phone,agency.")


class RowErrorSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    name = serializers.CharField()
    reasons = serializers.ListField(child=serializers.CharField())


class AttendanceImportResultSerializer(serializers.Serializer):
    recorded = serializers.IntegerField()
    unchanged = serializers.IntegerField()


class AttendanceImportErrorSerializer(serializers.Serializer):
    file = serializers.ListField(child=serializers.CharField(), required=False)
    rows = RowErrorSerializer(many=True, required=False)


class CoverageCellSerializer(serializers.Serializer):
    course = serializers.IntegerField()
    trained = serializers.IntegerField()
    responders = serializers.IntegerField()
    percent = serializers.IntegerField(allow_null=True)


class CoverageRowSerializer(serializers.Serializer):
    agency = serializers.IntegerField()
    agency_name = serializers.CharField()
    discipline = serializers.CharField()
    responders = serializers.IntegerField()
    cells = CoverageCellSerializer(many=True, help_text="Courses meant for the agency.")


class CoverageCourseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class InstructorSerializer(serializers.Serializer):
    discipline = serializers.CharField()
    members = serializers.ListField(child=serializers.CharField())


class CoverageSerializer(serializers.Serializer):
    date = serializers.DateField()
    courses = CoverageCourseSerializer(many=True)
    rows = CoverageRowSerializer(many=True)
    instructors = InstructorSerializer(many=True)
    refreshers_due = serializers.DictField(
        child=serializers.IntegerField(), help_text="Records expiring within 30, 60, 90 days."
    )
