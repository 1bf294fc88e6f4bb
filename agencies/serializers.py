"""DRF serializers for the agencies API: representation and input validation only.

Serializers never save. The viewsets in agencies/api.py pass `validated_data` to the service
functions in agencies/services/, which validate again (E.164 numbers, unique IDs, list
contents) and write the audit record.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Model, QuerySet
from django.utils import timezone
from rest_framework import serializers
from rest_framework.relations import MANY_RELATION_KWARGS

from agencies import queries
from agencies.models import (
    Agency,
    AuditEntry,
    ContactPoint,
    Discipline,
    DistributionList,
    EdStatus,
    Hospital,
    Member,
    Region,
    RosterRole,
)

User = AbstractBaseUser | AnonymousUser


def age_seconds(at: datetime | None) -> int | None:
    """Whole seconds since `at` (never negative), or None if it never happened."""
    if at is None:
        return None
    return max(0, int((timezone.now() - at).total_seconds()))


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A primary key that only accepts objects the requesting user can see.

    `queryset` names the model (for the schema); `scope(user)` is the queryset from
    agencies/queries.py that input is checked against, so a foreign id gets the same
    "Invalid pk" answer as one that does not exist.
    """

    def __init__(self, *, scope: Callable[[User], QuerySet[Any]], **kwargs: Any) -> None:
        self.scope = scope
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet[Any]:
        request = self.context.get("request")
        return self.scope(getattr(request, "user", None) or AnonymousUser())

    @classmethod
    def many_init(cls, *args: Any, **kwargs: Any) -> ScopedManyRelatedField:
        """`many=True` (DRF's RelatedField.many_init, with the one-query list field)."""
        list_kwargs = {k: v for k, v in kwargs.items() if k in MANY_RELATION_KWARGS}
        return ScopedManyRelatedField(child_relation=cls(*args, **kwargs), **list_kwargs)


class ScopedManyRelatedField(serializers.ManyRelatedField):
    """A list of ScopedPrimaryKeyRelatedField ids, checked in one query (DRF asks once per
    id: a list of thousands of ids kept a request busy for minutes) and at most MAX_IDS."""

    MAX_IDS = 5000

    def to_internal_value(self, data: Any) -> list[Model]:
        if isinstance(data, str | Mapping) or not hasattr(data, "__iter__"):
            self.fail("not_a_list", input_type=type(data).__name__)
        data = list(data)
        if not self.allow_empty and not data:
            self.fail("empty")
        if len(data) > self.MAX_IDS:
            raise serializers.ValidationError(f"At most {self.MAX_IDS} ids.")
        child = self.child_relation
        pks: list[int] = []
        for item in data:
            if isinstance(item, bool) or not isinstance(item, int | str):
                child.fail("incorrect_type", data_type=type(item).__name__)
            try:
                pks.append(int(item))
            except ValueError:
                child.fail("incorrect_type", data_type=type(item).__name__)
        found = {obj.pk: obj for obj in child.get_queryset().filter(pk__in=set(pks))}
        for pk in pks:
            if pk not in found:
                child.fail("does_not_exist", pk_value=pk)
        return [found[pk] for pk in dict.fromkeys(pks)]


def _unchanged(serializer: serializers.Serializer, field: str, value: Model, message: str) -> Model:
    """On update, refuse to move the object to another parent (`message` says what to do)."""
    instance = serializer.instance
    if instance is not None and getattr(instance, f"{field}_id") != value.pk:
        raise serializers.ValidationError(message)
    return value


# --- directory --------------------------------------------------------------------------------


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = [
            "id",
            "name",
            "code",
            "kind",
            "parent",
            "hospitals_to_notify",
            "hospital_radius_km",
            "ack_timeout_seconds",
            "time_zone",
        ]
        read_only_fields = fields


class AgencySerializer(serializers.ModelSerializer):
    hospital = serializers.SerializerMethodField(
        help_text="Id of the hospital profile (hospital agencies only)."
    )

    class Meta:
        model = Agency
        fields = [
            "id",
            "region",
            "name",
            "short_code",
            "discipline",
            "address",
            "latitude",
            "longitude",
            "phone",
            "active",
            "hospital",
        ]
        read_only_fields = fields

    def get_hospital(self, agency: Agency) -> int | None:
        hospital = getattr(agency, "hospital", None)  # reverse one-to-one: absent → None
        return hospital.pk if hospital is not None else None


# --- hospitals --------------------------------------------------------------------------------


class CapacityReportSerializer(serializers.Serializer):
    """The last reported capacity by triage colour, with when it was reported and its age."""

    immediate = serializers.IntegerField(source="capacity_immediate", allow_null=True)
    delayed = serializers.IntegerField(source="capacity_delayed", allow_null=True)
    minor = serializers.IntegerField(source="capacity_minor", allow_null=True)
    reported_at = serializers.DateTimeField(source="capacity_reported_at", allow_null=True)
    age_seconds = serializers.SerializerMethodField()

    def get_age_seconds(self, hospital: Hospital) -> int | None:
        return age_seconds(hospital.capacity_reported_at)


class HospitalSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="agency.name", read_only=True)
    short_code = serializers.CharField(source="agency.short_code", read_only=True)
    region = serializers.IntegerField(source="agency.region_id", read_only=True)
    latitude = serializers.FloatField(source="agency.latitude", read_only=True, allow_null=True)
    longitude = serializers.FloatField(source="agency.longitude", read_only=True, allow_null=True)
    ed_status_age_seconds = serializers.SerializerMethodField(
        help_text="Seconds since the ED status was last set; null if never."
    )
    capacity = CapacityReportSerializer(source="*", read_only=True)

    class Meta:
        model = Hospital
        fields = [
            "id",
            "agency",
            "name",
            "short_code",
            "region",
            "latitude",
            "longitude",
            "trauma_level",
            "pediatric",
            "pediatric_trauma_level",
            "treats_adults",
            "burn",
            "ed_status",
            "ed_status_at",
            "ed_status_age_seconds",
            "capacity",
        ]
        read_only_fields = fields

    def get_ed_status_age_seconds(self, hospital: Hospital) -> int | None:
        return age_seconds(hospital.ed_status_at)


class CapacityInputSerializer(serializers.Serializer):
    """Patients the ED can take now, by triage colour; omit a colour to leave it as it was,
    send null to clear it."""

    immediate = serializers.IntegerField(
        min_value=0, max_value=10_000, required=False, allow_null=True
    )
    delayed = serializers.IntegerField(
        min_value=0, max_value=10_000, required=False, allow_null=True
    )
    minor = serializers.IntegerField(min_value=0, max_value=10_000, required=False, allow_null=True)

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        # A typo ("red", "immediat") must not be silently dropped from a capacity report.
        if isinstance(data, Mapping):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {name: ["Report capacity as immediate, delayed and minor."] for name in unknown}
                )
        return super().to_internal_value(data)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs:
            raise serializers.ValidationError("Report at least one of immediate, delayed, minor.")
        return attrs


class HospitalStatusSerializer(serializers.Serializer):
    """Input of PATCH hospitals/{id}/status/: the ED status and/or the capacity."""

    ed_status = serializers.ChoiceField(choices=EdStatus.choices, required=False)
    capacity = CapacityInputSerializer(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs:
            raise serializers.ValidationError("Send ed_status and/or capacity.")
        return attrs


# --- rosters ----------------------------------------------------------------------------------

CONTACT_POINT_FIELDS = [
    "id",
    "member",
    "channel",
    "address",
    "priority",
    "verified",
    "failing",
    "last_failure_at",
    "last_failure_reason",
]


class ContactPointSerializer(serializers.ModelSerializer):
    member = ScopedPrimaryKeyRelatedField(
        queryset=Member.objects.all(), scope=queries.members_visible
    )
    priority = serializers.IntegerField(
        min_value=1, max_value=99, default=1, help_text="1 is tried first."
    )
    failing = serializers.BooleanField(
        read_only=True, help_text="The last delivery to this address failed permanently."
    )

    class Meta:
        model = ContactPoint
        fields = CONTACT_POINT_FIELDS
        read_only_fields = ["last_failure_at", "last_failure_reason"]
        validators: list[Any] = []  # uniqueness of the normalized address: the service's job

    def validate_member(self, member: Member) -> Member:
        return _unchanged(
            self, "member", member, "A contact point stays with its member; add a new one."
        )


class MemberContactPointSerializer(serializers.ModelSerializer):
    """A contact point as embedded in a member (read-only; change it under contact-points/)."""

    class Meta:
        model = ContactPoint
        fields = [name for name in CONTACT_POINT_FIELDS if name != "member"]
        read_only_fields = fields


class MemberSerializer(serializers.ModelSerializer):
    agency = ScopedPrimaryKeyRelatedField(
        queryset=Agency.objects.all(), scope=queries.agencies_visible
    )
    agency_name = serializers.CharField(source="agency.name", read_only=True)
    roles = serializers.ListField(
        child=serializers.ChoiceField(choices=RosterRole.choices), required=False
    )
    has_login = serializers.SerializerMethodField()
    contact_points = MemberContactPointSerializer(many=True, read_only=True)

    class Meta:
        model = Member
        fields = [
            "id",
            "agency",
            "agency_name",
            "full_name",
            "title",
            "external_id",
            "roles",
            "active",
            "on_call",
            "has_login",
            "contact_points",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        validators: list[Any] = []  # external_id per agency: the service's job

    def get_has_login(self, member: Member) -> bool:
        return member.user_id is not None

    def validate_agency(self, agency: Agency) -> Agency:
        return _unchanged(
            self, "agency", agency, "A member stays in their agency; add them to the other one."
        )


class RecipientSerializer(serializers.ModelSerializer):
    """A member a distribution list reaches. Contact details stay on the roster (members/),
    which has its own permission rules."""

    agency_name = serializers.CharField(source="agency.name", read_only=True)

    class Meta:
        model = Member
        fields = ["id", "full_name", "title", "agency", "agency_name", "roles", "on_call"]
        read_only_fields = fields


# --- distribution lists -----------------------------------------------------------------------


class DistributionListSerializer(serializers.ModelSerializer):
    region = ScopedPrimaryKeyRelatedField(
        queryset=Region.objects.all(), scope=queries.regions_visible
    )
    members = ScopedPrimaryKeyRelatedField(
        queryset=Member.objects.all(), scope=queries.members_visible, many=True, required=False
    )
    agencies = ScopedPrimaryKeyRelatedField(
        queryset=Agency.objects.all(), scope=queries.agencies_visible, many=True, required=False
    )
    disciplines = serializers.ListField(
        child=serializers.ChoiceField(choices=Discipline.choices), required=False
    )
    recipient_count = serializers.SerializerMethodField(
        help_text="Active members the list reaches now (members, agencies and disciplines)."
    )

    class Meta:
        model = DistributionList
        fields = [
            "id",
            "region",
            "name",
            "description",
            "members",
            "agencies",
            "disciplines",
            "recipient_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        validators: list[Any] = []  # the name per region (case-insensitive): the service's job

    def get_recipient_count(self, dlist: DistributionList) -> int:
        return queries.distribution_list_members(dlist).count()

    def to_representation(self, dlist: DistributionList) -> dict[str, Any]:
        """The people picked for the list follow the roster rule, like its recipients
        (agencies.queries.distribution_list_people_visible): others' ids are left out."""
        data = super().to_representation(dlist)
        request = self.context.get("request")
        user = getattr(request, "user", None) or AnonymousUser()
        if not queries.sees_every_recipient(user, dlist):
            cache = self.root.context if self.root is not None else self.context
            visible = cache.get("_visible_member_ids")
            if visible is None:
                visible = set(queries.members_visible(user).values_list("id", flat=True))
                cache["_visible_member_ids"] = visible
            data["members"] = [pk for pk in data["members"] if pk in visible]
        return data

    def validate_region(self, region: Region) -> Region:
        return _unchanged(
            self, "region", region, "A list stays in its region; create a new list instead."
        )


# --- audit ------------------------------------------------------------------------------------


class AuditEntrySerializer(serializers.ModelSerializer):
    actor_username = serializers.CharField(
        source="actor.username", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = AuditEntry
        fields = [
            "id",
            "at",
            "actor",
            "actor_username",
            "action",
            "object_type",
            "object_id",
            "object_repr",
            "region",
            "agency",
            "changes",
        ]
        read_only_fields = fields
