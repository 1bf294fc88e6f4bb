"""The standards exchange API under /api/v1/interop/, for exchange partners' keys.

GET answers are XML (CAP, HAVE, optionally in an EDXL-DE envelope) or Atom; POST takes XML
and answers JSON saying what became of each document. Errors are JSON, as everywhere.
"""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from typing import IO, Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from lxml import etree
from rest_framework import serializers, viewsets
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.decorators import action
from rest_framework.exceptions import (
    APIException,
    AuthenticationFailed,
    ParseError,
    PermissionDenied,
)
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.parsers import BaseParser
from rest_framework.permissions import BasePermission
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from asim.api import RequestMatchesSchema
from incidents.models import Incident
from incidents.services.tokens import hash_key
from interop import atom, cap, de, have, services
from interop.models import ExchangePartner
from interop.xml import XmlRefused, parse, to_bytes

logger = logging.getLogger(__name__)


class ServiceUnavailable(APIException):
    status_code = 503
    default_detail = "The standards exchange cannot take documents now."


Scope = ExchangePartner.Scope
CAP_TYPE = "application/cap+xml"
ATOM_TYPE = "application/atom+xml"
XML_TYPE = "application/xml"
# Incidents in the region feed: open ones, and closed ones for this long (their all-clear).
FEED_CLOSED_FOR = timedelta(days=2)


class ExchangePartnerAuthentication(BaseAuthentication):
    """`Authorization: Bearer <key>` → (AnonymousUser, ExchangePartner)."""

    def authenticate(self, request: Request) -> tuple[AnonymousUser, ExchangePartner] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != b"bearer":
            return None
        if len(parts) != 2:
            raise AuthenticationFailed("Send the key as 'Authorization: Bearer <key>'.")
        try:
            key = parts[1].decode()
        except UnicodeDecodeError:
            raise AuthenticationFailed("Invalid exchange key.") from None
        partner = (
            ExchangePartner.objects.select_related("region")
            .filter(key_hash=hash_key(key), active=True)
            .first()
        )
        if partner is None:
            raise AuthenticationFailed("Invalid or inactive exchange key.")
        ExchangePartner.objects.filter(pk=partner.pk).update(last_used_at=timezone.now())
        return AnonymousUser(), partner

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="interop"'


class ExchangePartnerScheme(OpenApiAuthenticationExtension):
    target_class = ExchangePartnerAuthentication
    name = "exchangeKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer", "description": "An exchange partner's key."}


class HasScope(BasePermission):
    """The partner's key carries the scope the view names for the action (None: any
    partner; the action checks each document against the scope its kind needs)."""

    message = "This key may not do this."

    def has_permission(self, request: Request, view: Any) -> bool:
        partner = request.auth
        if not isinstance(partner, ExchangePartner):
            return False
        if view.action in (None, "metadata"):
            return True  # a method the view does not route: DRF answers 405
        if view.action not in view.scopes:
            return False
        scope = view.scopes[view.action]
        return scope is None or partner.may(scope)


class XmlParser(BaseParser):
    """An XML body as bytes, at most INTEROP_MAX_DOCUMENT_BYTES (parsed later, hardened)."""

    media_type = XML_TYPE

    def parse(
        self,
        stream: IO[bytes] | None,
        media_type: str | None = None,
        parser_context: dict[str, Any] | None = None,
    ) -> bytes:
        limit = settings.INTEROP_MAX_DOCUMENT_BYTES
        raw = b"" if stream is None else stream.read(limit + 1)
        if len(raw) > limit:
            raise ParseError(f"The document is larger than {limit} bytes.")
        return raw


class CapXmlParser(XmlParser):
    media_type = CAP_TYPE


class TextXmlParser(XmlParser):
    media_type = "text/xml"


class _ErrorsAsXml(BaseRenderer):
    """Only errors reach a renderer (documents are written as they are): an `<error>` with
    the `detail`, or the field errors as JSON text."""

    charset = "utf-8"

    def render(self, data: Any, accepted_media_type: Any = None, context: Any = None) -> bytes:
        root = etree.Element("error")
        detail = data.get("detail") if isinstance(data, dict) and len(data) == 1 else None
        root.text = str(detail) if isinstance(detail, str) else json.dumps(data, default=str)
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


class AtomRenderer(_ErrorsAsXml):
    media_type = ATOM_TYPE
    format = "atom"


class CapRenderer(_ErrorsAsXml):
    media_type = CAP_TYPE
    format = "cap"


class XmlRenderer(_ErrorsAsXml):
    media_type = XML_TYPE
    format = "xml"


def _document(root: Any, content_type: str) -> HttpResponse:
    return HttpResponse(to_bytes(root), content_type=f"{content_type}; charset=utf-8")


def _read(request: Request) -> Any:
    if not isinstance(request.data, bytes):
        raise DRFValidationError(
            {"detail": "Send an XML document (Content-Type: application/xml)."}
        )
    try:
        return parse(request.data)
    except XmlRefused as error:
        raise DRFValidationError({"detail": str(error)}) from None


def _receive(call: Any) -> Response:
    try:
        result = call()
    except XmlRefused as error:
        raise DRFValidationError({"detail": str(error)}) from None
    except services.NotAllowed as error:
        raise PermissionDenied(str(error)) from None
    except ImproperlyConfigured as error:  # the schemas are missing: refuse, loudly, not 500
        logger.error("Standards exchange cannot validate: %s", error)
        raise ServiceUnavailable(f"Incoming documents cannot be validated now: {error}") from None
    if isinstance(result, list):
        return Response({"contents": [r.as_dict() for r in result]})
    opened = result.outcome == services.Outcome.OPENED and not result.duplicate
    return Response(result.as_dict(), status=201 if opened else 200)


ENVELOPE = OpenApiParameter(
    "envelope",
    str,
    enum=["de"],
    description="`de`: wrap the document in an EDXL-DE 2.0 envelope.",
)
XML_BODY = {XML_TYPE: OpenApiTypes.STR, CAP_TYPE: OpenApiTypes.STR, "text/xml": OpenApiTypes.STR}


class ResultSerializer(serializers.Serializer):
    standard = serializers.CharField()
    identifier = serializers.CharField()
    outcome = serializers.CharField()
    reason = serializers.CharField()
    incident = serializers.IntegerField(allow_null=True)
    duplicate = serializers.BooleanField()
    hospitals = serializers.ListField(child=serializers.DictField())


class ResultsSerializer(serializers.Serializer):
    contents = ResultSerializer(many=True)


def _envelope_wanted(request: Request) -> bool:
    value = request.query_params.get("envelope")
    if value not in (None, "de"):
        raise DRFValidationError({"envelope": ["The only envelope is `de` (EDXL-DE 2.0)."]})
    return value == "de"


class InteropViewSet(viewsets.GenericViewSet):
    authentication_classes = [ExchangePartnerAuthentication]
    permission_classes = [HasScope, RequestMatchesSchema]
    parser_classes = [XmlParser, CapXmlParser, TextXmlParser]
    renderer_classes = [JSONRenderer, XmlRenderer, CapRenderer, AtomRenderer]
    pagination_class = None
    filter_backends: list[Any] = []
    metadata_class = None  # OPTIONS: 405, as for every method the schema does not list
    scopes: dict[str, str | None] = {}

    @property
    def partner(self) -> ExchangePartner:
        return self.request.auth


class CapViewSet(InteropViewSet):
    """CAP 1.2: the region's alerts (Atom), one incident's messages, and CAP alerts in."""

    queryset = Incident.objects.none()
    scopes = {
        "list": Scope.CAP_READ,
        "retrieve": Scope.CAP_READ,
        "message": Scope.CAP_READ,
        "create": Scope.CAP_SEND,
    }

    def get_queryset(self) -> Any:
        return Incident.objects.select_related("region").filter(region=self.partner.region)

    def _link(self, incident: Incident, seq: int) -> str:
        path = reverse("api-interop-cap-message", kwargs={"pk": incident.pk, "seq": seq})
        return self.request.build_absolute_uri(path)

    def _feed(self, incidents: list[Incident], feed_id: str, title: str) -> HttpResponse:
        region = self.partner.region
        root = atom.feed(
            feed_id=feed_id,
            title=title,
            author=region.name,
            time_zone=region.time_zone,
            updated=max((i.updated_at for i in incidents), default=timezone.now()),
            incidents=incidents,
            link_of=self._link,
        )
        return _document(root, ATOM_TYPE)

    @extend_schema(
        operation_id="interop_cap_feed",
        summary="The region's CAP alerts as an Atom feed",
        responses={(200, ATOM_TYPE): OpenApiTypes.STR},
    )
    def list(self, request: Request) -> HttpResponse:
        since = timezone.now() - FEED_CLOSED_FOR
        incidents = list(
            self.get_queryset().exclude(status=Incident.Status.CLOSED, closed_at__lt=since)
        )
        region = self.partner.region
        return self._feed(incidents, f"urn:asim:{region.code}:cap", f"{region.name}: alerts")

    @extend_schema(
        operation_id="interop_cap_incident_feed",
        summary="One incident's CAP messages as an Atom feed",
        responses={(200, ATOM_TYPE): OpenApiTypes.STR},
    )
    def retrieve(self, request: Request, pk: str) -> HttpResponse:
        incident = get_object_or_404(self.get_queryset(), pk=pk)
        return self._feed(
            [incident],
            f"urn:asim:{incident.region.code}:cap:{incident.number}",
            f"{incident.number}: alerts",
        )

    @extend_schema(
        operation_id="interop_cap_message",
        summary="One CAP message of an incident",
        parameters=[
            OpenApiParameter("seq", int, OpenApiParameter.PATH, description="The message's seq."),
            ENVELOPE,
        ],
        responses={(200, CAP_TYPE): OpenApiTypes.STR, (200, XML_TYPE): OpenApiTypes.STR},
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"messages/(?P<seq>[0-9]+)",
        url_name="message",
    )
    def message(self, request: Request, pk: str, seq: str) -> HttpResponse:
        wrap = _envelope_wanted(request)
        incident = get_object_or_404(self.get_queryset(), pk=pk)
        found = [(m, a) for m, a in cap.alerts(incident) if m.seq == int(seq)]
        if not found:
            return Response({"detail": "No CAP message starts at this seq."}, status=404)
        message, alert = found[0]
        if not wrap:
            return _document(alert, CAP_TYPE)
        region = incident.region
        envelope = de.Envelope(
            distribution_id=f"{cap.identifier(incident, message.seq)}.de",
            sender_id=cap.sender(incident),
            status=cap.STATUS[incident.application],
            kind="Report" if message.msg_type == "Alert" else "Update",
            sender_role=region.name,
            recipient_roles=(self.partner.name,),
            incident_id=f"{region.code}/{incident.number}",
            description=f"CAP {message.msg_type} for {incident.number}",
        )
        return _document(de.wrap(alert, envelope, region.time_zone), XML_TYPE)

    @extend_schema(
        summary="Receive a CAP 1.2 alert (201 when it opens an incident)",
        request=XML_BODY,
        responses={200: ResultSerializer, 201: ResultSerializer},
    )
    def create(self, request: Request) -> Response:
        root = _read(request)
        return _receive(lambda: services.cap_receive(self.partner, root))


class HaveViewSet(InteropViewSet):
    """EDXL-HAVE 1.0: the region's hospital status, and outside partners' status in."""

    scopes = {"list": Scope.HAVE_READ, "create": Scope.HAVE_SEND}

    @extend_schema(
        operation_id="interop_have_feed",
        summary="The region's hospital status (EDXL-HAVE HospitalStatus)",
        parameters=[ENVELOPE],
        responses={(200, XML_TYPE): OpenApiTypes.STR},
    )
    def list(self, request: Request) -> HttpResponse:
        wrap = _envelope_wanted(request)
        region = self.partner.region
        root = have.hospital_status(region)
        if wrap:
            now = timezone.now()
            envelope = de.Envelope(
                distribution_id=f"asim.{region.code}.have.{now:%Y%m%dT%H%M%S}",
                sender_id=f"{region.code}@{settings.INTEROP_SENDER_DOMAIN}",
                status="Actual",
                kind="Report",
                sender_role=region.name,
                recipient_roles=(self.partner.name,),
                description=f"Hospital status of {region.name}",
            )
            root = de.wrap(root, envelope, region.time_zone, now)
        return _document(root, XML_TYPE)

    @extend_schema(
        summary="Receive an EDXL-HAVE HospitalStatus for outside partner hospitals",
        request=XML_BODY,
        responses={200: ResultSerializer},
    )
    def create(self, request: Request) -> Response:
        root = _read(request)
        return _receive(lambda: services.have_receive(self.partner, root))


class DeViewSet(InteropViewSet):
    """EDXL-DE: unwrap an envelope and route each content (CAP, HAVE) by its type."""

    scopes = {"create": None}

    @extend_schema(
        summary="Receive an EDXL-DE envelope (2.0, or 1.0) carrying CAP or HAVE",
        request=XML_BODY,
        responses={200: ResultsSerializer},
    )
    def create(self, request: Request) -> Response:
        root = _read(request)
        return _receive(lambda: services.de_receive(self.partner, root))
