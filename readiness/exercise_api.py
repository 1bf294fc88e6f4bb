"""The API of exercises and after-action reports (/api/v1/…):

- exercises/ — list (?region=, ?status=, ?type=), plan (POST), read, change (PATCH);
  …/{id}/hold/, …/{id}/cancel/, …/{id}/link-incident/;
  …/{id}/objectives/ (GET, POST) and …/{id}/objectives/{objective}/rate/
- after-action-reports/ — list (?region=, ?status=), draft (POST for a held exercise or a
  closed real incident), read, edit the draft (PATCH), …/{id}/issue/;
  …/{id}/corrective-actions/ (GET, POST)
- corrective-actions/ — list (?status=, ?agency=, ?overdue=), read, PATCH, …/{id}/close/

Who may do what: readiness/exercise_access.py. Unknown or unseen objects are 404, seen but not
allowed 403, bad input 400 with field errors.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import ViewSetMixin

from agencies.models import Agency, Member, Region
from incidents.api.base import django_errors_as_drf
from incidents.models import Incident
from readiness import exercise_access as access
from readiness.exercise_serializers import (
    CorrectiveActionCloseSerializer,
    CorrectiveActionSerializer,
    CorrectiveActionWriteSerializer,
    ExerciseHoldSerializer,
    ExerciseSerializer,
    ExerciseWriteSerializer,
    LinkIncidentSerializer,
    ObjectiveAddSerializer,
    ObjectiveRateSerializer,
    ObjectiveSerializer,
    ReportCreateSerializer,
    ReportEditSerializer,
    ReportIssueSerializer,
    ReportSerializer,
)
from readiness.models import AfterActionReport, CorrectiveAction, Exercise
from readiness.services import after_action, exercises

OWNERS_ONLY = "The region's emergency managers keep its exercises and after-action reports."


class ReadinessAPIView(GenericAPIView):
    """Service ValidationErrors as 400s with field errors; an owner check in one place."""

    lookup_value_converter = "int"

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, DjangoValidationError):
            exc = django_errors_as_drf(exc)
        return super().handle_exception(exc)

    def require_owner(self, region_id: int) -> None:
        if not access.can_own(self.request.user, region_id):
            raise PermissionDenied(OWNERS_ONLY)

    def valid(self, serializer_class: type, partial: bool = False) -> dict[str, Any]:
        serializer = serializer_class(data=self.request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)


def _records(model: type, ids: list[int], field: str) -> list[Any]:
    """The records of `ids` (an unknown id: 400 on `field`); the service checks their region."""
    found = list(model.objects.filter(pk__in=ids))
    if len(found) != len(set(ids)):
        raise DRFValidationError({field: ["Unknown id."]})
    return found


class ExerciseViewSet(ViewSetMixin, ReadinessAPIView):
    serializer_class = ExerciseSerializer
    filterset_fields = ["region", "status", "type"]

    def get_queryset(self) -> QuerySet[Exercise]:
        return access.exercises_visible(self.request.user).prefetch_related(
            "objectives", "agencies", "evaluators", "incidents"
        )

    def exercise(self, pk: int, *, own: bool = False) -> Exercise:
        exercise = get_object_or_404(self.get_queryset(), pk=pk)
        if own:
            self.require_owner(exercise.region_id)
        return exercise

    def answer(self, exercise: Exercise, code: int = status.HTTP_200_OK) -> Response:
        return Response(ExerciseSerializer(self.get_queryset().get(pk=exercise.pk)).data, code)

    def people(self, data: dict[str, Any]) -> dict[str, Any]:
        people: dict[str, Any] = {}
        if "agencies" in data:
            people["agencies"] = _records(Agency, data.pop("agencies"), "agencies")
        if "evaluators" in data:
            people["evaluators"] = _records(Member, data.pop("evaluators"), "evaluators")
        return people

    @extend_schema(responses=ExerciseSerializer(many=True))
    def list(self, request: Request) -> Response:
        """GET: exercises the user may see (EM: the region's; agency admins: their agency's)."""
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(ExerciseSerializer(page, many=True).data)

    @extend_schema(request=ExerciseWriteSerializer, responses={201: ExerciseSerializer})
    def create(self, request: Request) -> Response:
        """POST: plan an exercise in a region (its emergency managers)."""
        data = self.valid(ExerciseWriteSerializer)
        missing = [f for f in ("region", "name", "type", "planned_on") if f not in data]
        if missing:
            raise DRFValidationError({f: ["This field is required."] for f in missing})
        region = Region.objects.filter(pk=data.pop("region")).first()
        if region is None or not access.can_own(request.user, region.pk):
            raise DRFValidationError({"region": ["Choose a region whose exercises you keep."]})
        people = self.people(data)
        exercise = exercises.exercise_create(actor=request.user, region=region, **data, **people)
        return self.answer(exercise, status.HTTP_201_CREATED)

    def retrieve(self, request: Request, pk: int) -> Response:
        """GET: one exercise with its objectives and linked incidents."""
        return self.answer(self.exercise(pk))

    @extend_schema(request=ExerciseWriteSerializer, responses=ExerciseSerializer)
    def partial_update(self, request: Request, pk: int) -> Response:
        """PATCH: change name, type, planned date, scenario, agencies or evaluators."""
        exercise = self.exercise(pk, own=True)
        data = self.valid(ExerciseWriteSerializer, partial=True)
        if "region" in data:
            raise DRFValidationError({"region": ["An exercise stays in its region."]})
        people = self.people(data)
        exercises.exercise_update(actor=request.user, exercise=exercise, **data, **people)
        return self.answer(exercise)

    @extend_schema(request=ExerciseHoldSerializer, responses=ExerciseSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def hold(self, request: Request, pk: int) -> Response:
        """POST {"held_on": date}: the exercise was held."""
        exercise = self.exercise(pk, own=True)
        data = self.valid(ExerciseHoldSerializer)
        exercises.exercise_hold(actor=request.user, exercise=exercise, held_on=data["held_on"])
        return self.answer(exercise)

    @extend_schema(request=None, responses=ExerciseSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def cancel(self, request: Request, pk: int) -> Response:
        """POST: cancel a planned exercise."""
        exercise = self.exercise(pk, own=True)
        exercises.exercise_cancel(actor=request.user, exercise=exercise)
        return self.answer(exercise)

    @extend_schema(request=LinkIncidentSerializer, responses=ExerciseSerializer)
    @action(detail=True, methods=["post"], url_path="link-incident", filter_backends=[])
    def link_incident(self, request: Request, pk: int) -> Response:
        """POST {"incident": id}: the exercise was played as this exercise incident."""
        exercise = self.exercise(pk, own=True)
        incident = Incident.objects.filter(
            pk=self.valid(LinkIncidentSerializer)["incident"]
        ).first()
        if incident is None:
            raise DRFValidationError({"incident": ["No such incident."]})
        exercises.exercise_link_incident(actor=request.user, exercise=exercise, incident=incident)
        return self.answer(exercise)

    @extend_schema(responses=ObjectiveSerializer(many=True))
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def objectives(self, request: Request, pk: int) -> Response:
        """GET: the exercise's objectives with their ratings. POST: add one (EM)."""
        exercise = self.exercise(pk)
        return Response(ObjectiveSerializer(exercise.objectives.all(), many=True).data)

    @extend_schema(request=ObjectiveAddSerializer, responses={201: ObjectiveSerializer})
    @objectives.mapping.post
    def objective_add(self, request: Request, pk: int) -> Response:
        """GET: the exercise's objectives with their ratings. POST: add one (EM)."""
        exercise = self.exercise(pk, own=True)
        data = self.valid(ObjectiveAddSerializer)
        objective = exercises.objective_add(actor=request.user, exercise=exercise, **data)
        return Response(ObjectiveSerializer(objective).data, status.HTTP_201_CREATED)

    @extend_schema(request=ObjectiveRateSerializer, responses=ObjectiveSerializer)
    @action(
        detail=True,
        methods=["post"],
        url_path="objectives/<int:objective>/rate",
        filter_backends=[],
    )
    def rate(self, request: Request, pk: int, objective: int) -> Response:
        """POST {"rating": "P"|"S"|"M"|"U"|null, "observations": ""}: rate an objective."""
        exercise = self.exercise(pk, own=True)
        found = get_object_or_404(exercise.objectives, pk=objective)
        data = self.valid(ObjectiveRateSerializer)
        exercises.objective_rate(actor=request.user, objective=found, **data)
        return Response(ObjectiveSerializer(found).data)


class AfterActionReportViewSet(ViewSetMixin, ReadinessAPIView):
    serializer_class = ReportSerializer
    filterset_fields = ["region", "status"]

    def get_queryset(self) -> QuerySet[AfterActionReport]:
        return access.reports_visible(self.request.user)

    def report(self, pk: int, *, own: bool = False) -> AfterActionReport:
        report = get_object_or_404(self.get_queryset(), pk=pk)
        if own:
            self.require_owner(report.region_id)
        return report

    @extend_schema(responses=ReportSerializer(many=True))
    def list(self, request: Request) -> Response:
        """GET: reports the user may read (EM: all of the region's; officials: issued ones)."""
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(ReportSerializer(page, many=True).data)

    @extend_schema(request=ReportCreateSerializer, responses={201: ReportSerializer})
    def create(self, request: Request) -> Response:
        """POST {"exercise": id} or {"incident": id}: draft the report from the timeline."""
        data = self.valid(ReportCreateSerializer)
        if "exercise" in data:
            exercise = access.exercises_visible(request.user).filter(pk=data["exercise"]).first()
            if exercise is None or not access.can_own(request.user, exercise.region_id):
                raise DRFValidationError({"exercise": ["Choose an exercise you keep."]})
            report = after_action.aar_draft_for_exercise(actor=request.user, exercise=exercise)
        else:
            incident = Incident.objects.filter(pk=data["incident"]).first()
            if incident is None or not access.can_own(request.user, incident.region_id):
                raise DRFValidationError({"incident": ["Choose an incident of your region."]})
            report = after_action.aar_draft_for_incident(actor=request.user, incident=incident)
        return Response(ReportSerializer(report).data, status.HTTP_201_CREATED)

    def retrieve(self, request: Request, pk: int) -> Response:
        """GET: one report with its figures."""
        return Response(ReportSerializer(self.report(pk)).data)

    @extend_schema(request=ReportEditSerializer, responses=ReportSerializer)
    def partial_update(self, request: Request, pk: int) -> Response:
        """PATCH: edit the draft's title, overview, strengths, areas for improvement."""
        report = self.report(pk, own=True)
        data = self.valid(ReportEditSerializer, partial=True)
        after_action.aar_update(actor=request.user, report=report, **data)
        return Response(ReportSerializer(report).data)

    @extend_schema(request=ReportIssueSerializer, responses=ReportSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def issue(self, request: Request, pk: int) -> Response:
        """POST: issue the report (it then is final; officials may read it)."""
        report = self.report(pk, own=True)
        data = self.valid(ReportIssueSerializer)
        after_action.aar_issue(actor=request.user, report=report, **data)
        return Response(ReportSerializer(report).data)

    @extend_schema(responses=CorrectiveActionSerializer(many=True))
    @action(
        detail=True,
        methods=["get"],
        url_path="corrective-actions",
        filter_backends=[],
        pagination_class=None,
    )
    def corrective_actions(self, request: Request, pk: int) -> Response:
        """GET: the improvement plan (EM). POST: add a corrective action (EM)."""
        report = self.report(pk, own=True)
        actions = report.corrective_actions.select_related("agency")
        return Response(CorrectiveActionSerializer(actions, many=True).data)

    @extend_schema(
        request=CorrectiveActionWriteSerializer, responses={201: CorrectiveActionSerializer}
    )
    @corrective_actions.mapping.post
    def corrective_action_add(self, request: Request, pk: int) -> Response:
        """GET: the improvement plan (EM). POST: add a corrective action (EM)."""
        report = self.report(pk, own=True)
        data = _action_fields(self.valid(CorrectiveActionWriteSerializer))
        data.pop("status", None)
        made = after_action.action_add(actor=request.user, report=report, **data)
        return Response(CorrectiveActionSerializer(made).data, status.HTTP_201_CREATED)


def _action_fields(data: dict[str, Any]) -> dict[str, Any]:
    """Agency and contact ids as objects (unknown ids: 400 on the field)."""
    if "agency" in data:
        agency = Agency.objects.filter(pk=data["agency"]).first()
        if agency is None:
            raise DRFValidationError({"agency": ["No such agency."]})
        data["agency"] = agency
    if data.get("contact") is not None:
        contact = Member.objects.filter(pk=data["contact"]).first()
        if contact is None:
            raise DRFValidationError({"contact": ["No such member."]})
        data["contact"] = contact
    return data


class CorrectiveActionViewSet(ViewSetMixin, ReadinessAPIView):
    serializer_class = CorrectiveActionSerializer
    filterset_fields = ["status", "agency"]

    def get_queryset(self) -> QuerySet[CorrectiveAction]:
        return access.actions_visible(self.request.user)

    def corrective(self, pk: int) -> CorrectiveAction:
        found = get_object_or_404(self.get_queryset(), pk=pk)
        if not access.can_update_action(self.request.user, found):
            raise PermissionDenied("The owning agency's admins and the region's EMs change it.")
        return found

    @extend_schema(
        parameters=[OpenApiParameter("overdue", bool, description="Only overdue (true) actions.")],
        responses=CorrectiveActionSerializer(many=True),
    )
    def list(self, request: Request) -> Response:
        """GET: corrective actions the user may see (EM: the region's; agency admins: their
        agency's), soonest due first."""
        actions = self.filter_queryset(self.get_queryset())
        overdue = request.query_params.get("overdue")
        if overdue not in (None, ""):
            if overdue not in ("true", "false"):
                raise DRFValidationError({"overdue": ["Use true or false."]})
            if overdue == "true":
                actions = access.overdue(actions)
        page = self.paginate_queryset(actions)
        return self.get_paginated_response(CorrectiveActionSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: int) -> Response:
        """GET: one corrective action."""
        return Response(
            CorrectiveActionSerializer(get_object_or_404(self.get_queryset(), pk=pk)).data
        )

    @extend_schema(request=CorrectiveActionWriteSerializer, responses=CorrectiveActionSerializer)
    def partial_update(self, request: Request, pk: int) -> Response:
        """PATCH: EMs change any field; the owning agency's admins change only the status."""
        found = self.corrective(pk)
        data = self.valid(CorrectiveActionWriteSerializer, partial=True)
        if set(data) - {"status"} and not access.can_own(request.user, found.report.region_id):
            raise PermissionDenied("The owning agency's admins change only the status.")
        after_action.action_update(actor=request.user, action=found, **_action_fields(data))
        return Response(CorrectiveActionSerializer(found).data)

    @extend_schema(request=CorrectiveActionCloseSerializer, responses=CorrectiveActionSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def close(self, request: Request, pk: int) -> Response:
        """POST {"evidence": "..."}: close the action with what shows it is done."""
        found = self.corrective(pk)
        data = self.valid(CorrectiveActionCloseSerializer)
        after_action.action_close(actor=request.user, action=found, **data)
        return Response(CorrectiveActionSerializer(found).data)
