"""Shapes of the incidents API's answers that are built as dicts (queries.hospital_entry, the
board snapshot, guidance, event pages), for the OpenAPI schema only: the views do not
serialize through them. tests/api_schema checks every real answer against them."""

from __future__ import annotations

from drf_spectacular.utils import PolymorphicProxySerializer
from rest_framework import serializers

from incidents.api.serializers import (
    IncidentSerializer,
    PatientBatchSerializer,
    PatientInSerializer,
    PatientSerializer,
)


class EventOutSerializer(serializers.Serializer):
    """An event of the timeline; `data` only for those who see patient details."""

    incident = serializers.IntegerField()
    seq = serializers.IntegerField()
    kind = serializers.CharField()
    at = serializers.DateTimeField()
    actor = serializers.CharField()
    summary = serializers.CharField()
    public = serializers.BooleanField()
    data = serializers.DictField(required=False)


class EventPageSerializer(serializers.Serializer):
    incident = serializers.IntegerField()
    last_seq = serializers.IntegerField()
    after = serializers.IntegerField()
    next_after = serializers.IntegerField(help_text="Ask again with ?after= this.")
    has_more = serializers.BooleanField()
    results = EventOutSerializer(many=True)


class HospitalEntrySerializer(serializers.Serializer):
    """A hospital on an incident as every board shows it."""

    id = serializers.IntegerField()
    hospital_id = serializers.IntegerField()
    agency_id = serializers.IntegerField()
    name = serializers.CharField()
    short_code = serializers.CharField()
    source = serializers.CharField()
    rank = serializers.IntegerField(allow_null=True)
    reasons = serializers.ListField(child=serializers.CharField())
    reasons_text = serializers.CharField()
    distance_km = serializers.FloatField(allow_null=True)
    ed_status = serializers.CharField()
    trauma_level = serializers.IntegerField(allow_null=True, help_text="1 to 4; null: none.")
    status = serializers.CharField()
    notified_at = serializers.DateTimeField(allow_null=True)
    acknowledged_at = serializers.DateTimeField(allow_null=True)
    acknowledged_by = serializers.CharField(allow_blank=True)
    ack_outstanding = serializers.BooleanField()
    ack_age_seconds = serializers.IntegerField(allow_null=True)
    escalation = serializers.DictField(allow_null=True)
    capacity = serializers.DictField(
        child=serializers.IntegerField(allow_null=True), allow_null=True
    )
    capacity_answered_at = serializers.DateTimeField(allow_null=True)
    capacity_answered_by = serializers.CharField(allow_blank=True)
    capacity_age_seconds = serializers.IntegerField(allow_null=True)
    capacity_outstanding = serializers.BooleanField()
    capacity_revisions = serializers.IntegerField()
    sent = serializers.DictField(child=serializers.IntegerField())
    remaining = serializers.DictField(child=serializers.IntegerField(allow_null=True))


class HospitalListSerializer(serializers.Serializer):
    results = HospitalEntrySerializer(many=True)


class BoardCountsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    walk_ins = serializers.IntegerField()
    by_category = serializers.DictField(child=serializers.IntegerField())
    by_status = serializers.DictField(child=serializers.IntegerField())
    by_hospital = serializers.DictField(
        child=serializers.DictField(child=serializers.IntegerField()),
        help_text="{hospital id: {category: patients sent}}",
    )


class BoardSnapshotSerializer(serializers.Serializer):
    now = serializers.DateTimeField()
    incident = IncidentSerializer()
    access = serializers.CharField(help_text="The user's access: view, hospital, act, …")
    hospitals = HospitalEntrySerializer(many=True)
    counts = BoardCountsSerializer()
    events = EventOutSerializer(many=True)


class SuggestionSerializer(serializers.Serializer):
    patient_id = serializers.IntegerField()
    tag_number = serializers.CharField()
    category = serializers.CharField()
    hospital_id = serializers.IntegerField(allow_null=True)
    hospital = serializers.CharField()
    distance_km = serializers.FloatField(allow_null=True)
    reason = serializers.CharField()


class GuidanceSerializer(serializers.Serializer):
    suggestions = SuggestionSerializer(many=True)
    remaining = serializers.DictField(
        child=serializers.DictField(child=serializers.IntegerField(allow_null=True)),
        help_text="{hospital id: {category: room left, or null when not answered}}",
    )
    warnings = serializers.ListField(child=serializers.CharField())


class PatientResultsSerializer(serializers.Serializer):
    results = PatientSerializer(many=True)


PATIENT_REGISTER_REQUEST = PolymorphicProxySerializer(
    component_name="PatientRegisterRequest",
    serializers=[PatientInSerializer, PatientBatchSerializer],
    resource_type_field_name=None,
)
PATIENT_REGISTER_RESPONSE = PolymorphicProxySerializer(
    component_name="PatientRegistered",
    serializers=[PatientSerializer, PatientResultsSerializer],
    resource_type_field_name=None,
)
