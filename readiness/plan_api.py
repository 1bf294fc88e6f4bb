"""The regional plan's API under /api/v1/readiness/:

- plan-documents/ — the documents of the regions the user reads (?region=); its emergency
  managers add (POST), change (PATCH) and retire (POST …/{id}/retire/) them.
- alignments/ — agencies' alignment to their region's adopted plan version (?region=); POST
  sets one agency's (its region's EMs, or that agency's admins).
- plan-coverage/?region= — the current plan: adopted version, active documents (past their
  review date flagged), per discipline the agencies on the plan, not on it, needing review.

Rules: readiness/plan_access.py; changes: readiness/services/plan.py. Unknown or unseen
objects are 404, seen but not allowed 403, bad input 400 with field errors.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.viewsets import GenericViewSet

from agencies.models import Region
from incidents.api.base import django_errors_as_drf
from readiness import plan_access as access
from readiness.models import AgencyAlignment, PlanDocument
from readiness.plan_queries import PlanCoverage, evidence_of, plan_coverage
from readiness.plan_serializers import (
    AlignmentSerializer,
    AlignmentWriteSerializer,
    PlanCoverageSerializer,
    PlanDocumentEditSerializer,
    PlanDocumentSerializer,
    PlanDocumentWriteSerializer,
)
from readiness.services import plan

MANAGERS_ONLY = "The region's emergency managers keep its plan documents."
ALIGN_ONLY = "The region's emergency managers, or the agency's own admins, set its alignment."
REGION_PARAM = OpenApiParameter("region", int, description="Only this region's.")


class PlanErrors:
    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, DjangoValidationError):
            exc = django_errors_as_drf(exc)
        return super().handle_exception(exc)  # type: ignore[misc]


def _region_filter(request: Request, queryset: QuerySet[Any]) -> QuerySet[Any]:
    raw = request.query_params.get("region")
    if raw is None:
        return queryset
    if not raw.isdigit():
        raise DRFValidationError({"region": ["A region id."]})
    return queryset.filter(region_id=int(raw))


def _readable(user: Any, queryset: QuerySet[Any]) -> QuerySet[Any]:
    regions = access.readable_regions(user)
    return queryset if regions is None else queryset.filter(region_id__in=regions)


@extend_schema_view(list=extend_schema(parameters=[REGION_PARAM]))
class PlanDocumentViewSet(
    PlanErrors, mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet
):
    """The regional plan's documents."""

    serializer_class = PlanDocumentSerializer
    lookup_value_converter = "int"
    filter_backends: list[Any] = []

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "today": timezone.localdate()}

    def get_queryset(self) -> QuerySet[PlanDocument]:
        documents = _readable(self.request.user, PlanDocument.objects.all())
        if self.action == "list":
            documents = _region_filter(self.request, documents)
        return documents.order_by("region_id", "review_due", "pk")

    def _out(self, document: PlanDocument, code: int = status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(document).data, status=code)

    @extend_schema(request=PlanDocumentWriteSerializer)
    def create(self, request: Request) -> Response:
        """POST: add a document (a link) to a region's plan (its emergency managers)."""
        serializer = PlanDocumentWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        region: Region = data.pop("region")
        if not access.can_manage(request.user, region.pk):
            if not access.can_read(request.user, region.pk):
                raise DRFValidationError({"region": ["Choose a region whose plan you keep."]})
            raise PermissionDenied(MANAGERS_ONLY)
        document = plan.plan_document_add(actor=request.user, region=region, **data)
        return self._out(document, status.HTTP_201_CREATED)

    @extend_schema(request=PlanDocumentEditSerializer)
    def partial_update(self, request: Request, pk: int) -> Response:
        """PATCH: change a document (its region's emergency managers)."""
        document = get_object_or_404(self.get_queryset(), pk=pk)
        if not access.can_manage(request.user, document.region_id):
            raise PermissionDenied(MANAGERS_ONLY)
        serializer = PlanDocumentEditSerializer(document, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        document = plan.plan_document_update(
            actor=request.user, document=document, **serializer.validated_data
        )
        return self._out(document)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def retire(self, request: Request, pk: int) -> Response:
        """POST: retire a document (it stays on record, no longer part of the plan)."""
        document = get_object_or_404(self.get_queryset(), pk=pk)
        if not access.can_manage(request.user, document.region_id):
            raise PermissionDenied(MANAGERS_ONLY)
        return self._out(plan.plan_document_retire(actor=request.user, document=document))


@extend_schema_view(list=extend_schema(parameters=[REGION_PARAM]))
class AlignmentViewSet(PlanErrors, mixins.ListModelMixin, GenericViewSet):
    """Agencies' alignment to their region's adopted plan version."""

    serializer_class = AlignmentSerializer
    lookup_value_converter = "int"
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[AgencyAlignment]:
        alignments = _region_filter(
            self.request, _readable(self.request.user, AgencyAlignment.objects.all())
        )
        return alignments.order_by("region_id", "agency_id")

    @extend_schema(request=AlignmentWriteSerializer)
    def create(self, request: Request) -> Response:
        """POST: set one agency's alignment (the region's EMs, or the agency's admins)."""
        serializer = AlignmentWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        agency = data.pop("agency")
        if not access.can_align(request.user, agency):
            if not access.can_read(request.user, agency.region_id):
                raise DRFValidationError({"agency": ["Choose an agency of your region."]})
            raise PermissionDenied(ALIGN_ONLY)
        alignment = plan.alignment_set(actor=request.user, agency=agency, **data)
        return Response(AlignmentSerializer(alignment).data, status=status.HTTP_201_CREATED)


def coverage_data(coverage: PlanCoverage, context: dict[str, Any]) -> dict[str, Any]:
    def rows(standings: list[Any]) -> list[dict[str, Any]]:
        return [
            {
                "agency": s.agency.pk,
                "agency_name": s.agency.name,
                "standing": s.standing,
                "status": s.alignment.status if s.alignment else None,
                "evidence": evidence_of(s.alignment),
            }
            for s in standings
        ]

    return {
        "region": coverage.region.pk,
        "template": coverage.template.pk if coverage.template else None,
        "version": coverage.template.version if coverage.template else None,
        "documents": PlanDocumentSerializer(
            [d for d, _ in coverage.documents], many=True, context=context
        ).data,
        "disciplines": [
            {
                "discipline": d.discipline,
                "label": d.label,
                "on_plan": rows(d.on_plan),
                "not_on_plan": rows(d.not_on_plan),
                "review_needed": rows(d.review_needed),
            }
            for d in coverage.disciplines
        ],
    }


class PlanCoverageView(APIView):
    """The region's current plan and who is on it, per discipline."""

    @extend_schema(
        parameters=[OpenApiParameter("region", int, required=True)],
        responses=PlanCoverageSerializer,
    )
    def get(self, request: Request) -> Response:
        raw = request.query_params.get("region", "")
        if not raw.isdigit():
            raise DRFValidationError({"region": ["A region id is required."]})
        region = Region.objects.filter(pk=int(raw)).first()
        if region is None or not access.can_read(request.user, region.pk):
            raise DRFValidationError({"region": ["Choose a region whose plan you read."]})
        today = timezone.localdate()
        return Response(coverage_data(plan_coverage(region, today), {"today": today}))
