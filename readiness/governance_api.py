"""The governance API under /api/v1/readiness/: radio-channels/, mutual-aid/, meetings/,
adoptions/ and funding/ — list (?region=), add (POST), read, change (PATCH), delete.

Who may do what: readiness/governance_access.py. Unseen records are 404, seen but not kept
403, bad input 400 with field errors.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model, QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import ViewSetMixin

from incidents.api.base import django_errors_as_drf
from readiness import governance_access as access
from readiness import governance_serializers as s
from readiness.services import governance

KEEPERS_ONLY = "The region's emergency managers keep its governance records."


class GovernanceViewSet(ViewSetMixin, GenericAPIView):
    lookup_value_converter = "int"
    filterset_fields = ["region"]
    serializer_class: type[serializers.ModelSerializer]

    @property
    def model(self) -> type[Model]:
        return self.serializer_class.Meta.model

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, DjangoValidationError):
            exc = django_errors_as_drf(exc)
        return super().handle_exception(exc)

    def get_queryset(self) -> QuerySet:
        return access.visible(self.request.user, self.model)

    def record(self, pk: int) -> Any:
        record = get_object_or_404(self.get_queryset(), pk=pk)
        if not access.can_keep(self.request.user, record.region_id):
            raise PermissionDenied(KEEPERS_ONLY)
        return record

    def answer(self, record: Any, code: int = status.HTTP_200_OK) -> Response:
        return Response(self.serializer_class(self.model.objects.get(pk=record.pk)).data, code)

    def list(self, request: Request) -> Response:
        """GET: the records the user may see."""
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self.serializer_class(page, many=True).data)

    def create(self, request: Request) -> Response:
        """POST: add a record to a region (its emergency managers)."""
        serializer = self.serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        region = data.pop("region")
        if not access.can_keep(request.user, region.pk):
            raise DRFValidationError({"region": ["Choose a region whose records you keep."]})
        record = governance.create(actor=request.user, model=self.model, region=region, **data)
        return self.answer(record, status.HTTP_201_CREATED)

    def retrieve(self, request: Request, pk: int) -> Response:
        """GET: one record."""
        return Response(self.serializer_class(get_object_or_404(self.get_queryset(), pk=pk)).data)

    def partial_update(self, request: Request, pk: int) -> Response:
        """PATCH: change a record (its region stays)."""
        record = self.record(pk)
        serializer = self.serializer_class(record, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if "region" in data and data.pop("region").pk != record.region_id:
            raise DRFValidationError({"region": ["A record stays in its region."]})
        governance.update(actor=request.user, record=record, **data)
        return self.answer(record)

    @extend_schema(responses={204: None})
    def destroy(self, request: Request, pk: int) -> Response:
        """DELETE: remove a record."""
        governance.delete(actor=request.user, record=self.record(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class RadioChannelViewSet(GovernanceViewSet):
    serializer_class = s.RadioChannelSerializer


class MutualAidViewSet(GovernanceViewSet):
    serializer_class = s.MutualAidAgreementSerializer


class MeetingViewSet(GovernanceViewSet):
    serializer_class = s.CommitteeMeetingSerializer


class AdoptionViewSet(GovernanceViewSet):
    serializer_class = s.PlanAdoptionSerializer


class FundingViewSet(GovernanceViewSet):
    serializer_class = s.FundingLineSerializer
