"""DRF serializers: the shapes of incident resources out, and of requests in.

Input serializers check types and vocabularies (a clear 400 per field); the business rules
live in incidents/services and come back as ValidationErrors that the API turns into 400s.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from agencies.queries import person_label, person_labels
from incidents.models import (
    HospitalStandDown,
    Incident,
    IncidentEvent,
    Patient,
    SituationUpdate,
    TriageCategory,
)
from incidents.services.common import MAX_CAPACITY
from incidents.services.lifecycle import MAX_ESTIMATE
from incidents.services.patients import VITAL_RANGES

# --- out ---------------------------------------------------------------------------------------


def people_context(users: Any) -> dict[str, Any]:
    """Serializer context naming many people in one query (see `person`)."""
    return {"people": person_labels(users)}


def person(serializer: serializers.Serializer, user: Any) -> str:
    """A person as everywhere (agencies.queries.person_label), from the context's bulk lookup
    when the view made one."""
    if user is None:
        return ""
    known = serializer.context.get("people") or {}
    return known[user.pk] if user.pk in known else person_label(user)


class IncidentSerializer(serializers.ModelSerializer):
    region_name = serializers.CharField(source="region.name", read_only=True)
    time_zone = serializers.CharField(
        source="region.time_zone",
        read_only=True,
        help_text="The region's IANA time zone: boards show every time of the incident in it.",
    )
    is_exercise = serializers.BooleanField(read_only=True)
    estimated = serializers.SerializerMethodField()
    declared_by = serializers.SerializerMethodField()

    class Meta:
        model = Incident
        fields = [
            "id",
            "number",
            "region",
            "region_name",
            "time_zone",
            "kind",
            "title",
            "location_text",
            "latitude",
            "longitude",
            "status",
            "application",
            "is_exercise",
            "cad_number",
            "estimated",
            "casualty_population",
            "declared_by",
            "declared_via",
            "declared_at",
            "deescalated_at",
            "closed_at",
            "closing_summary",
            "last_seq",
            "updated_at",
        ]
        read_only_fields = fields

    def get_estimated(self, incident: Incident) -> dict[str, int]:
        return incident.estimated()

    def get_declared_by(self, incident: Incident) -> str:
        return person(self, incident.declared_by)


class EventSerializer(serializers.ModelSerializer):
    incident = serializers.IntegerField(source="incident_id", read_only=True)
    actor = serializers.CharField(source="actor_label", read_only=True)

    class Meta:
        model = IncidentEvent
        fields = ["incident", "seq", "kind", "at", "actor", "summary", "public", "data"]
        read_only_fields = fields


class PublicEventSerializer(EventSerializer):
    """What an official sees of a public event: its summary, never its data."""

    class Meta(EventSerializer.Meta):
        fields = ["incident", "seq", "kind", "at", "actor", "summary", "public"]
        read_only_fields = fields


class PatientSerializer(serializers.ModelSerializer):
    destination_name = serializers.SerializerMethodField()
    # blank until EMS records it (read-only fields lose the model's blank=True in the schema)
    avpu = serializers.ChoiceField(choices=Patient.Avpu.choices, allow_blank=True, read_only=True)

    class Meta:
        model = Patient
        fields = [
            "id",
            "tag_number",
            "category",
            "age_group",
            "sex",
            "injury_note",
            "heart_rate",
            "systolic_bp",
            "diastolic_bp",
            "respiratory_rate",
            "spo2",
            "gcs",
            "avpu",
            "details_updated_at",
            "status",
            "walk_in",
            "transport_unit",
            "destination",
            "destination_name",
            "departed_at",
            "eta",
            "arrived_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_destination_name(self, patient: Patient) -> str:
        return patient.destination.agency.name if patient.destination else ""


class SituationUpdateSerializer(serializers.ModelSerializer):
    author = serializers.SerializerMethodField()
    audience = serializers.SerializerMethodField()

    class Meta:
        model = SituationUpdate
        fields = ["id", "incident", "author", "body", "audience", "posted_at", "sent_at"]
        read_only_fields = fields

    def get_author(self, update: SituationUpdate) -> str:
        return person(self, update.author)

    def get_audience(self, update: SituationUpdate) -> list[dict[str, Any]]:
        return [{"id": d.pk, "name": d.name} for d in update.audience.all()]


# --- in ----------------------------------------------------------------------------------------


def _count(maximum: int, required: bool = False) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=0, max_value=maximum, required=required)


class EstimatedSerializer(serializers.Serializer):
    immediate = _count(MAX_ESTIMATE)
    delayed = _count(MAX_ESTIMATE)
    minor = _count(MAX_ESTIMATE)
    expectant = _count(MAX_ESTIMATE)
    deceased = _count(MAX_ESTIMATE)

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = set(data) - set(self.fields)
            if unknown:
                raise serializers.ValidationError(
                    f"Unknown triage categories: {', '.join(sorted(map(str, unknown)))}. "
                    f"Use: {', '.join(TriageCategory.values)}."
                )
        return super().to_internal_value(data)


class IncidentDetailsSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=160)
    kind = serializers.ChoiceField(choices=Incident.Kind.choices, default=Incident.Kind.OTHER_MCI)
    location_text = serializers.CharField(max_length=240, required=False, allow_blank=True)
    latitude = serializers.FloatField(min_value=-90, max_value=90, required=False, allow_null=True)
    longitude = serializers.FloatField(
        min_value=-180, max_value=180, required=False, allow_null=True
    )
    estimated = EstimatedSerializer(required=False)


class IncidentDeclareSerializer(IncidentDetailsSerializer):
    region = serializers.IntegerField(required=False)
    casualty_population = serializers.ChoiceField(
        choices=Incident.Population.choices,
        default=Incident.Population.UNKNOWN,
        help_text="Who the casualties are; ranking weighs adult or paediatric trauma care.",
    )
    application = serializers.ChoiceField(
        choices=Incident.Application.choices, default=Incident.Application.ACTUAL
    )


class IncidentUpdateSerializer(IncidentDetailsSerializer):
    title = serializers.CharField(max_length=160, required=False)
    kind = serializers.ChoiceField(choices=Incident.Kind.choices, required=False)

    def changes(self) -> dict[str, Any]:
        data = dict(self.validated_data)
        for category, value in (data.pop("estimated", None) or {}).items():
            data[f"estimated_{category}"] = value
        return data


class CadIncidentSerializer(IncidentDeclareSerializer):
    cad_number = serializers.CharField(max_length=60)
    hospitals = serializers.ListField(
        child=serializers.JSONField(), required=False, max_length=20, allow_empty=True
    )

    def validate_hospitals(self, value: list[Any]) -> list[Any]:
        for item in value:
            if isinstance(item, bool) or not isinstance(item, int | str) or item == "":
                raise serializers.ValidationError(
                    "List hospitals by agency id (a number) or short code (text)."
                )
        return value


class CloseSerializer(serializers.Serializer):
    summary = serializers.CharField(max_length=2000)
    confirm = serializers.BooleanField(
        default=False,
        help_text="Close although patients are still on scene or in transport (without it, "
        "such a close answers 409 listing them).",
    )


class StandDownSerializer(serializers.ModelSerializer):
    """A hospital's stand-down as its ER board shows it."""

    incident = serializers.SerializerMethodField()
    hospital = serializers.CharField(source="hospital.agency.name")
    reason_text = serializers.CharField()
    by = serializers.CharField(source="by_label")

    class Meta:
        model = HospitalStandDown
        fields = [
            "id",
            "incident",
            "hospital_id",
            "hospital",
            "reason",
            "reason_text",
            "at",
            "by",
            "seq",
            "acknowledged_at",
        ]
        read_only_fields = fields

    def get_incident(self, row: HospitalStandDown) -> dict[str, Any]:
        incident = row.incident
        return {
            "id": incident.pk,
            "number": incident.number,
            "title": incident.title,
            "kind": incident.kind,
            "status": incident.status,
            "is_exercise": incident.is_exercise,
        }


class HospitalRefSerializer(serializers.Serializer):
    hospital = serializers.IntegerField(min_value=1)


class CapacitySerializer(serializers.Serializer):
    immediate = _count(MAX_CAPACITY, required=True)
    delayed = _count(MAX_CAPACITY, required=True)
    minor = _count(MAX_CAPACITY, required=True)


class PatientInSerializer(serializers.Serializer):
    tag_number = serializers.CharField(max_length=40)
    category = serializers.ChoiceField(choices=TriageCategory.choices)
    age_group = serializers.ChoiceField(
        choices=Patient.AgeGroup.choices, default=Patient.AgeGroup.UNKNOWN
    )
    sex = serializers.ChoiceField(choices=Patient.Sex.choices, default=Patient.Sex.UNKNOWN)
    injury_note = serializers.CharField(max_length=200, required=False, allow_blank=True)
    destination = serializers.IntegerField(min_value=1, required=False, allow_null=True)


def _vital(name: str) -> serializers.IntegerField:
    low, high, label = VITAL_RANGES[name]
    return serializers.IntegerField(
        min_value=low,
        max_value=high,
        required=False,
        allow_null=True,
        help_text=f"{label}, {low} to {high}; null clears it.",
        error_messages={
            "min_value": f"{label} is at least {low}.",
            "max_value": f"{label} is at most {high}.",
            "invalid": f"{label} is a whole number.",
        },
    )


class PatientDetailsSerializer(serializers.Serializer):
    """POST patients/{id}/details/: ringdown details; only the fields sent change."""

    age_group = serializers.ChoiceField(choices=Patient.AgeGroup.choices, required=False)
    sex = serializers.ChoiceField(choices=Patient.Sex.choices, required=False)
    injury_note = serializers.CharField(max_length=200, required=False, allow_blank=True)
    avpu = serializers.ChoiceField(
        choices=[("", "Not taken"), *Patient.Avpu.choices], required=False, allow_blank=True
    )
    heart_rate = _vital("heart_rate")
    systolic_bp = _vital("systolic_bp")
    diastolic_bp = _vital("diastolic_bp")
    respiratory_rate = _vital("respiratory_rate")
    spo2 = _vital("spo2")
    gcs = _vital("gcs")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs:
            raise serializers.ValidationError("Send at least one detail.")
        return attrs


class PatientBatchSerializer(serializers.Serializer):
    patients = PatientInSerializer(many=True, allow_empty=False, max_length=500)


class WalkinSerializer(PatientInSerializer):
    tag_number = serializers.CharField(max_length=40, required=False, allow_blank=True)
    hospital = serializers.IntegerField(min_value=1, required=False)
    destination = None  # type: ignore[assignment]


class RetriageSerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=TriageCategory.choices)


class TransportSerializer(serializers.Serializer):
    patients = serializers.ListField(
        child=serializers.IntegerField(min_value=1), allow_empty=False, max_length=20
    )
    unit = serializers.CharField(max_length=40)
    destination = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    eta = serializers.DateTimeField(required=False, allow_null=True)


class UpdatePostSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=1600)
    audience = serializers.ListField(
        child=serializers.IntegerField(min_value=1), allow_empty=False, max_length=50
    )
