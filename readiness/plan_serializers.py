"""DRF serializers for the regional plan: documents, agencies' alignment, coverage."""

from __future__ import annotations

from rest_framework import serializers

from agencies.models import Agency, Region
from readiness.models import AgencyAlignment, PlanDocument


class PlanDocumentSerializer(serializers.ModelSerializer):
    overdue = serializers.SerializerMethodField(help_text="Past its review date.")

    class Meta:
        model = PlanDocument
        fields = [
            "id",
            "region",
            "kind",
            "title",
            "version",
            "document_date",
            "review_due",
            "file",
            "url",
            "uploaded_by",
            "uploaded_at",
            "active",
            "overdue",
        ]
        read_only_fields = fields

    def get_overdue(self, document: PlanDocument) -> bool:
        today = self.context["today"]
        return document.review_due is not None and document.review_due < today


class PlanDocumentWriteSerializer(serializers.ModelSerializer):
    """A document is a link here; files are uploaded on the plan page."""

    region = serializers.PrimaryKeyRelatedField(queryset=Region.objects.all())

    class Meta:
        model = PlanDocument
        fields = ["region", "kind", "title", "version", "document_date", "review_due", "url"]
        extra_kwargs = {"url": {"required": True, "allow_blank": False}}


class PlanDocumentEditSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlanDocument
        fields = ["kind", "title", "version", "document_date", "review_due", "url"]


class AlignmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = AgencyAlignment
        fields = [
            "id",
            "agency",
            "region",
            "template",
            "status",
            "evidence_document",
            "evidence_file",
            "evidence_text",
            "evidence_date",
            "signed_by_name",
            "signed_by_title",
            "updated_by",
            "updated_at",
        ]
        read_only_fields = fields


SETTABLE = [choice for choice in AgencyAlignment.Status.choices if choice[0] != "review_needed"]


class AlignmentWriteSerializer(serializers.Serializer):
    agency = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.filter(active=True))
    status = serializers.ChoiceField(choices=SETTABLE)
    evidence_document = serializers.PrimaryKeyRelatedField(
        queryset=PlanDocument.objects.filter(active=True),
        required=False,
        allow_null=True,
    )
    evidence_text = serializers.CharField(required=False, allow_blank=True)
    evidence_date = serializers.DateField(required=False, allow_null=True)
    signed_by_name = serializers.CharField(required=False, allow_blank=True, max_length=120)
    signed_by_title = serializers.CharField(required=False, allow_blank=True, max_length=120)


class StandingSerializer(serializers.Serializer):
    agency = serializers.IntegerField()
    agency_name = serializers.CharField()
    standing = serializers.CharField(help_text="on_plan, not_on_plan or review_needed")
    status = serializers.CharField(allow_null=True)
    evidence = serializers.CharField(allow_blank=True)


class DisciplineCoverageSerializer(serializers.Serializer):
    discipline = serializers.CharField()
    label = serializers.CharField()
    on_plan = StandingSerializer(many=True)
    not_on_plan = StandingSerializer(many=True)
    review_needed = StandingSerializer(many=True)


class PlanCoverageSerializer(serializers.Serializer):
    region = serializers.IntegerField()
    template = serializers.IntegerField(allow_null=True, help_text="The adopted version's id.")
    version = serializers.IntegerField(allow_null=True)
    documents = PlanDocumentSerializer(many=True)
    disciplines = DisciplineCoverageSerializer(many=True)
