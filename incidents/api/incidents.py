"""/api/v1/incidents/: the incidents a user may see, declaring, editing, the transitions, the
timeline, the board snapshot, guidance, the hospitals overview and situation updates."""

from __future__ import annotations

from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from agencies.models import DistributionList, Region
from incidents import queries, services
from incidents.api.base import (
    EVENTS_PAGE,
    EVENTS_PAGE_MAX,
    IncidentViewSetBase,
    incident_body,
    serialize_events,
)
from incidents.api.schema import (
    BoardSnapshotSerializer,
    EventPageSerializer,
    GuidanceSerializer,
    HospitalListSerializer,
)
from incidents.api.serializers import (
    CloseSerializer,
    HospitalRefSerializer,
    IncidentDeclareSerializer,
    IncidentSerializer,
    IncidentUpdateSerializer,
    PatientSerializer,
    SituationUpdateSerializer,
    UpdatePostSerializer,
    people_context,
)
from incidents.models import Patient
from incidents.permissions import (
    Level,
    regions_where_user_declares,
)

_TRANSITION_RESPONSES = {
    200: IncidentSerializer,
    409: inline_serializer(
        "PatientsStillOut",
        fields={
            "detail": serializers.CharField(),
            "patients_out": PatientSerializer(many=True),
            "confirm": serializers.CharField(),
        },
    ),
}


class IncidentViewSet(IncidentViewSetBase):
    """Incidents: list and declare; one incident, its changes, transitions, timeline, board,
    guidance, hospitals overview and situation updates."""

    filterset_fields = ["status", "application", "kind", "region"]
    search_fields = ["number", "title", "location_text", "cad_number"]
    ordering_fields = ["declared_at", "number"]

    @extend_schema(
        operation_id="v1_incidents_list",
        parameters=[
            OpenApiParameter("real", bool, description="Only real incidents (no exercises)."),
            OpenApiParameter(
                "inbound_to",
                int,
                description="Only incidents with a patient in transport to this hospital.",
            ),
        ],
        responses=IncidentSerializer(many=True),
    )
    def list(self, request: Request) -> Response:
        """GET: incidents the user may see (?status=, ?application=, ?real=1, ?inbound_to=<hospital
        id>: with patients in transport to that hospital). POST: declare."""
        incidents = self.filter_queryset(self.get_queryset())
        real = request.query_params.get("real", "")
        if real not in ("", "0", "1", "false", "true"):
            raise DRFValidationError({"real": ["Use true or false."]})
        if real in ("1", "true"):
            incidents = incidents.real()
        if "inbound_to" in request.query_params:
            try:
                hospital_id = int(request.query_params["inbound_to"])
            except ValueError:
                raise DRFValidationError(
                    {"inbound_to": ["A hospital id is a whole number."]}
                ) from None
            inbound = Patient.objects.filter(
                destination_id=hospital_id, status=Patient.Status.IN_TRANSPORT
            ).values("incident_id")
            incidents = incidents.filter(pk__in=inbound)
        page = self.paginate_queryset(incidents)
        context = people_context(i.declared_by for i in page)
        return self.get_paginated_response(
            IncidentSerializer(page, many=True, context=context).data
        )

    @extend_schema(request=IncidentDeclareSerializer, responses={201: IncidentSerializer})
    def create(self, request: Request) -> Response:
        """GET: incidents the user may see (?status=, ?application=, ?real=1, ?inbound_to=<hospital
        id>: with patients in transport to that hospital). POST: declare."""
        regions = regions_where_user_declares(request.user)
        if regions is not None and not regions:
            raise PermissionDenied("Only dispatch, EMS and emergency management declare MCIs.")
        data = self.valid(IncidentDeclareSerializer).validated_data
        region_id = data.get("region")
        if region_id is None:
            if regions is None or len(regions) != 1:
                raise DRFValidationError({"region": ["Choose the region of the incident."]})
            (region_id,) = regions
        if regions is not None and region_id not in regions:
            raise DRFValidationError({"region": ["You cannot declare incidents in this region."]})
        region = Region.objects.filter(pk=region_id).first()
        if region is None:
            raise DRFValidationError({"region": ["You cannot declare incidents in this region."]})
        incident = services.incident_declare(
            actor=request.user,
            region=region,
            title=data["title"],
            kind=data["kind"],
            location_text=data.get("location_text", ""),
            latitude=data.get("latitude"),
            longitude=data.get("longitude"),
            application=data["application"],
            estimated=data.get("estimated"),
            casualty_population=data["casualty_population"],
        )
        return incident_body(incident, status.HTTP_201_CREATED)

    def retrieve(self, request: Request, pk: int) -> Response:
        """One incident the user may see."""
        incident, _ = self.incident(pk)
        return incident_body(incident)

    @extend_schema(request=IncidentUpdateSerializer, responses=IncidentSerializer)
    def partial_update(self, request: Request, pk: int) -> Response:
        """Change the incident's details (dispatch, EMS, emergency management)."""
        incident = self.acting(pk)
        serializer = self.valid(IncidentUpdateSerializer)
        incident = services.incident_update(
            actor=request.user, incident=incident, changes=serializer.changes()
        )
        return incident_body(incident)

    @extend_schema(request=None, responses=_TRANSITION_RESPONSES)
    @action(detail=True, methods=["post"])
    def deescalate(self, request: Request, pk: int) -> Response:
        """De-escalate the incident (dispatch, EMS, emergency management)."""
        incident = services.incident_deescalate(actor=request.user, incident=self.acting(pk))
        return incident_body(incident)

    @extend_schema(request=CloseSerializer, responses=_TRANSITION_RESPONSES)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: int) -> Response:
        """Close the incident; a 409 lists the patients still out unless `confirm` is true."""
        incident = self.acting(pk)
        data = self.valid(CloseSerializer).validated_data
        try:
            incident = services.incident_close(
                actor=request.user,
                incident=incident,
                summary=data["summary"],
                confirm=data["confirm"],
            )
        except services.PatientsStillOut as out:
            return Response(
                {
                    "detail": str(out),
                    "patients_out": PatientSerializer(out.patients, many=True).data,
                    "confirm": "Send confirm: true to close anyway.",
                },
                status=status.HTTP_409_CONFLICT,
            )
        return incident_body(incident)

    @extend_schema(request=None, responses=_TRANSITION_RESPONSES)
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, pk: int) -> Response:
        """Reopen a closed incident (dispatch, EMS, emergency management)."""
        incident = services.incident_reopen(actor=request.user, incident=self.acting(pk))
        return incident_body(incident)

    @extend_schema(
        parameters=[
            OpenApiParameter("after", {"type": "integer", "minimum": 0}, description="A seq."),
            OpenApiParameter(
                "limit",
                {"type": "integer", "minimum": 1, "maximum": EVENTS_PAGE_MAX},
                description=f"At most this many events (default {EVENTS_PAGE}).",
            ),
        ],
        responses=EventPageSerializer,
    )
    @action(detail=True, methods=["get"])
    def events(self, request: Request, pk: int) -> Response:
        """GET ?after=N&limit=M: the events after seq N, in order, that the user may see."""
        incident, access = self.incident(pk)
        try:
            after = int(request.query_params.get("after", 0))
            limit = int(request.query_params.get("limit", EVENTS_PAGE))
        except ValueError:
            raise DRFValidationError({"after": ["after and limit are whole numbers."]}) from None
        if after < 0 or not 1 <= limit <= EVENTS_PAGE_MAX:
            raise DRFValidationError(
                {"after": [f"after is 0 or more; limit is 1 to {EVENTS_PAGE_MAX}."]}
            )
        page = list(
            queries.events_visible(access, incident)
            .filter(seq__gt=after)
            .select_related()[: limit + 1]
        )
        more = len(page) > limit
        page = page[:limit]
        return Response(
            {
                "incident": incident.pk,
                "last_seq": incident.last_seq,
                "after": after,
                "next_after": page[-1].seq if page else after,
                "has_more": more,
                "results": serialize_events(access, page),
            }
        )

    @extend_schema(responses=BoardSnapshotSerializer)
    @action(detail=True, methods=["get"])
    def board(self, request: Request, pk: int) -> Response:
        """GET: the board snapshot (constant number of queries)."""
        incident, access = self.incident(pk)
        snapshot = queries.board_snapshot(access, incident)
        snapshot["events"] = serialize_events(access, snapshot["events"])
        snapshot["incident"] = IncidentSerializer(incident).data
        snapshot["access"] = access.level.name.lower()
        return Response(snapshot)

    @extend_schema(responses=GuidanceSerializer)
    @action(detail=True, methods=["get"])
    def guidance(self, request: Request, pk: int) -> Response:
        """Distribution guidance: suggested hospitals and the capacity left (dispatch, EMS,
        emergency management)."""
        incident, access = self.incident(pk)
        if not access.sees_all_patients:
            raise PermissionDenied("Distribution guidance is for dispatch, EMS and EM.")
        guidance = queries.incident_guidance(access, incident)
        return Response(
            {
                "suggestions": [vars(s) for s in guidance.suggestions],
                "remaining": {str(k): v for k, v in guidance.remaining.items()},
                "warnings": guidance.warnings,
            }
        )

    # The hospitals overview is one answer about the incident (not a page of rows), so it is
    # an action here; one hospital on the incident is IncidentHospitalViewSet.
    @extend_schema(responses=HospitalListSerializer)
    @action(detail=True, methods=["get"])
    def hospitals(self, request: Request, pk: int) -> Response:
        """GET: hospitals on the incident. POST {"hospital": id}: add one (dispatch)."""
        incident, _ = self.incident(pk)
        return Response({"results": queries.hospitals_overview(incident)})

    @extend_schema(request=HospitalRefSerializer, responses={201: HospitalListSerializer})
    @hospitals.mapping.post
    def hospital_add(self, request: Request, pk: int) -> Response:
        """GET: hospitals on the incident. POST {"hospital": id}: add one (dispatch)."""
        incident = self.acting(pk)
        hospital_id = self.valid(HospitalRefSerializer).validated_data["hospital"]
        allowed = {h.pk: h for h in queries.ranking_candidates(incident)}
        if hospital_id not in allowed:
            raise DRFValidationError({"hospital": [queries.OUT_OF_REACH]})
        services.incident_hospital_add(
            actor=request.user, incident=incident, hospital=allowed[hospital_id]
        )
        return Response(
            {"results": queries.hospitals_overview(incident)}, status=status.HTTP_201_CREATED
        )

    @extend_schema(responses=SituationUpdateSerializer(many=True))
    @action(detail=True, methods=["get"], filter_backends=[])  # pages only
    def updates(self, request: Request, pk: int) -> Response:
        """GET: the incident's situation updates. POST: an emergency manager posts one."""
        incident, access = self.incident(pk)
        if access.level == Level.HOSPITAL:
            raise PermissionDenied("Situation updates go to officials and the region's staff.")
        updates = self.paginate_queryset(queries.updates_visible(access, incident))
        context = people_context(u.author for u in updates)
        body = SituationUpdateSerializer(updates, many=True, context=context).data
        return self.get_paginated_response(body)

    @extend_schema(request=UpdatePostSerializer, responses={201: SituationUpdateSerializer})
    @updates.mapping.post
    def update_post(self, request: Request, pk: int) -> Response:
        """GET: the incident's situation updates. POST: an emergency manager posts one."""
        incident, access = self.incident(pk)
        if not access.can_post_updates:
            raise PermissionDenied("Emergency managers post situation updates.")
        data = self.valid(UpdatePostSerializer).validated_data
        lists = list(
            DistributionList.objects.filter(
                pk__in=set(data["audience"]), region_id__in=queries.region_chain(incident)
            )
        )
        if len(lists) != len(set(data["audience"])):
            raise DRFValidationError(
                {"audience": ["Choose distribution lists of this incident's region."]}
            )
        update = services.situation_update_post(
            actor=request.user, incident=incident, body=data["body"], audience=lists
        )
        return Response(SituationUpdateSerializer(update).data, status=status.HTTP_201_CREATED)
