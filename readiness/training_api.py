"""The training API under /api/v1/readiness/:

- courses/ — the catalogue: every member of a region reads it; its emergency managers add
  and edit courses.
- sessions/ — sessions the user may see (EMs: the region's; agency admins: those their
  agency attended; instructors: those they teach); EMs add and edit them.
- sessions/{id}/attendance/ — GET the records the user may see; POST {"member": id} records
  one person; sessions/{id}/attendance/{record}/ DELETE removes one.
- sessions/{id}/attendance/import/ — POST a CSV sign-in sheet (multipart `file`); a 400 lists
  every bad row and nothing is written.
- coverage/ — coverage per agency and required course, instructors, refreshers due.
- my-training/ — the user's own records.

Rules live in readiness/training_access.py; changes in readiness/services/training.py.
Unknown or unseen objects are 404, seen but not allowed 403, bad input 400 with what is wrong.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count, Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.viewsets import GenericViewSet

from agencies.models import Agency, Member, Region
from agencies.roster_csv import decode
from incidents.api.base import django_errors_as_drf
from readiness import training_access as access
from readiness import training_queries as queries
from readiness.models import Course, TrainingSession
from readiness.services import training
from readiness.training_serializers import (
    AttendanceAddSerializer,
    AttendanceImportErrorSerializer,
    AttendanceImportResultSerializer,
    AttendanceImportSerializer,
    CourseEditSerializer,
    CourseSerializer,
    CoverageSerializer,
    RecordSerializer,
    SessionSerializer,
    SessionWriteSerializer,
)

KEEPERS_ONLY = "The region's emergency managers keep the course catalogue and sessions."


class TrainingErrors:
    """Service ValidationErrors as 400 bodies."""

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, DjangoValidationError):
            exc = django_errors_as_drf(exc)
        return super().handle_exception(exc)  # type: ignore[misc]


class CourseViewSet(
    TrainingErrors,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    GenericViewSet,
):
    """The region's course catalogue."""

    serializer_class = CourseSerializer
    lookup_value_converter = "int"
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Course]:
        return access.courses_visible(self.request.user).order_by("region_id", "code")

    def create(self, request: Request) -> Response:
        """POST: a new course in a region the user keeps (its emergency managers)."""
        serializer = CourseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        region: Region = data.pop("region")
        if not access.can_keep_catalogue(request.user, region.pk):
            if not access.keeper_regions(request.user):
                raise PermissionDenied(KEEPERS_ONLY)
            raise DRFValidationError({"region": ["Choose a region whose catalogue you keep."]})
        course = training.course_create(actor=request.user, region=region, **data)
        return Response(CourseSerializer(course).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CourseEditSerializer, responses=CourseSerializer)
    def partial_update(self, request: Request, pk: int) -> Response:
        """PATCH: change a course (its region's emergency managers)."""
        course = get_object_or_404(self.get_queryset(), pk=pk)
        if not access.can_keep_catalogue(request.user, course.region_id):
            raise PermissionDenied(KEEPERS_ONLY)
        serializer = CourseEditSerializer(course, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        course = training.course_update(
            actor=request.user, course=course, **serializer.validated_data
        )
        return Response(CourseSerializer(course).data)


class SessionViewSet(TrainingErrors, mixins.ListModelMixin, GenericViewSet):
    """Training sessions and their attendance."""

    serializer_class = SessionSerializer
    lookup_value_converter = "int"
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[TrainingSession]:
        return (
            access.sessions_visible(self.request.user)
            .select_related("course")
            .prefetch_related(
                Prefetch("instructors", queryset=Member.objects.order_by("full_name")),
                "agencies",
            )
            .annotate(attendance_count=Count("records", distinct=True))
            .order_by("-date", "-id")
        )

    def session(self, pk: int) -> TrainingSession:
        return get_object_or_404(self.get_queryset(), pk=pk)

    def _people(
        self, region_id: int, data: dict[str, Any]
    ) -> tuple[list[Member] | None, list[Agency] | None]:
        instructors = agencies = None
        errors: dict[str, list[str]] = {}
        if "instructors" in data:
            instructors = list(
                Member.objects.filter(pk__in=data["instructors"], agency__region_id=region_id)
            )
            if len(instructors) != len(set(data["instructors"])):
                errors["instructors"] = ["Choose members of the region's rosters."]
        if "agencies" in data:
            agencies = list(Agency.objects.filter(pk__in=data["agencies"], region_id=region_id))
            if len(agencies) != len(set(data["agencies"])):
                errors["agencies"] = ["Choose agencies of the session's region."]
        if errors:
            raise DRFValidationError(errors)
        return instructors, agencies

    def _course(self, course_id: int | None) -> Course:
        course = Course.objects.filter(pk=course_id).first() if course_id else None
        if course is None or not access.can_keep_catalogue(self.request.user, course.region_id):
            raise DRFValidationError({"course": ["Choose a course of a region you keep."]})
        return course

    @extend_schema(request=SessionWriteSerializer, responses={201: SessionSerializer})
    def create(self, request: Request) -> Response:
        """POST: a new session of a course (the course's region's emergency managers)."""
        if not access.keeper_regions(request.user) and not request.user.is_superuser:
            raise PermissionDenied(KEEPERS_ONLY)
        serializer = SessionWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if "date" not in data:
            raise DRFValidationError({"date": ["This field is required."]})
        course = self._course(data.get("course"))
        instructors, agencies = self._people(course.region_id, data)
        session = training.session_create(
            actor=request.user,
            region=course.region,
            course=course,
            date=data["date"],
            place=data.get("place", ""),
            notes=data.get("notes", ""),
            instructors=instructors or [],
            agencies=agencies or [],
        )
        return Response(
            SessionSerializer(self.session(session.pk)).data, status=status.HTTP_201_CREATED
        )

    def retrieve(self, request: Request, pk: int) -> Response:
        """GET: one session."""
        return Response(SessionSerializer(self.session(pk)).data)

    @extend_schema(request=SessionWriteSerializer, responses=SessionSerializer)
    def partial_update(self, request: Request, pk: int) -> Response:
        """PATCH: change a session (its region's emergency managers)."""
        session = self.session(pk)
        if not access.can_keep_catalogue(request.user, session.region_id):
            raise PermissionDenied(KEEPERS_ONLY)
        serializer = SessionWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        instructors, agencies = self._people(session.region_id, data)
        fields = {k: data[k] for k in ("date", "place", "notes") if k in data}
        if "course" in data:
            fields["course"] = self._course(data["course"])
        training.session_update(
            actor=request.user,
            session=session,
            instructors=instructors,
            agencies=agencies,
            **fields,
        )
        return Response(SessionSerializer(self.session(pk)).data)

    @extend_schema(responses=RecordSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def attendance(self, request: Request, pk: int) -> Response:
        """GET: the session's attendance the user may see. POST {"member": id}: record one
        person (EMs and instructors: anyone of an attending agency; agency admins: their own)."""
        session = self.session(pk)
        records = access.attendance_visible(request.user, session).order_by("member__full_name")
        return Response(RecordSerializer(records, many=True).data)

    @extend_schema(request=AttendanceAddSerializer, responses={201: RecordSerializer})
    @attendance.mapping.post
    def attendance_add(self, request: Request, pk: int) -> Response:
        """GET: the session's attendance the user may see. POST {"member": id}: record one
        person (EMs and instructors: anyone of an attending agency; agency admins: their own)."""
        session = self.session(pk)
        if not access.can_record_any(request.user, session):
            raise PermissionDenied("EMs, the session's instructors and agency admins record it.")
        serializer = AttendanceAddSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        member = (
            Member.objects.select_related("agency")
            .filter(pk=serializer.validated_data["member"], agency__in=session.agencies.all())
            .first()
        )
        if member is None or not access.can_record_member(request.user, session, member):
            raise DRFValidationError(
                {"member": ["Choose a member of an attending agency whose records you keep."]}
            )
        record, created = training.attendance_record(
            actor=request.user, session=session, member=member
        )
        return Response(
            RecordSerializer(record).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(request=None, responses={204: None})
    @action(
        detail=True,
        methods=["delete"],
        url_path="attendance/<int:record_id>",
        url_name="attendance-remove",
    )
    def attendance_remove(self, request: Request, pk: int, record_id: int) -> Response:
        """DELETE: remove one attendance record."""
        session = self.session(pk)
        record = get_object_or_404(access.attendance_visible(request.user, session), pk=record_id)
        if not access.can_record_member(request.user, session, record.member):
            raise PermissionDenied("EMs, the session's instructors and agency admins record it.")
        training.attendance_remove(actor=request.user, record=record)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request={"multipart/form-data": AttendanceImportSerializer},
        responses={
            200: AttendanceImportResultSerializer,
            400: OpenApiResponse(AttendanceImportErrorSerializer, description="Every bad row"),
        },
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="attendance/import",
        url_name="attendance-import",
        parser_classes=[MultiPartParser],
    )
    def attendance_import(self, request: Request, pk: int) -> Response:
        """POST a CSV sign-in sheet (EMs and the session's instructors): every row is matched
        to a roster member of an attending agency; a 400 lists every bad row, nothing written."""
        session = self.session(pk)
        if not access.can_record_all(request.user, session):
            raise PermissionDenied("EMs and the session's instructors import its sign-in sheet.")
        serializer = AttendanceImportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            text = decode(serializer.validated_data["file"].read())
        except DjangoValidationError as exc:
            raise DRFValidationError({"file": exc.messages}) from None
        report = training.attendance_import(actor=request.user, session=session, text=text)
        if not report.ok:
            body: dict[str, Any] = {}
            if report.parsed.file_error:
                body["file"] = [report.parsed.file_error]
            if report.parsed.errors:
                body["rows"] = [
                    {"line": e.line, "name": e.name, "reasons": e.reasons}
                    for e in report.parsed.errors
                ]
            return Response(body, status=status.HTTP_400_BAD_REQUEST)
        return Response({"recorded": report.recorded, "unchanged": report.unchanged})


def coverage_body(user: Any) -> dict[str, Any]:
    today = timezone.localdate()
    agencies = access.coverage_agencies(user)
    result = queries.coverage(agencies, today)
    due = list(queries.refreshers_due(agencies, today))
    windows = {str(w): 0 for w in queries.DUE_WINDOWS}
    for record in due:
        windows[str(queries.due_window(record, today))] += 1
    region_ids = {row.agency.region_id for row in result.rows}
    instructors = queries.instructors_by_discipline(region_ids, today)
    return {
        "date": today,
        "courses": [{"id": c.pk, "code": c.code, "name": c.name} for c in result.courses],
        "rows": [
            {
                "agency": row.agency.pk,
                "agency_name": row.agency.name,
                "discipline": row.agency.discipline,
                "responders": row.responders,
                "cells": [
                    {
                        "course": cell.course.pk,
                        "trained": cell.trained,
                        "responders": cell.responders,
                        "percent": cell.percent,
                    }
                    for cell in row.cells.values()
                    if cell is not None
                ],
            }
            for row in result.rows
        ],
        "instructors": [
            {"discipline": d, "members": [m.full_name for m in members]}
            for d, members in instructors.items()
        ],
        "refreshers_due": windows,
    }


class CoverageView(APIView):
    """GET: coverage per agency and required course for the agencies the user reads
    (EMs and officials: their regions'; agency admins: their own), instructors per discipline
    and refreshers due in 30/60/90 days."""

    @extend_schema(responses=CoverageSerializer)
    def get(self, request: Request) -> Response:
        if not access.coverage_agencies(request.user).exists():
            raise PermissionDenied("Emergency managers, officials and agency admins read coverage.")
        return Response(CoverageSerializer(coverage_body(request.user)).data)


class MyTrainingView(APIView):
    """GET: the user's own training records, newest first."""

    @extend_schema(responses=RecordSerializer(many=True))
    def get(self, request: Request) -> Response:
        records = access.my_records(request.user)
        return Response(RecordSerializer(records, many=True).data)
