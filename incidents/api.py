"""The incidents API under /api/v1/incidents/ (CAD intake lives in incidents/cad.py).

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
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_serializer,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import ViewSetMixin

from agencies.models import DistributionList, Hospital, Region
from asim.api import Pages
from incidents import events, queries, services
from incidents.models import Incident, IncidentEvent, Patient
from incidents.permissions import (
    IncidentAccess,
    Level,
    incident_access,
    regions_where_user_declares,
)
from incidents.schema_serializers import (
    PATIENT_REGISTER_REQUEST,
    PATIENT_REGISTER_RESPONSE,
    BoardSnapshotSerializer,
    EventPageSerializer,
    GuidanceSerializer,
    HospitalEntrySerializer,
    HospitalListSerializer,
    PatientResultsSerializer,
)
from incidents.serializers import (
    CapacitySerializer,
    CloseSerializer,
    EventSerializer,
    HospitalRefSerializer,
    IncidentDeclareSerializer,
    IncidentSerializer,
    IncidentUpdateSerializer,
    PatientBatchSerializer,
    PatientDetailsSerializer,
    PatientInSerializer,
    PatientSerializer,
    PublicEventSerializer,
    RetriageSerializer,
    SituationUpdateSerializer,
    StandDownSerializer,
    TransportSerializer,
    UpdatePostSerializer,
    WalkinSerializer,
    people_context,
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


def _incident_body(incident: Incident, code: int = status.HTTP_200_OK) -> Response:
    return Response(IncidentSerializer(incident).data, status=code)


# --- incidents ---------------------------------------------------------------------------------


class IncidentViewSetBase(ViewSetMixin, IncidentAPIView):
    """Base of the incident ViewSets: routed by a router with int path converters."""

    lookup_value_converter = "int"


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
        return _incident_body(incident, status.HTTP_201_CREATED)

    def retrieve(self, request: Request, pk: int) -> Response:
        """One incident the user may see."""
        incident, _ = self.incident(pk)
        return _incident_body(incident)

    @extend_schema(request=IncidentUpdateSerializer, responses=IncidentSerializer)
    def partial_update(self, request: Request, pk: int) -> Response:
        """Change the incident's details (dispatch, EMS, emergency management)."""
        incident = self.acting(pk)
        serializer = self.valid(IncidentUpdateSerializer)
        incident = services.incident_update(
            actor=request.user, incident=incident, changes=serializer.changes()
        )
        return _incident_body(incident)

    @extend_schema(request=None, responses=_TRANSITION_RESPONSES)
    @action(detail=True, methods=["post"])
    def deescalate(self, request: Request, pk: int) -> Response:
        """De-escalate the incident (dispatch, EMS, emergency management)."""
        incident = services.incident_deescalate(actor=request.user, incident=self.acting(pk))
        return _incident_body(incident)

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
        return _incident_body(incident)

    @extend_schema(request=None, responses=_TRANSITION_RESPONSES)
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, pk: int) -> Response:
        """Reopen a closed incident (dispatch, EMS, emergency management)."""
        incident = services.incident_reopen(actor=request.user, incident=self.acting(pk))
        return _incident_body(incident)

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


# --- hospitals ---------------------------------------------------------------------------------


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


# --- patients ----------------------------------------------------------------------------------


class PatientViewSet(IncidentViewSetBase):
    """The patients of an incident (incidents/{id}/patients/): list, register, read, the
    verbs on one patient, and transport and walk-ins."""

    lookup_url_kwarg = "pid"
    pagination_class = LargePages
    filterset_fields = ["status", "category", "destination", "walk_in"]
    search_fields = ["tag_number", "transport_unit"]
    ordering_fields = ["tag_number", "created_at", "eta"]

    def get_queryset(self) -> QuerySet[Any]:
        if getattr(self, "swagger_fake_view", False):  # the schema: the filters are on patients
            return Patient.objects.none()
        return super().get_queryset()

    @extend_schema(
        operation_id="v1_incidents_patients_list", responses=PatientSerializer(many=True)
    )
    def list(self, request: Request, pk: int) -> Response:
        """GET: the patients the user may see. POST: register one patient, or
        {"patients": [...]} for several at once (dispatch, EMS)."""
        incident, access = self.incident(pk)
        if not access.sees_patients:
            raise PermissionDenied("Officials see patient counts, not patient rows.")
        patients = self.filter_queryset(queries.patients_visible(access, incident))
        page = self.paginate_queryset(patients)
        return self.get_paginated_response(PatientSerializer(page, many=True).data)

    @extend_schema(request=PATIENT_REGISTER_REQUEST, responses={201: PATIENT_REGISTER_RESPONSE})
    def create(self, request: Request, pk: int) -> Response:
        """GET: the patients the user may see. POST: register one patient, or
        {"patients": [...]} for several at once (dispatch, EMS)."""
        incident = self.acting(pk)
        many = isinstance(request.data, dict) and "patients" in request.data
        if many:
            rows = self.valid(PatientBatchSerializer).validated_data["patients"]
        else:
            rows = [self.valid(PatientInSerializer).validated_data]
        batch = []
        for index, row in enumerate(rows):
            row = dict(row)
            field = f"patients[{index}].destination" if many else "destination"
            row["destination"] = self.hospital_of_incident(incident, row.get("destination"), field)
            batch.append(row)
        created = services.patient_register(actor=request.user, incident=incident, patients=batch)
        body = PatientSerializer(created, many=True).data
        return Response({"results": body} if many else body[0], status=status.HTTP_201_CREATED)

    @extend_schema(responses=PatientSerializer)
    def retrieve(self, request: Request, pk: int, pid: int) -> Response:
        """One patient the user may see."""
        incident, access = self.patient_scope(pk)
        patient = get_object_or_404(queries.patients_visible(access, incident), pk=pid)
        return Response(PatientSerializer(patient).data)

    def patient_scope(self, pk: int) -> tuple[Incident, IncidentAccess]:
        incident, access = self.incident(pk)
        if not access.sees_patients:
            raise PermissionDenied("Officials see patient counts, not patient rows.")
        return incident, access

    def routed(self, pk: int, pid: int, route: Any) -> Response:
        """Find the patient, check that the user routes patients, apply `route`."""
        incident, access = self.patient_scope(pk)
        patient: Patient = get_object_or_404(queries.patients_visible(access, incident), pk=pid)
        if not access.can_act:
            raise PermissionDenied("Only dispatch, EMS and emergency management route patients.")
        patient = route(incident, patient)
        patient = queries.patients_visible(access, incident).get(pk=patient.pk)
        return Response(PatientSerializer(patient).data)

    @extend_schema(request=RetriageSerializer, responses=PatientSerializer)
    @action(detail=True, methods=["post"])
    def retriage(self, request: Request, pk: int, pid: int) -> Response:
        """POST retriage/, destination/, details/ (dispatch, EMS) or arrive/ (the receiving
        hospital)."""

        def route(incident: Incident, patient: Patient) -> Patient:
            category = self.valid(RetriageSerializer).validated_data["category"]
            return services.patient_retriage(actor=request.user, patient=patient, category=category)

        return self.routed(pk, pid, route)

    @extend_schema(request=HospitalRefSerializer, responses=PatientSerializer)
    @action(detail=True, methods=["post"])
    def destination(self, request: Request, pk: int, pid: int) -> Response:
        """POST retriage/, destination/, details/ (dispatch, EMS) or arrive/ (the receiving
        hospital)."""

        def route(incident: Incident, patient: Patient) -> Patient:
            hospital_id = self.valid(HospitalRefSerializer).validated_data["hospital"]
            hospital = self.hospital_of_incident(incident, hospital_id, "hospital")
            return services.patient_assign_destination(
                actor=request.user, patient=patient, hospital=hospital
            )

        return self.routed(pk, pid, route)

    @extend_schema(request=PatientDetailsSerializer, responses=PatientSerializer)
    @action(detail=True, methods=["post"])
    def details(self, request: Request, pk: int, pid: int) -> Response:
        """POST retriage/, destination/, details/ (dispatch, EMS) or arrive/ (the receiving
        hospital)."""

        def route(incident: Incident, patient: Patient) -> Patient:
            details = self.valid(PatientDetailsSerializer).validated_data
            return services.patient_update_details(
                actor=request.user, patient=patient, details=details
            )

        return self.routed(pk, pid, route)

    @extend_schema(request=None, responses=PatientSerializer)
    @action(detail=True, methods=["post"])
    def arrive(self, request: Request, pk: int, pid: int) -> Response:
        """POST retriage/, destination/, details/ (dispatch, EMS) or arrive/ (the receiving
        hospital)."""
        incident, access = self.patient_scope(pk)
        patient: Patient = get_object_or_404(queries.patients_visible(access, incident), pk=pid)
        if not (patient.destination_id and access.can_act_for_hospital(patient.destination_id)):
            raise PermissionDenied("Only the receiving hospital or dispatch marks arrival.")
        patient = services.patient_arrive(actor=request.user, patient=patient)
        patient = queries.patients_visible(access, incident).get(pk=patient.pk)
        return Response(PatientSerializer(patient).data)

    @extend_schema(request=TransportSerializer, responses=PatientResultsSerializer)
    @action(detail=False, methods=["post"])
    def transport(self, request: Request, pk: int) -> Response:
        """POST {"patients": [ids], "unit": "Medic 12", "destination": id?, "eta": …?}."""
        incident = self.acting(pk)
        data = self.valid(TransportSerializer).validated_data
        ids = set(data["patients"])
        patients = list(Patient.objects.filter(incident=incident, pk__in=ids))
        if len(patients) != len(ids):
            raise DRFValidationError({"patients": ["Some patients are not on this incident."]})
        destination = self.hospital_of_incident(incident, data.get("destination"), "destination")
        moved = services.patients_transport(
            actor=request.user,
            incident=incident,
            patients=patients,
            unit=data["unit"],
            destination=destination,
            eta=data.get("eta"),
        )
        moved = queries.patients_visible(IncidentAccess(level=Level.ACT), incident).filter(
            pk__in=[p.pk for p in moved]
        )
        return Response({"results": PatientSerializer(moved, many=True).data})

    @extend_schema(request=WalkinSerializer, responses={201: PatientSerializer})
    @action(detail=False, methods=["post"], url_path="walk-in")
    def walk_in(self, request: Request, pk: int) -> Response:
        """POST: a hospital registers a self-transported patient at its ER."""
        incident, access = self.incident(pk)
        data = dict(self.valid(WalkinSerializer).validated_data)
        hospital_id = data.pop("hospital", None)
        if hospital_id is None and len(access.hospital_ids) == 1:
            (hospital_id,) = access.hospital_ids
        if hospital_id is None:
            raise DRFValidationError({"hospital": ["Choose the receiving hospital."]})
        if not access.can_act_for_hospital(hospital_id):
            raise PermissionDenied("ER staff register walk-ins at their own hospital only.")
        hospital = Hospital.objects.select_related("agency").filter(pk=hospital_id).first()
        in_area = hospital is not None and (
            hospital.pk in access.hospital_ids
            or hospital.pk in {h.pk for h in queries.ranking_candidates(incident)}
        )
        if not in_area:
            raise DRFValidationError({"hospital": ["Not a hospital of this incident's area."]})
        patient = services.walkin_register(
            actor=request.user, incident=incident, hospital=hospital, **data
        )
        return Response(PatientSerializer(patient).data, status=status.HTTP_201_CREATED)
