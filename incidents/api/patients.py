"""/api/v1/incidents/{id}/patients/: the patients of an incident."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import (
    extend_schema,
)
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from agencies.models import Hospital
from incidents import queries, services
from incidents.api.base import (
    IncidentViewSetBase,
    LargePages,
)
from incidents.api.schema import (
    PATIENT_REGISTER_REQUEST,
    PATIENT_REGISTER_RESPONSE,
    PatientResultsSerializer,
)
from incidents.api.serializers import (
    HospitalRefSerializer,
    PatientBatchSerializer,
    PatientDetailsSerializer,
    PatientInSerializer,
    PatientSerializer,
    RetriageSerializer,
    TransportSerializer,
    WalkinSerializer,
)
from incidents.models import Incident, Patient
from incidents.permissions import (
    IncidentAccess,
    Level,
)


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
