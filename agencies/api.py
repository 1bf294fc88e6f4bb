"""The agencies REST API: directory, hospitals, rosters, distribution lists and the audit record.

Contracts every viewset here keeps:

- Reads come from agencies/queries.py, already scoped to the user. An object outside that
  scope is a 404, whether it exists or not.
- Writes call agencies/services/ (never `Model.save()`), so every change is validated once and
  leaves an AuditEntry naming the user.
- An object the user can see but not change is a 403 (rules: agencies/permissions.py). A
  parent (agency, member, region) the user cannot see at all is a 400 "Invalid pk".
- A `django.core.exceptions.ValidationError` raised by a service becomes a 400 with field
  errors, in one place: `ServiceErrorsMixin`.
- DELETE on a member deactivates it (active and on_call become false) and answers 200 with the
  member, so rosters keep their history; contact points and distribution lists are deleted
  (204).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model, Prefetch, QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer, as_serializer_error

from agencies import queries, services
from agencies.filters import (
    AgencyFilter,
    AuditEntryFilter,
    ContactPointFilter,
    DistributionListFilter,
    HospitalFilter,
    MemberFilter,
)
from agencies.models import (
    Agency,
    AuditEntry,
    ContactPoint,
    DistributionList,
    Hospital,
    Member,
    Region,
)
from agencies.permissions import can_keep_lists, can_manage_roster, can_update_hospital
from agencies.serializers import (
    AgencySerializer,
    AuditEntrySerializer,
    ContactPointSerializer,
    DistributionListSerializer,
    HospitalSerializer,
    HospitalStatusSerializer,
    MemberSerializer,
    RecipientSerializer,
    RegionSerializer,
)

WRITE_ACTIONS = frozenset({"update", "partial_update", "destroy"})


class ServiceErrorsMixin:
    """Turns a service's django ValidationError into a DRF 400 with field errors, so bad input
    that only the service can judge (an invalid phone number, a duplicate badge number) never
    surfaces as a 500."""

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, DjangoValidationError):
            exc = DRFValidationError(detail=as_serializer_error(exc))
        return super().handle_exception(exc)  # type: ignore[misc]


class ScopedWritesMixin(ServiceErrorsMixin):
    """Update and destroy only objects in `get_manageable_queryset()`: an object the user can
    see (get_queryset) but not change is a 403, one they cannot see a 404."""

    denied_message = "You may see this record but not change it."

    def get_manageable_queryset(self) -> QuerySet[Any]:
        raise NotImplementedError

    def get_object(self) -> Any:
        obj = super().get_object()  # type: ignore[misc]
        if (
            self.action in WRITE_ACTIONS  # type: ignore[attr-defined]
            and not self.get_manageable_queryset().filter(pk=obj.pk).exists()
        ):
            raise PermissionDenied(self.denied_message)
        return obj


def _fields(data: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    return {name: data[name] for name in names if name in data}


def _set_instance(serializer: BaseSerializer, instance: Model) -> None:
    # The service returns the saved object; the response shows it, not the stale input.
    serializer.instance = instance


# --- directory --------------------------------------------------------------------------------


class RegionViewSet(viewsets.ReadOnlyModelViewSet):
    """Regions the user belongs to, and the regions below them."""

    serializer_class = RegionSerializer
    search_fields = ["name", "code"]
    ordering_fields = ["name", "code"]

    def get_queryset(self) -> QuerySet[Region]:
        return queries.regions_visible(self.request.user)


class AgencyViewSet(viewsets.ReadOnlyModelViewSet):
    """The directory of agencies in the user's regions."""

    serializer_class = AgencySerializer
    filterset_class = AgencyFilter
    search_fields = ["name", "short_code"]
    ordering_fields = ["name", "short_code", "discipline"]

    def get_queryset(self) -> QuerySet[Agency]:
        return queries.agencies_visible(self.request.user).select_related("hospital")


class HospitalViewSet(ServiceErrorsMixin, viewsets.ReadOnlyModelViewSet):
    """Hospitals of the user's regions with ED status and capacity, each with its time and its
    age in seconds so a board can show how stale it is."""

    serializer_class = HospitalSerializer
    filterset_class = HospitalFilter
    search_fields = ["agency__name", "agency__short_code"]
    ordering_fields = ["agency__name", "ed_status", "trauma_level", "capacity_reported_at"]

    def get_queryset(self) -> QuerySet[Hospital]:
        return queries.hospitals_visible(self.request.user)

    @extend_schema(
        request=HospitalStatusSerializer,
        responses={200: HospitalSerializer},
        summary="Report the ED status and/or capacity",
        description=(
            "Own ER staff and agency admins, and the region's emergency managers, may report. "
            "Capacity categories left out keep their value; the report time is reset."
        ),
    )
    @action(detail=True, methods=["patch"], url_path="status", filter_backends=[])
    def update_status(self, request: Request, pk: str | None = None) -> Response:
        hospital = self.get_object()
        if not can_update_hospital(request.user, hospital):
            raise PermissionDenied(
                "Only this hospital's ER staff and admins, or the region's emergency managers, "
                "report its status."
            )
        form = HospitalStatusSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        hospital = services.hospital_update_status(
            actor=request.user,
            hospital=hospital,
            ed_status=form.validated_data.get("ed_status"),
            capacity=form.validated_data.get("capacity"),
        )
        return Response(HospitalSerializer(hospital, context=self.get_serializer_context()).data)


# --- rosters ----------------------------------------------------------------------------------


@extend_schema_view(
    destroy=extend_schema(
        summary="Deactivate a member",
        description=(
            "Members are never deleted: this sets active and on_call to false, records it, "
            "and answers with the member."
        ),
        responses={200: MemberSerializer},
    )
)
class MemberViewSet(ScopedWritesMixin, viewsets.ModelViewSet):
    """Roster members with their contact points. Agency admins manage their own agency's
    roster; dispatchers and emergency managers read every roster of their regions."""

    serializer_class = MemberSerializer
    filterset_class = MemberFilter
    search_fields = ["full_name", "title", "external_id"]
    ordering_fields = ["full_name", "created_at", "updated_at"]
    denied_message = "Only an admin of this member's agency changes its roster."

    def get_queryset(self) -> QuerySet[Member]:
        return queries.members_visible(self.request.user).prefetch_related("contact_points")

    def get_manageable_queryset(self) -> QuerySet[Member]:
        return queries.members_manageable(self.request.user)

    def perform_create(self, serializer: BaseSerializer) -> None:
        agency = serializer.validated_data["agency"]
        if not can_manage_roster(self.request.user, agency):
            raise PermissionDenied(f"Only an admin of {agency} adds members to its roster.")
        fields = _fields(serializer.validated_data, services.MEMBER_FIELDS)
        _set_instance(
            serializer, services.member_add(actor=self.request.user, agency=agency, **fields)
        )

    def perform_update(self, serializer: BaseSerializer) -> None:
        fields = _fields(serializer.validated_data, services.MEMBER_FIELDS)
        member = services.member_update(
            actor=self.request.user, member=serializer.instance, **fields
        )
        _set_instance(serializer, member)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        member = services.member_deactivate(actor=request.user, member=self.get_object())
        return Response(self.get_serializer(member).data, status=status.HTTP_200_OK)


class ContactPointViewSet(ScopedWritesMixin, viewsets.ModelViewSet):
    """Ways to reach roster members (phones in E.164, emails), with the last permanent delivery
    failure so the roster shows numbers that no longer work."""

    serializer_class = ContactPointSerializer
    filterset_class = ContactPointFilter
    search_fields = ["address", "member__full_name"]
    ordering_fields = ["priority", "channel", "last_failure_at"]
    denied_message = "Only an admin of this member's agency changes its roster."

    def get_queryset(self) -> QuerySet[ContactPoint]:
        return queries.contact_points_visible(self.request.user)

    def get_manageable_queryset(self) -> QuerySet[ContactPoint]:
        return queries.contact_points_manageable(self.request.user)

    def perform_create(self, serializer: BaseSerializer) -> None:
        member = serializer.validated_data["member"]
        if not can_manage_roster(self.request.user, member.agency):
            raise PermissionDenied(f"Only an admin of {member.agency} changes its roster.")
        fields = _fields(serializer.validated_data, services.CONTACT_FIELDS)
        _set_instance(
            serializer,
            services.contact_point_add(actor=self.request.user, member=member, **fields),
        )

    def perform_update(self, serializer: BaseSerializer) -> None:
        fields = _fields(serializer.validated_data, services.CONTACT_FIELDS)
        point = services.contact_point_update(
            actor=self.request.user, point=serializer.instance, **fields
        )
        _set_instance(serializer, point)

    def perform_destroy(self, instance: ContactPoint) -> None:
        services.contact_point_remove(actor=self.request.user, point=instance)


# --- distribution lists -----------------------------------------------------------------------


class DistributionListViewSet(ScopedWritesMixin, viewsets.ModelViewSet):
    """Named audiences of a region. Dispatchers, emergency managers and agency admins of the
    region read them; emergency managers keep them. A PATCH keeps what it does not mention."""

    serializer_class = DistributionListSerializer
    filterset_class = DistributionListFilter
    search_fields = ["name", "description"]
    ordering_fields = ["name", "updated_at"]
    denied_message = "Only the region's emergency managers keep its distribution lists."

    def get_queryset(self) -> QuerySet[DistributionList]:
        return queries.distribution_lists_visible(self.request.user).prefetch_related(
            Prefetch("members", queryset=Member.objects.only("id")),
            Prefetch("agencies", queryset=Agency.objects.only("id")),
        )

    def get_manageable_queryset(self) -> QuerySet[DistributionList]:
        return queries.distribution_lists_manageable(self.request.user)

    def perform_create(self, serializer: BaseSerializer) -> None:
        data = serializer.validated_data
        region = data["region"]
        if not can_keep_lists(self.request.user, region.pk):
            raise PermissionDenied(self.denied_message)
        dlist = services.distribution_list_save(
            actor=self.request.user,
            region_id=region.pk,
            name=data["name"],
            description=data.get("description", ""),
            members=data.get("members", ()),
            agencies=data.get("agencies", ()),
            disciplines=data.get("disciplines", ()),
        )
        _set_instance(serializer, dlist)

    def perform_update(self, serializer: BaseSerializer) -> None:
        data, dlist = serializer.validated_data, serializer.instance
        dlist = services.distribution_list_save(
            actor=self.request.user,
            dlist=dlist,
            name=data.get("name", dlist.name),
            description=data.get("description", dlist.description),
            members=data.get("members", dlist.members.all()),
            agencies=data.get("agencies", dlist.agencies.all()),
            disciplines=data.get("disciplines", dlist.disciplines),
        )
        _set_instance(serializer, dlist)

    def perform_destroy(self, instance: DistributionList) -> None:
        services.distribution_list_delete(actor=self.request.user, dlist=instance)

    @extend_schema(
        responses={200: RecipientSerializer(many=True)},
        summary="Members the list reaches",
        description="Active members reached through the list's members, agencies and "
        "disciplines, each once. The region's dispatchers and emergency managers see everyone; "
        "anyone else only the people whose roster they read (an agency admin: their own "
        "agency's). The list's full size is its `recipient_count`.",
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def recipients(self, request: Request, pk: str | None = None) -> Response:
        dlist = self.get_object()
        members = (
            queries.distribution_list_people_visible(
                request.user, dlist, queries.distribution_list_members(dlist)
            )
            .select_related("agency")
            .order_by("full_name", "id")
        )
        page = self.paginate_queryset(members)
        serializer = RecipientSerializer(page, many=True, context=self.get_serializer_context())
        return self.get_paginated_response(serializer.data)


# --- audit ------------------------------------------------------------------------------------


class AuditEntryViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Who changed which roster, list or hospital record, when, and what changed (newest first).
    Agency admins see their agency's record; emergency managers their regions'."""

    serializer_class = AuditEntrySerializer
    filterset_class = AuditEntryFilter
    search_fields = ["object_repr"]
    ordering_fields = ["at"]

    def get_queryset(self) -> QuerySet[AuditEntry]:
        return queries.audit_entries_visible(self.request.user)
