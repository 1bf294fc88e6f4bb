"""The communications drill API under /api/v1/readiness/:

- drills/ — GET the drills the user may see; POST {region, audience, message,
  distribution_list} starts one (the region's emergency managers).
- drills/{id}/results/ — reach and time to acknowledge per agency (agency admins: their own).
- stale-contacts/ — contact points not confirmed within the period, per agency.

Rules live in readiness/drill_access.py; changes in readiness/services/drills.py.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.viewsets import GenericViewSet

from agencies.models import DistributionList, Region
from agencies.permissions import scope_for
from incidents.api.base import django_errors_as_drf
from readiness import drill_access as access
from readiness.models import CommunicationsDrill
from readiness.services import drills


class DrillSerializer(serializers.ModelSerializer):
    region = serializers.PrimaryKeyRelatedField(queryset=Region.objects.all())
    distribution_list = serializers.PrimaryKeyRelatedField(
        queryset=DistributionList.objects.all(), required=False, allow_null=True
    )
    message = serializers.CharField(max_length=drills.MAX_MESSAGE, required=False, allow_blank=True)

    class Meta:
        model = CommunicationsDrill
        fields = [
            "id",
            "region",
            "audience",
            "distribution_list",
            "message",
            "started_by",
            "started_at",
            "notification",
        ]
        read_only_fields = ["started_by", "started_at", "notification"]


class AgencyResultSerializer(serializers.Serializer):
    agency_id = serializers.IntegerField()
    agency = serializers.CharField()
    targeted = serializers.IntegerField()
    reached = serializers.IntegerField()
    reach_percent = serializers.IntegerField()
    acknowledged = serializers.IntegerField()
    median_ack_seconds = serializers.FloatField(allow_null=True)
    max_ack_seconds = serializers.FloatField(allow_null=True)
    not_acknowledged = serializers.ListField(child=serializers.CharField())


class StaleContactSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    agency = serializers.CharField(source="member.agency.name")
    member = serializers.CharField(source="member.full_name")
    channel = serializers.CharField()
    address = serializers.CharField()
    verified = serializers.BooleanField()


class DrillViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, GenericViewSet
):
    serializer_class = DrillSerializer

    def get_queryset(self) -> QuerySet[CommunicationsDrill]:
        return access.drills_visible(self.request.user).order_by("-started_at", "-id")

    def create(self, request: Request) -> Response:
        """POST: start a drill (the region's emergency managers)."""
        serializer = DrillSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if not access.can_start_drills(request.user, data["region"].pk):
            raise PermissionDenied("Only the region's emergency managers start drills.")
        try:
            drill = drills.drill_start(
                actor=request.user,
                region=data["region"],
                audience=data["audience"],
                message=data.get("message", ""),
                distribution_list=data.get("distribution_list"),
            )
        except DjangoValidationError as error:
            raise django_errors_as_drf(error) from error
        except DjangoPermissionDenied as error:
            raise PermissionDenied(str(error)) from error
        return Response(DrillSerializer(drill).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=AgencyResultSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def results(self, request: Request, pk: int) -> Response:
        """GET: reach and time to acknowledge per agency (agency admins: their own)."""
        drill = get_object_or_404(self.get_queryset(), pk=pk)
        results = drills.drill_results(drill, access.agency_scope(request.user, drill.region_id))
        return Response(AgencyResultSerializer(results, many=True).data)


class StaleContactsView(APIView):
    """GET: contact points not confirmed within the period, in the regions the user reads
    (EMs and officials: every agency; agency admins: their own)."""

    @extend_schema(responses=StaleContactSerializer(many=True))
    def get(self, request: Request) -> Response:
        scope = scope_for(request.user)
        region_ids = scope.regions_with(access.READERS)
        if not region_ids and not scope.superuser:
            raise PermissionDenied("Emergency managers, officials and agency admins read this.")
        regions = (
            Region.objects.all() if scope.superuser else Region.objects.filter(pk__in=region_ids)
        )
        points = []
        for region in regions.order_by("name"):
            found = drills.stale_contacts(region, access.agency_scope(request.user, region.pk))
            points.extend(p for group in found.values() for p in group)
        return Response(StaleContactSerializer(points, many=True).data)
