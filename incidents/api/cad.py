"""CAD intake: `POST /api/v1/cad/incidents/`, authenticated by a region-scoped CAD token.

Idempotent on `cad_number` per region: the first call creates the incident (201), any later
call with the same number returns that incident (200) and never a duplicate — also when two
calls race: the declaration locks the region row and re-checks, and the unique constraint
on (region, cad_number) is the last line of defence.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from agencies.models import Discipline, Hospital
from asim.api import RequestMatchesSchema
from incidents import queries, services
from incidents.api.base import IncidentAPIView
from incidents.api.serializers import CadIncidentSerializer, IncidentSerializer
from incidents.models import CadToken, Incident
from incidents.services.tokens import hash_key


class CadTokenAuthentication(BaseAuthentication):
    """`Authorization: Bearer <key>` (or `Token <key>`) → (AnonymousUser, CadToken)."""

    keywords = (b"bearer", b"token")

    def authenticate(self, request: Request) -> tuple[AnonymousUser, CadToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in self.keywords:
            return None
        if len(parts) != 2:
            raise AuthenticationFailed("Send the CAD key as 'Authorization: Bearer <key>'.")
        try:
            key = parts[1].decode()
        except UnicodeDecodeError:
            raise AuthenticationFailed("Invalid CAD key.") from None
        token = (
            CadToken.objects.select_related("region").filter(key_hash=hash_key(key), active=True)
        ).first()
        if token is None:
            raise AuthenticationFailed("Invalid or inactive CAD key.")
        CadToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        return AnonymousUser(), token

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="cad"'


class CadTokenScheme(OpenApiAuthenticationExtension):
    """Documents the CAD key in the OpenAPI schema."""

    target_class = CadTokenAuthentication
    name = "cadToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer", "description": "A region's CAD key."}


class HasCadToken(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        return isinstance(request.auth, CadToken)


def _resolve_hospitals(
    token: CadToken, refs: list[Any], latitude: float | None, longitude: float | None
) -> list[Hospital]:
    """Agency ids (numbers) or short codes of the token's region (text) → Hospitals, among
    those in reach of an incident of the token's region at (latitude, longitude): the same
    rule as the dispatcher API (queries.hospitals_in_reach). Anything else is "unknown",
    without saying whether it exists elsewhere."""
    in_reach = [
        h
        for h in queries.hospitals_in_reach(token.region, latitude, longitude)
        if h.agency.discipline == Discipline.HOSPITAL
    ]
    by_id = {h.agency_id: h for h in in_reach}
    by_code = {h.agency.short_code: h for h in in_reach if h.agency.region_id == token.region_id}
    unknown = [str(r) for r in refs if (by_id if isinstance(r, int) else by_code).get(r) is None]
    if unknown:
        raise DRFValidationError(
            {
                "hospitals": [
                    f"Unknown hospital(s): {', '.join(unknown)}. "
                    f"List hospitals of this region or within its radius."
                ]
            }
        )
    return [(by_id if isinstance(r, int) else by_code)[r] for r in refs]


# An APIView: one idempotent verb for CAD systems (own token), not a resource to browse.
class CadIncidentView(IncidentAPIView):
    """POST: declare an MCI from the CAD (201), or return the existing one (200)."""

    authentication_classes = [CadTokenAuthentication]
    permission_classes = [HasCadToken, RequestMatchesSchema]

    @extend_schema(
        request=CadIncidentSerializer,
        responses={200: IncidentSerializer, 201: IncidentSerializer},
    )
    def post(self, request: Request) -> Response:
        token: CadToken = request.auth
        data = self.valid(CadIncidentSerializer).validated_data
        cad_number = data["cad_number"].strip()
        existing = Incident.objects.filter(region=token.region, cad_number=cad_number).first()
        if existing is not None:
            return Response(IncidentSerializer(existing).data, status=status.HTTP_200_OK)
        hospitals = _resolve_hospitals(
            token, data.get("hospitals") or [], data.get("latitude"), data.get("longitude")
        )
        try:
            incident = services.incident_declare(
                actor=None,
                region=token.region,
                title=data["title"],
                kind=data["kind"],
                location_text=data.get("location_text", ""),
                latitude=data.get("latitude"),
                longitude=data.get("longitude"),
                application=data["application"],
                estimated=data.get("estimated"),
                casualty_population=data["casualty_population"],
                cad_number=cad_number,
                hospitals=hospitals,
                via=f"CAD: {token.name}",
            )
        except services.DuplicateCadNumber as duplicate:
            return Response(IncidentSerializer(duplicate.incident).data, status=status.HTTP_200_OK)
        except IntegrityError:
            existing = Incident.objects.filter(region=token.region, cad_number=cad_number).first()
            if existing is None:
                raise
            return Response(IncidentSerializer(existing).data, status=status.HTTP_200_OK)
        return Response(IncidentSerializer(incident).data, status=status.HTTP_201_CREATED)
