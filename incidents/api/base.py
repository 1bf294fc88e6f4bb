"""What every incidents endpoint shares.

Views stay thin: find the incident the user may see (404 otherwise), check the action in
incidents/permissions.py (403), validate the request's shape with a serializer (400), call
the service. A service's ValidationError becomes a 400 with field errors in one place,
`IncidentAPIView.handle_exception`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from rest_framework import status
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.viewsets import ViewSetMixin

from asim.api import Pages
from incidents import events, queries
from incidents.api.serializers import (
    EventSerializer,
    IncidentSerializer,
    PublicEventSerializer,
)
from incidents.models import Incident, IncidentEvent
from incidents.permissions import (
    IncidentAccess,
    incident_access,
)

EVENTS_PAGE = 200
EVENTS_PAGE_MAX = 1000


def django_errors_as_drf(error: DjangoValidationError) -> DRFValidationError:
    """A service's ValidationError as a 400 body: {field: [messages]} for field errors, and
    {"detail": "..."} for an error about the request as a whole (an illegal transition)."""
    if hasattr(error, "error_dict"):
        body: dict[str, Any] = {
            ("detail" if field == "__all__" else field): messages
            for field, messages in error.message_dict.items()
        }
        if "detail" in body:
            body["detail"] = " ".join(body["detail"])
        return DRFValidationError(body)
    return DRFValidationError({"detail": " ".join(error.messages)})


class LargePages(Pages):
    page_size = 100


class IncidentAPIView(GenericAPIView):
    """Base for every incident endpoint: scoped lookup and one place for 400s."""

    serializer_class = IncidentSerializer  # for the schema; each method names its own

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, DjangoValidationError):
            exc = django_errors_as_drf(exc)
        return super().handle_exception(exc)

    def get_queryset(self) -> QuerySet[Incident]:
        return queries.incidents_visible(self.request.user)

    def incident(self, pk: int) -> tuple[Incident, IncidentAccess]:
        """The incident if the user may see it (404 otherwise) and their access to it."""
        incident = get_object_or_404(self.get_queryset(), pk=pk)
        access = incident_access(self.request.user, incident)
        if not access.can_view:
            raise Http404
        return incident, access

    def acting(self, pk: int) -> Incident:
        incident, access = self.incident(pk)
        if not access.can_act:
            raise PermissionDenied("Only dispatch, EMS and emergency management act on incidents.")
        return incident

    def valid(self, serializer_class: type, data: Any = None) -> Any:
        serializer = serializer_class(data=self.request.data if data is None else data)
        serializer.is_valid(raise_exception=True)
        return serializer

    def hospital_on(self, incident: Incident, hospital_id: int) -> Any:
        """The IncidentHospital row for a Hospital id on this incident (404 otherwise)."""
        return get_object_or_404(queries.incident_hospitals(incident), hospital_id=hospital_id)

    def hospital_of_incident(self, incident: Incident, hospital_id: int | None, field: str) -> Any:
        """A Hospital that is on the incident, or a 400 on `field`."""
        if hospital_id is None:
            return None
        row = queries.incident_hospitals(incident).filter(hospital_id=hospital_id).first()
        if row is None:
            raise DRFValidationError({field: ["That hospital is not on this incident."]})
        return row.hospital


def serialize_events(access: IncidentAccess, timeline: Iterable[IncidentEvent]) -> list[Any]:
    """Events as the user may see each one (events.event_sight): with their data, as a
    summary without it, or not at all."""
    viewer = queries.event_viewer(access)
    shown = []
    for event in timeline:
        sight = events.event_sight(viewer, event.kind, event.hospital_id, event.data, event.seq)
        if sight == events.Sight.FULL:
            shown.append(EventSerializer(event).data)
        elif sight == events.Sight.SUMMARY:
            shown.append(PublicEventSerializer(event).data)
    return shown


def incident_body(incident: Incident, code: int = status.HTTP_200_OK) -> Response:
    return Response(IncidentSerializer(incident).data, status=code)


class IncidentViewSetBase(ViewSetMixin, IncidentAPIView):
    """Base of the incident ViewSets: routed by a router with int path converters."""

    lookup_value_converter = "int"
