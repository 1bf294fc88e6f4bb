"""/api/v1/incidents/{id}/hospitals/{hid}/ and /api/v1/standdowns/: one hospital on an
incident, and the stand-downs its ER acknowledges."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_serializer,
)
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from incidents import queries, services
from incidents.api.base import (
    IncidentViewSetBase,
)
from incidents.api.schema import (
    HospitalEntrySerializer,
)
from incidents.api.serializers import (
    CapacitySerializer,
    StandDownSerializer,
)
from incidents.models import Incident


class IncidentHospitalViewSet(IncidentViewSetBase):
    """One hospital on an incident (incidents/{id}/hospitals/{hid}/): take it off, or answer
    for it."""

    lookup_url_kwarg = "hid"

    @extend_schema(responses={204: None})
    def destroy(self, request: Request, pk: int, hid: int) -> Response:
        """DELETE: take the hospital off the incident (dispatch)."""
        incident = self.acting(pk)
        services.incident_hospital_remove(
            actor=request.user, incident_hospital=self.hospital_on(incident, hid)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses=HospitalEntrySerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, pk: int, hid: int) -> Response:
        """POST acknowledge/ or capacity/ for one hospital: its own ER staff, or dispatch."""
        incident, row = self.answering_hospital(pk, hid)
        services.hospital_acknowledge(actor=request.user, incident_hospital=row)
        return self.hospital_entry(incident, row)

    @extend_schema(request=CapacitySerializer, responses=HospitalEntrySerializer)
    @action(detail=True, methods=["post"])
    def capacity(self, request: Request, pk: int, hid: int) -> Response:
        """POST acknowledge/ or capacity/ for one hospital: its own ER staff, or dispatch."""
        incident, row = self.answering_hospital(pk, hid)
        data = self.valid(CapacitySerializer).validated_data
        services.hospital_answer_capacity(actor=request.user, incident_hospital=row, **data)
        return self.hospital_entry(incident, row)

    def answering_hospital(self, pk: int, hid: int) -> tuple[Incident, Any]:
        """The incident and its row for the hospital, if the user may answer for it (403
        otherwise)."""
        incident, access = self.incident(pk)
        row = self.hospital_on(incident, hid)
        if not access.can_act_for_hospital(row.hospital_id):
            raise PermissionDenied("Only this hospital's ER staff or dispatch may answer for it.")
        return incident, row

    def hospital_entry(self, incident: Incident, row: Any) -> Response:
        row = queries.incident_hospitals(incident).get(pk=row.pk)
        entry = queries.hospital_entry(row, queries.sent_counts(incident).get(row.hospital_id, {}))
        return Response(entry)


@extend_schema_serializer(many=False)
class StandDownResultsSerializer(serializers.Serializer):
    results = StandDownSerializer(many=True)


class StandDownViewSet(IncidentViewSetBase):
    """Stand-downs of the user's hospitals: the pending ones, and the ER's acknowledgement."""

    serializer_class = StandDownSerializer
    lookup_url_kwarg = "sid"
    filter_backends: list[type] = []  # ?hospital= only
    pagination_class = None  # every pending stand-down, in one answer

    @extend_schema(
        operation_id="v1_standdowns_retrieve",
        parameters=[OpenApiParameter("hospital", int, description="Only this hospital's.")],
        responses=StandDownResultsSerializer,
    )
    def list(self, request: Request) -> Response:
        """GET ?hospital=<id>: the stand-downs of the user's hospitals not yet acknowledged (the
        cards on an ER board)."""
        try:
            hospital = (
                int(request.query_params["hospital"])
                if "hospital" in request.query_params
                else None
            )
        except ValueError:
            raise DRFValidationError({"hospital": ["A hospital id is a whole number."]}) from None
        rows = queries.standdowns_pending(request.user, hospital)
        return Response({"results": StandDownSerializer(rows, many=True).data})

    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, sid: int) -> Response:
        """POST: the hospital's ER has seen its stand-down (its own ER staff)."""
        row = get_object_or_404(queries.standdowns_visible(request.user), pk=sid)
        row = services.hospital_standdown_acknowledge(actor=request.user, standdown=row)
        return Response(StandDownSerializer(row).data)
