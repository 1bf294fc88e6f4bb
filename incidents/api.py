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
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

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


class IncidentListView(IncidentAPIView):
    """GET: incidents the user may see (?status=, ?application=, ?real=1, ?inbound_to=<hospital
    id>: with patients in transport to that hospital). POST: declare."""

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
    def get(self, request: Request) -> Response:
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
    def post(self, request: Request) -> Response:
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


class IncidentDetailView(IncidentAPIView):
    def get(self, request: Request, pk: int) -> Response:
        incident, _ = self.incident(pk)
        return _incident_body(incident)

    @extend_schema(request=IncidentUpdateSerializer, responses=IncidentSerializer)
    def patch(self, request: Request, pk: int) -> Response:
        incident = self.acting(pk)
        serializer = self.valid(IncidentUpdateSerializer)
        incident = services.incident_update(
            actor=request.user, incident=incident, changes=serializer.changes()
        )
        return _incident_body(incident)


class IncidentTransitionView(IncidentAPIView):
    transition = ""

    def request_serializer_for_action(self) -> type | None:
        return CloseSerializer if self.transition == "close" else None

    @extend_schema(
        responses={
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
    )
    def post(self, request: Request, pk: int) -> Response:
        incident = self.acting(pk)
        if self.transition == "deescalate":
            incident = services.incident_deescalate(actor=request.user, incident=incident)
        elif self.transition == "close":
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
        else:
            incident = services.incident_reopen(actor=request.user, incident=incident)
        return _incident_body(incident)


class IncidentEventsView(IncidentAPIView):
    """GET ?after=N&limit=M: the events after seq N, in order, that the user may see."""

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
    def get(self, request: Request, pk: int) -> Response:
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


class IncidentBoardView(IncidentAPIView):
    """GET: the board snapshot (constant number of queries)."""

    @extend_schema(responses=BoardSnapshotSerializer)
    def get(self, request: Request, pk: int) -> Response:
        incident, access = self.incident(pk)
        snapshot = queries.board_snapshot(access, incident)
        snapshot["events"] = serialize_events(access, snapshot["events"])
        snapshot["incident"] = IncidentSerializer(incident).data
        snapshot["access"] = access.level.name.lower()
        return Response(snapshot)


class IncidentGuidanceView(IncidentAPIView):
    @extend_schema(responses=GuidanceSerializer)
    def get(self, request: Request, pk: int) -> Response:
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


# --- hospitals ---------------------------------------------------------------------------------


class IncidentHospitalsView(IncidentAPIView):
    """GET: hospitals on the incident. POST {"hospital": id}: add one (dispatch)."""

    @extend_schema(responses=HospitalListSerializer)
    def get(self, request: Request, pk: int) -> Response:
        incident, _ = self.incident(pk)
        return Response({"results": queries.hospitals_overview(incident)})

    @extend_schema(request=HospitalRefSerializer, responses={201: HospitalListSerializer})
    def post(self, request: Request, pk: int) -> Response:
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


class IncidentHospitalView(IncidentAPIView):
    """DELETE: take the hospital off the incident (dispatch)."""

    @extend_schema(responses={204: None})
    def delete(self, request: Request, pk: int, hid: int) -> Response:
        incident = self.acting(pk)
        services.incident_hospital_remove(
            actor=request.user, incident_hospital=self.hospital_on(incident, hid)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class HospitalActionView(IncidentAPIView):
    """POST acknowledge/ or capacity/ for one hospital: its own ER staff, or dispatch."""

    action_name = ""

    def request_serializer_for_action(self) -> type | None:
        return CapacitySerializer if self.action_name == "capacity" else None

    @extend_schema(responses=HospitalEntrySerializer)
    def post(self, request: Request, pk: int, hid: int) -> Response:
        incident, access = self.incident(pk)
        row = self.hospital_on(incident, hid)
        if not access.can_act_for_hospital(row.hospital_id):
            raise PermissionDenied("Only this hospital's ER staff or dispatch may answer for it.")
        if self.action_name == "acknowledge":
            services.hospital_acknowledge(actor=request.user, incident_hospital=row)
        else:
            data = self.valid(CapacitySerializer).validated_data
            services.hospital_answer_capacity(actor=request.user, incident_hospital=row, **data)
        row = queries.incident_hospitals(incident).get(pk=row.pk)
        entry = queries.hospital_entry(row, queries.sent_counts(incident).get(row.hospital_id, {}))
        return Response(entry)


class StandDownsView(IncidentAPIView):
    """GET ?hospital=<id>: the stand-downs of the user's hospitals not yet acknowledged (the
    cards on an ER board)."""

    serializer_class = StandDownSerializer

    @extend_schema(
        parameters=[OpenApiParameter("hospital", int, description="Only this hospital's.")],
        responses=inline_serializer(
            "StandDownResults", fields={"results": StandDownSerializer(many=True)}
        ),
    )
    def get(self, request: Request) -> Response:
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


class StandDownAcknowledgeView(IncidentAPIView):
    """POST: the hospital's ER has seen its stand-down (its own ER staff)."""

    serializer_class = StandDownSerializer

    def post(self, request: Request, sid: int) -> Response:
        row = get_object_or_404(queries.standdowns_visible(request.user), pk=sid)
        row = services.hospital_standdown_acknowledge(actor=request.user, standdown=row)
        return Response(StandDownSerializer(row).data)


# --- patients ----------------------------------------------------------------------------------


class PatientsView(IncidentAPIView):
    """GET: the patients the user may see. POST: register one patient, or
    {"patients": [...]} for several at once (dispatch, EMS)."""

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
    def get(self, request: Request, pk: int) -> Response:
        incident, access = self.incident(pk)
        if not access.sees_patients:
            raise PermissionDenied("Officials see patient counts, not patient rows.")
        patients = self.filter_queryset(queries.patients_visible(access, incident))
        page = self.paginate_queryset(patients)
        return self.get_paginated_response(PatientSerializer(page, many=True).data)

    @extend_schema(request=PATIENT_REGISTER_REQUEST, responses={201: PATIENT_REGISTER_RESPONSE})
    def post(self, request: Request, pk: int) -> Response:
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


class PatientDetailView(IncidentAPIView):
    @extend_schema(responses=PatientSerializer)
    def get(self, request: Request, pk: int, pid: int) -> Response:
        incident, access = self.incident(pk)
        if not access.sees_patients:
            raise PermissionDenied("Officials see patient counts, not patient rows.")
        patient = get_object_or_404(queries.patients_visible(access, incident), pk=pid)
        return Response(PatientSerializer(patient).data)


class PatientActionView(IncidentAPIView):
    """POST retriage/, destination/, details/ (dispatch, EMS) or arrive/ (the receiving
    hospital)."""

    action_name = ""

    def request_serializer_for_action(self) -> type | None:
        bodies = {
            "retriage": RetriageSerializer,
            "destination": HospitalRefSerializer,
            "details": PatientDetailsSerializer,
        }
        return bodies.get(self.action_name)

    @extend_schema(responses=PatientSerializer)
    def post(self, request: Request, pk: int, pid: int) -> Response:
        incident, access = self.incident(pk)
        if not access.sees_patients:
            raise PermissionDenied("Officials see patient counts, not patient rows.")
        patient: Patient = get_object_or_404(queries.patients_visible(access, incident), pk=pid)
        if self.action_name == "arrive":
            if not (patient.destination_id and access.can_act_for_hospital(patient.destination_id)):
                raise PermissionDenied("Only the receiving hospital or dispatch marks arrival.")
            patient = services.patient_arrive(actor=request.user, patient=patient)
        elif not access.can_act:
            raise PermissionDenied("Only dispatch, EMS and emergency management route patients.")
        elif self.action_name == "details":
            details = self.valid(PatientDetailsSerializer).validated_data
            patient = services.patient_update_details(
                actor=request.user, patient=patient, details=details
            )
        elif self.action_name == "retriage":
            category = self.valid(RetriageSerializer).validated_data["category"]
            patient = services.patient_retriage(
                actor=request.user, patient=patient, category=category
            )
        else:
            hospital_id = self.valid(HospitalRefSerializer).validated_data["hospital"]
            hospital = self.hospital_of_incident(incident, hospital_id, "hospital")
            patient = services.patient_assign_destination(
                actor=request.user, patient=patient, hospital=hospital
            )
        patient = queries.patients_visible(access, incident).get(pk=patient.pk)
        return Response(PatientSerializer(patient).data)


class TransportView(IncidentAPIView):
    """POST {"patients": [ids], "unit": "Medic 12", "destination": id?, "eta": …?}."""

    @extend_schema(request=TransportSerializer, responses=PatientResultsSerializer)
    def post(self, request: Request, pk: int) -> Response:
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


class WalkinView(IncidentAPIView):
    """POST: a hospital registers a self-transported patient at its ER."""

    @extend_schema(request=WalkinSerializer, responses={201: PatientSerializer})
    def post(self, request: Request, pk: int) -> Response:
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


# --- situation updates -------------------------------------------------------------------------


class UpdatesView(IncidentAPIView):
    """GET: the incident's situation updates. POST: an emergency manager posts one."""

    filter_backends: list[type] = []  # pages only

    @extend_schema(responses=SituationUpdateSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        incident, access = self.incident(pk)
        if access.level == Level.HOSPITAL:
            raise PermissionDenied("Situation updates go to officials and the region's staff.")
        updates = self.paginate_queryset(queries.updates_visible(access, incident))
        context = people_context(u.author for u in updates)
        body = SituationUpdateSerializer(updates, many=True, context=context).data
        return self.get_paginated_response(body)

    @extend_schema(request=UpdatePostSerializer, responses={201: SituationUpdateSerializer})
    def post(self, request: Request, pk: int) -> Response:
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
