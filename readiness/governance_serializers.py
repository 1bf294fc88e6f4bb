"""Serializers of the governance API: one per record kind, read and written alike (the region
is given on create only; relations are ids)."""

from __future__ import annotations

from rest_framework import serializers

from agencies.models import Discipline
from readiness.governance_queries import agreement_state
from readiness.models import (
    CommitteeMeeting,
    FundingLine,
    MutualAidAgreement,
    PlanAdoption,
    RadioChannel,
)


class RadioChannelSerializer(serializers.ModelSerializer):
    discipline = serializers.ChoiceField(choices=Discipline.choices)

    class Meta:
        model = RadioChannel
        fields = [
            "id",
            "region",
            "function",
            "discipline",
            "channel_name",
            "talk_group",
            "frequency_zone",
            "assignment",
            "remarks",
        ]


class MutualAidAgreementSerializer(serializers.ModelSerializer):
    state = serializers.SerializerMethodField(help_text="current, expiring (90 days) or expired")

    class Meta:
        model = MutualAidAgreement
        fields = [
            "id",
            "region",
            "agencies",
            "title",
            "signed_on",
            "expires_on",
            "document_url",
            "notes",
            "state",
        ]

    def get_state(self, agreement: MutualAidAgreement) -> str:
        return agreement_state(agreement)


class CommitteeMeetingSerializer(serializers.ModelSerializer):
    disciplines_present = serializers.ListField(
        child=serializers.ChoiceField(choices=Discipline.choices), required=False
    )

    class Meta:
        model = CommitteeMeeting
        fields = [
            "id",
            "region",
            "date",
            "place",
            "disciplines_present",
            "attendees",
            "decisions",
            "minutes_url",
        ]


class PlanAdoptionSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlanAdoption
        fields = [
            "id",
            "region",
            "checklist",
            "body",
            "resolution_number",
            "adopted_on",
            "document_url",
        ]


class FundingLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = FundingLine
        fields = [
            "id",
            "region",
            "program",
            "grant_year",
            "reference",
            "amount",
            "sessions",
            "exercises",
        ]
