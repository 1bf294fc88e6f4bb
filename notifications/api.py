"""The notifications API under /api/v1/ (scoping rules in notifications/queries.py).

- ``notifications/`` (?incident=, ?kind=, ?state=, ?situation_update=) and
  ``notifications/{id}/``: messages with their delivery counts per status and channel;
- ``notifications/{id}/deliveries/`` (?status=, ?channel=): per recipient delivery and
  read/ack state;
- ``inbox/`` (?unread=1), ``inbox/{id}/read/``, ``inbox/{id}/acknowledge/``: the user's
  own in-app messages;
- ``notification-rules/`` and ``message-templates/``: kept by the region's emergency managers;
- ``incidents/{id}/updates/preview/``: recipients per channel for an update to chosen lists
  (sending it is ``POST incidents/{id}/updates/``, which the update's notification follows).

Views stay thin: scoped lookups (404), permission checks (403), shapes by serializers and
meaning by the services (400 with field errors, never a 500).
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from agencies.models import DistributionList, Region
from agencies.queries import distribution_lists_visible
from incidents import events as incident_events
from incidents.permissions import incident_access
from incidents.queries import incidents_visible, region_chain
from notifications import conf, queries, services
from notifications.models import Delivery, MessageTemplate, Notification, NotificationRule
from notifications.serializers import (
    DeliverySerializer,
    EmptySerializer,
    InboxSerializer,
    MessageTemplateSerializer,
    NotificationSerializer,
    PreviewInSerializer,
    PreviewOutSerializer,
    RuleSerializer,
)
from notifications.texts import context_for, render, render_texts


def django_errors_as_drf(error: DjangoValidationError) -> DRFValidationError:
    """A service's ValidationError as a 400: {field: [messages]} or {"detail": "..."}."""
    if hasattr(error, "error_dict"):
        body: dict[str, Any] = {
            ("detail" if field == "__all__" else field): messages
            for field, messages in error.message_dict.items()
        }
        if "detail" in body:
            body["detail"] = " ".join(body["detail"])
        return DRFValidationError(body)
    return DRFValidationError({"detail": " ".join(error.messages)})


class NotificationsAPIView(GenericAPIView):
    """Base: one place where a service's ValidationError becomes a 400."""

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, DjangoValidationError):
            exc = django_errors_as_drf(exc)
        return super().handle_exception(exc)

    def valid(self, serializer_class: type, **kwargs: Any) -> dict[str, Any]:
        serializer = serializer_class(data=self.request.data, **kwargs)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)


def _notification_context(notifications: list[Notification]) -> dict[str, Any]:
    ids = [n.pk for n in notifications]
    return {"counts": queries.counts_for(ids), "channels": queries.channel_counts(ids)}


# --- notifications and deliveries ---------------------------------------------------------------


class NotificationViewSet(NotificationsAPIView, viewsets.GenericViewSet):
    """GET: the notifications the user may see, newest first, with counts per status; one
    notification; its deliveries the user may see (?status=, ?channel=)."""

    serializer_class = NotificationSerializer
    lookup_value_converter = "int"
    filterset_fields = ["incident", "kind", "state", "situation_update", "region"]
    ordering_fields = ["created_at"]

    def get_queryset(self) -> QuerySet[Any]:
        if self.action == "deliveries":  # the filters' model; the action scopes its own rows
            return Delivery.objects.none()
        return queries.notifications_visible(self.request.user).order_by("-created_at", "-id")

    @extend_schema(
        operation_id="v1_notifications_list", responses=NotificationSerializer(many=True)
    )
    def list(self, request: Request) -> Response:
        """GET: the notifications the user may see, newest first, with counts per status."""
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        serializer = NotificationSerializer(page, many=True, context=_notification_context(page))
        return self.get_paginated_response(serializer.data)

    def retrieve(self, request: Request, pk: int) -> Response:
        """One notification the user may see, with its counts per status and channel."""
        notification = get_object_or_404(queries.notifications_visible(request.user), pk=pk)
        context = _notification_context([notification])
        return Response(NotificationSerializer(notification, context=context).data)

    @extend_schema(
        operation_id="v1_notifications_deliveries_list",
        responses=DeliverySerializer(many=True),
    )
    @action(
        detail=True,
        methods=["get"],
        serializer_class=DeliverySerializer,
        filterset_fields=["status", "channel", "escalation"],
        ordering_fields=["id", "sent_at", "acknowledged_at"],
    )
    def deliveries(self, request: Request, pk: int) -> Response:
        """GET: the notification's deliveries the user may see (?status=, ?channel=)."""
        notification = get_object_or_404(queries.notifications_visible(request.user), pk=pk)
        deliveries = self.filter_queryset(
            queries.deliveries_visible(request.user, notification).order_by("id")
        )
        page = self.paginate_queryset(deliveries)
        context = {"full_addresses": queries.sees_every_delivery(request.user, notification)}
        return self.get_paginated_response(
            DeliverySerializer(page, many=True, context=context).data
        )


# --- the in-app inbox ---------------------------------------------------------------------------


class InboxViewSet(NotificationsAPIView, viewsets.GenericViewSet):
    """GET: the user's in-app messages, newest first (?unread=1 for unread only); POST read/
    or acknowledge/ on one of them."""

    serializer_class = InboxSerializer
    lookup_value_converter = "int"
    filter_backends: list[type] = []  # ?unread= only

    def get_queryset(self) -> QuerySet[Delivery]:
        return queries.inbox(self.request.user)

    @extend_schema(
        operation_id="v1_inbox_list",
        parameters=[OpenApiParameter("unread", bool, description="Only unread messages.")],
        responses=InboxSerializer(many=True),
    )
    def list(self, request: Request) -> Response:
        """GET: the user's in-app messages, newest first (?unread=1 for unread only)."""
        messages = self.get_queryset()
        unread = request.query_params.get("unread", "")
        if unread not in ("", "0", "1", "false", "true"):
            raise DRFValidationError({"unread": ["Use true or false."]})
        if unread in ("1", "true"):
            messages = messages.filter(read_at__isnull=True)
        page = self.paginate_queryset(messages)
        return self.get_paginated_response(InboxSerializer(page, many=True).data)

    @extend_schema(request=EmptySerializer, responses=InboxSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: int) -> Response:
        """POST read/ or acknowledge/ on one of the user's own in-app messages."""
        message = get_object_or_404(self.get_queryset(), pk=pk)
        services.inbox_mark_read(user=request.user, delivery=message)
        return Response(InboxSerializer(self.get_queryset().get(pk=pk)).data)

    @extend_schema(request=EmptySerializer, responses=InboxSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, pk: int) -> Response:
        """POST read/ or acknowledge/ on one of the user's own in-app messages."""
        message = get_object_or_404(self.get_queryset(), pk=pk)
        services.notification_acknowledge(delivery=message, via="in_app", actor=request.user)
        return Response(InboxSerializer(self.get_queryset().get(pk=pk)).data)


# --- rules and message templates -----------------------------------------------------------------


class RegionKeeperMixin:
    """Regions whose rules and templates the user keeps; 403 for everyone else."""

    request: Request

    def kept_regions(self) -> set[int] | None:
        regions = queries.rule_regions(self.request.user)
        if regions is not None and not regions:
            raise PermissionDenied("Emergency managers keep notification rules and templates.")
        return regions

    def region_for(self, region_id: int | None) -> Region:
        regions = self.kept_regions()
        if region_id is None:
            if regions is None or len(regions) != 1:
                raise DRFValidationError({"region": ["Choose the region."]})
            (region_id,) = regions
        region = Region.objects.filter(pk=region_id).first()
        if region is None or (regions is not None and region_id not in regions):
            raise DRFValidationError({"region": ["You do not keep the rules of this region."]})
        return region

    def lists_for(self, list_ids: list[int] | None) -> list[DistributionList] | None:
        if list_ids is None:
            return None
        wanted = set(list_ids)
        lists = list(distribution_lists_visible(self.request.user).filter(pk__in=wanted))
        if len(lists) != len(wanted):
            missing = sorted(wanted - {d.pk for d in lists})
            raise DRFValidationError(
                {"distribution_lists": [f"Unknown distribution lists: {missing}."]}
            )
        return lists


class NotificationRuleViewSet(RegionKeeperMixin, NotificationsAPIView, viewsets.GenericViewSet):
    """The rules of the regions the user keeps: list, create, read, change, delete."""

    serializer_class = RuleSerializer
    lookup_value_converter = "int"
    filterset_fields = ["region", "trigger", "active"]

    def get_queryset(self) -> QuerySet[NotificationRule]:
        return queries.rules_manageable(self.request.user)

    def rule(self, pk: int) -> NotificationRule:
        self.kept_regions()
        return get_object_or_404(self.get_queryset(), pk=pk)

    @extend_schema(operation_id="v1_notification_rules_list", responses=RuleSerializer(many=True))
    def list(self, request: Request) -> Response:
        """GET: the rules of the regions the user keeps. POST: create one."""
        self.kept_regions()
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(RuleSerializer(page, many=True).data)

    @extend_schema(responses={201: RuleSerializer})
    def create(self, request: Request) -> Response:
        """GET: the rules of the regions the user keeps. POST: create one."""
        data = self.valid(RuleSerializer)
        region = self.region_for(data.pop("region_id", None))
        lists = self.lists_for(data.pop("distribution_list_ids", []))
        rule = services.rule_save(
            actor=request.user, region=region, values=data, distribution_lists=lists
        )
        return Response(RuleSerializer(rule).data, status=status.HTTP_201_CREATED)

    def retrieve(self, request: Request, pk: int) -> Response:
        """One rule of a region the user keeps."""
        return Response(RuleSerializer(self.rule(pk)).data)

    def partial_update(self, request: Request, pk: int) -> Response:
        """Change a rule; it stays in its region."""
        rule = self.rule(pk)
        data = self.valid(RuleSerializer, partial=True)
        region_id = data.pop("region_id", rule.region_id)
        if region_id != rule.region_id:
            raise DRFValidationError({"region": ["A rule stays in its region."]})
        lists = self.lists_for(data.pop("distribution_list_ids", None))
        rule = services.rule_save(
            actor=request.user,
            region=rule.region,
            values=data,
            rule=rule,
            distribution_lists=lists,
        )
        return Response(RuleSerializer(rule).data)

    @extend_schema(responses={204: OpenApiResponse(description="Deleted.")})
    def destroy(self, request: Request, pk: int) -> Response:
        """Delete a rule."""
        services.rule_delete(actor=request.user, rule=self.rule(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class MessageTemplateViewSet(RegionKeeperMixin, NotificationsAPIView, viewsets.GenericViewSet):
    """The update templates of the regions the user keeps: list, create, read, change,
    delete."""

    serializer_class = MessageTemplateSerializer
    lookup_value_converter = "int"
    filterset_fields = ["region"]

    def get_queryset(self) -> QuerySet[MessageTemplate]:
        return queries.message_templates_manageable(self.request.user)

    def template(self, pk: int) -> MessageTemplate:
        self.kept_regions()
        return get_object_or_404(self.get_queryset(), pk=pk)

    @extend_schema(
        operation_id="v1_message_templates_list",
        responses=MessageTemplateSerializer(many=True),
    )
    def list(self, request: Request) -> Response:
        """GET: the update templates of the regions the user keeps. POST: create one."""
        self.kept_regions()
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(MessageTemplateSerializer(page, many=True).data)

    @extend_schema(responses={201: MessageTemplateSerializer})
    def create(self, request: Request) -> Response:
        """GET: the update templates of the regions the user keeps. POST: create one."""
        data = self.valid(MessageTemplateSerializer)
        region = self.region_for(data.pop("region_id", None))
        template = services.message_template_save(
            actor=request.user, region=region, name=data["name"], body=data["body"]
        )
        return Response(MessageTemplateSerializer(template).data, status=status.HTTP_201_CREATED)

    def retrieve(self, request: Request, pk: int) -> Response:
        """One update template of a region the user keeps."""
        return Response(MessageTemplateSerializer(self.template(pk)).data)

    def partial_update(self, request: Request, pk: int) -> Response:
        """Change an update template; it stays in its region."""
        template = self.template(pk)
        data = self.valid(MessageTemplateSerializer, partial=True)
        if data.pop("region_id", template.region_id) != template.region_id:
            raise DRFValidationError({"region": ["A template stays in its region."]})
        template = services.message_template_save(
            actor=request.user,
            region=template.region,
            name=data.get("name", template.name),
            body=data.get("body", template.body),
            template=template,
        )
        return Response(MessageTemplateSerializer(template).data)

    @extend_schema(responses={204: OpenApiResponse(description="Deleted.")})
    def destroy(self, request: Request, pk: int) -> Response:
        """Delete an update template."""
        services.message_template_delete(actor=request.user, template=self.template(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- updates to officials: preview ---------------------------------------------------------------


# An APIView: a verb on the incidents app's updates (incidents/{id}/updates/), not a resource
# of this app.
class UpdatePreviewView(NotificationsAPIView):
    """POST {"audience": [list ids], "template": id?, "body": text?}: how many people and
    addresses per channel the update would reach, and its text as they will read it."""

    serializer_class = PreviewInSerializer

    def get_queryset(self) -> QuerySet[Any]:
        return incidents_visible(self.request.user)

    @extend_schema(request=PreviewInSerializer, responses=PreviewOutSerializer)
    def post(self, request: Request, pk: int) -> Response:
        incident = get_object_or_404(self.get_queryset(), pk=pk)
        access = incident_access(request.user, incident)
        if not access.can_view:
            raise Http404
        if not access.can_post_updates:
            raise PermissionDenied("Emergency managers send situation updates.")
        data = self.valid(PreviewInSerializer)
        chain = region_chain(incident)
        wanted = set(data["audience"])
        lists = list(DistributionList.objects.filter(pk__in=wanted, region_id__in=chain))
        if len(lists) != len(wanted):
            raise DRFValidationError(
                {"audience": ["Choose distribution lists of this incident's region."]}
            )
        body = (data.get("body") or "").strip()
        if data.get("template"):
            template = MessageTemplate.objects.filter(
                pk=data["template"], region_id__in=chain
            ).first()
            if template is None:
                raise DRFValidationError({"template": ["No such template for this region."]})
            try:
                body = render(template.body, context_for(incident=incident))
            except Exception as error:
                raise DRFValidationError({"template": [f"The template fails: {error}"]}) from None
        if not body:
            raise DRFValidationError({"body": ["Write the update or choose a template."]})
        channels = conf.update_channels()
        counts = queries.audience_preview(
            region_id=incident.region_id,
            incident_id=incident.pk,
            list_ids=[d.pk for d in lists],
            channels=channels,
        )
        draft = SimpleNamespace(body=body, author=request.user)
        _, texts = render_texts(
            kind=incident_events.UPDATE_POSTED,
            templates={},
            channels=["sms"],
            context=context_for(incident=incident, update=draft),
            exercise=incident.is_exercise,
        )
        result = {
            **counts,
            "channels": channels,
            "audience": [{"id": d.pk, "name": d.name} for d in lists],
            "body": body,
            "text": texts["sms"],
        }
        return Response(PreviewOutSerializer(result).data)
