"""The API of the shared checklist, ICS roles and the incident record.

- /api/v1/incidents/{id}/checklist/ — GET the incident's checklist (filters: ?discipline=,
  ?role=, ?done=, ?checkable=); POST starts the region's adopted checklist on an incident
  that has none (one declared before the region adopted a plan).
- /api/v1/incidents/{id}/checklist/items/{item}/check/ and …/uncheck/
- /api/v1/incidents/{id}/roles/ — GET the org chart; POST assigns (or hands over) a role;
  …/roles/{assignment}/relieve/
- /api/v1/incidents/{id}/record/figures/ and …/record/timeline.csv
- /api/v1/checklist-templates/ — versions: list, create a draft, detail, edit / discard a
  draft, adopt, export and import JSON.

Rules live in readiness/checklists.py; state changes in readiness/services. Unknown or
unseen objects are 404, seen but not allowed 403, bad input 400 with what is wrong.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import ViewSetMixin

from agencies.models import Region
from agencies.queries import agencies_visible, members_visible
from incidents.api.base import IncidentAPIView, IncidentViewSetBase, django_errors_as_drf
from incidents.clock import incident_timezone
from readiness import checklists, services
from readiness.models import (
    ChecklistDiscipline,
    ChecklistTemplate,
    IcsRole,
    IncidentChecklistItem,
    RoleAssignment,
)
from readiness.record import build as record
from readiness.serializers import (
    AssignmentSerializer,
    ChecklistItemChangedSerializer,
    ChecklistOverviewSerializer,
    KeyFiguresSerializer,
    OrgChartSerializer,
    RoleAssignSerializer,
    RoleRelieveSerializer,
    TemplateCreateSerializer,
    TemplateDetailSerializer,
    TemplateDocumentSerializer,
    TemplateEditSerializer,
    TemplateImportSerializer,
    TemplateSummarySerializer,
)
from readiness.template_json import parse_content, template_document

# --- the incident's checklist ------------------------------------------------------------------


def _choices(request: Request, name: str, allowed: list[str]) -> frozenset[str]:
    """?name=a&name=b or ?name=a,b, each value checked against `allowed` (400 otherwise)."""
    values = {
        value.strip()
        for raw in request.query_params.getlist(name)
        for value in raw.split(",")
        if value.strip()
    }
    unknown = values - set(allowed)
    if unknown:
        raise DRFValidationError(
            {name: [f"Unknown {name} {', '.join(sorted(unknown))}. Use: {', '.join(allowed)}."]}
        )
    return frozenset(values)


def _flag(request: Request, name: str) -> bool | None:
    value = request.query_params.get(name)
    if value in (None, ""):
        return None
    if value.lower() in ("1", "true", "yes"):
        return True
    if value.lower() in ("0", "false", "no"):
        return False
    raise DRFValidationError({name: ["Use true or false."]})


CHECKLIST_FILTERS = [
    OpenApiParameter(
        "discipline",
        str,
        enum=ChecklistDiscipline.values,
        many=True,
        description=f"Items tagged with any of these: {', '.join(ChecklistDiscipline.values)}.",
    ),
    OpenApiParameter(
        "role",
        str,
        enum=[*IcsRole.values, "none"],
        many=True,
        description="Items owned by any of these ICS roles (or 'none' for unowned items).",
    ),
    OpenApiParameter("done", bool, description="Only checked (true) or open (false) items."),
    OpenApiParameter("checkable", bool, description="Only the items the user may check."),
]


class IncidentChecklistViewSet(IncidentViewSetBase):
    """The incident's checklist (incidents/{id}/checklist/): read it, start it, check or
    un-check its items."""

    serializer_class = ChecklistOverviewSerializer

    @extend_schema(parameters=CHECKLIST_FILTERS, responses=ChecklistOverviewSerializer)
    @action(detail=True, methods=["get"])
    def checklist(self, request: Request, pk: int) -> Response:
        """GET: the incident's checklist, progress per phase, filtered items. POST: start the
        region's adopted checklist on an incident that has none yet (dispatch, EMS, EM)."""
        incident, access = self.incident(pk)
        item_filter = checklists.ItemFilter(
            disciplines=_choices(request, "discipline", ChecklistDiscipline.values),
            roles=_choices(request, "role", [*IcsRole.values, "none"]),
            done=_flag(request, "done"),
            checkable=bool(_flag(request, "checkable")),
        )
        powers = checklists.check_powers(request.user, incident, access)
        return Response(checklists.checklist_overview(incident, powers, item_filter))

    @extend_schema(request=None, responses={201: ChecklistOverviewSerializer})
    @checklist.mapping.post
    def checklist_start(self, request: Request, pk: int) -> Response:
        """GET: the incident's checklist, progress per phase, filtered items. POST: start the
        region's adopted checklist on an incident that has none yet (dispatch, EMS, EM)."""
        incident, access = self.incident(pk)
        if not access.can_act:
            raise PermissionDenied("Dispatch, EMS and emergency management start the checklist.")
        started = services.incident_checklist_start(actor=request.user, incident=incident)
        if started is None:
            raise DRFValidationError(
                {"detail": f"{incident.region.name} has not adopted a checklist yet."}
            )
        powers = checklists.check_powers(request.user, incident, access)
        return Response(
            checklists.checklist_overview(incident, powers), status=status.HTTP_201_CREATED
        )

    @extend_schema(request=None, responses=ChecklistItemChangedSerializer)
    @action(detail=True, methods=["post"], url_path="checklist/items/<int:item_id>/check")
    def item_check(self, request: Request, pk: int, item_id: int) -> Response:
        """POST: check or un-check one item of the incident's checklist."""
        return self.item_set(pk, item_id, done=True)

    @extend_schema(request=None, responses=ChecklistItemChangedSerializer)
    @action(detail=True, methods=["post"], url_path="checklist/items/<int:item_id>/uncheck")
    def item_uncheck(self, request: Request, pk: int, item_id: int) -> Response:
        """POST: check or un-check one item of the incident's checklist."""
        return self.item_set(pk, item_id, done=False)

    def item_set(self, pk: int, item_id: int, *, done: bool) -> Response:
        request = self.request
        incident, access = self.incident(pk)
        item = get_object_or_404(
            IncidentChecklistItem.objects.select_related("checklist__incident"),
            pk=item_id,
            checklist__incident=incident,
        )
        powers = checklists.check_powers(request.user, incident, access)
        if not powers.can_check(item.disciplines):
            tags = ", ".join(ChecklistDiscipline(d).label for d in item.disciplines)
            raise PermissionDenied(
                f"This item is for {tags}: it is checked by those disciplines, dispatch or "
                "emergency management."
            )
        if done:
            item = services.checklist_item_check(actor=request.user, item=item)
        else:
            item = services.checklist_item_uncheck(actor=request.user, item=item)
        items = list(checklists.checklist_items(item.checklist))
        phases = checklists.phase_progress(items)
        phase = next(p for p in phases if p.position == item.phase_position)
        done = sum(p.done for p in phases)
        total = sum(p.total for p in phases)
        return Response(
            {
                "item": checklists.item_entry(item, powers),
                "phase": phase.as_dict(),
                "progress": {
                    "done": done,
                    "total": total,
                    "percent": round(100 * done / total) if total else 0,
                },
            }
        )


# --- roles -------------------------------------------------------------------------------------


class IncidentRolesViewSet(IncidentViewSetBase):
    """The incident's ICS roles (incidents/{id}/roles/): the org chart, assign, relieve."""

    serializer_class = OrgChartSerializer

    @extend_schema(responses=OrgChartSerializer)
    @action(detail=True, methods=["get"])
    def roles(self, request: Request, pk: int) -> Response:
        """GET: the org chart (who holds what, since when, and who held it before). POST: assign
        a role to a roster member or a named person with their agency; to hand over a held role
        name the assignment it `replaces` (dispatch, EMS, EM)."""
        incident, _ = self.incident(pk)
        return Response(checklists.org_chart(incident))

    @extend_schema(request=RoleAssignSerializer, responses={201: AssignmentSerializer})
    @roles.mapping.post
    def role_assign(self, request: Request, pk: int) -> Response:
        """GET: the org chart (who holds what, since when, and who held it before). POST: assign
        a role to a roster member or a named person with their agency; to hand over a held role
        name the assignment it `replaces` (dispatch, EMS, EM)."""
        incident, access = self.incident(pk)
        if not checklists.can_assign_roles(access):
            raise PermissionDenied("Dispatch, EMS and emergency management assign roles.")
        data = self.valid(RoleAssignSerializer).validated_data
        member = agency = replaces = None
        if data.get("member") is not None:
            member = members_visible(request.user).select_related("agency__region")
            member = member.filter(pk=data["member"]).first()
            if member is None:
                raise DRFValidationError({"member": ["No such member on a roster you can see."]})
        if data.get("agency") is not None:
            agency = agencies_visible(request.user).filter(pk=data["agency"]).first()
            if agency is None:
                raise DRFValidationError({"agency": ["No such agency in your directory."]})
        if data.get("replaces") is not None:
            replaces = RoleAssignment.objects.filter(incident=incident, pk=data["replaces"]).first()
            if replaces is None:
                raise DRFValidationError({"replaces": ["No such assignment on this incident."]})
            if replaces.role != data["role"]:
                raise DRFValidationError(
                    {"replaces": [f"That assignment is {replaces.get_role_display()}."]}
                )
        assignment = services.role_assign(
            actor=request.user,
            incident=incident,
            role=data["role"],
            member=member,
            name=data.get("name", ""),
            agency=agency,
            agency_name=data.get("agency_name", ""),
            note=data.get("note", ""),
            replaces=replaces,
        )
        assignment = checklists.role_assignments(incident).get(pk=assignment.pk)
        return Response(checklists.assignment_entry(assignment), status=status.HTTP_201_CREATED)

    @extend_schema(request=RoleRelieveSerializer, responses=AssignmentSerializer)
    @action(detail=True, methods=["post"], url_path="roles/<int:assignment_id>/relieve")
    def role_relieve(self, request: Request, pk: int, assignment_id: int) -> Response:
        """POST: relieve the holder of a role (dispatch, EMS, EM)."""
        incident, access = self.incident(pk)
        assignment = get_object_or_404(
            RoleAssignment.objects.select_related("incident"), pk=assignment_id, incident=incident
        )
        if not checklists.can_assign_roles(access):
            raise PermissionDenied("Dispatch, EMS and emergency management relieve roles.")
        reason = self.valid(RoleRelieveSerializer).validated_data.get("reason", "")
        services.role_relieve(actor=request.user, assignment=assignment, reason=reason)
        assignment = checklists.role_assignments(incident).get(pk=assignment.pk)
        return Response(checklists.assignment_entry(assignment))


# --- the record --------------------------------------------------------------------------------


class IncidentRecordViewSet(IncidentViewSetBase):
    """The incident's record (incidents/{id}/record/): its key figures."""

    serializer_class = KeyFiguresSerializer

    @extend_schema(responses=KeyFiguresSerializer)
    @action(detail=True, methods=["get"], url_path="record/figures")
    def figures(self, request: Request, pk: int) -> Response:
        """GET: the incident's key figures (times from declaration, patients, checklist)."""
        incident, _ = self.incident(pk)
        return Response(record.key_figures(incident))


class CSVRenderer(BaseRenderer):
    """text/csv for the timeline export; an error body becomes one line of text."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data: Any, accepted_media_type: Any = None, renderer_context: Any = None):
        if isinstance(data, dict):
            return str(data.get("detail", data)).encode()
        return data if isinstance(data, bytes) else str(data or "").encode()


# An APIView: a CSV download at a URL without the trailing slash a router adds.
class TimelineCSVView(IncidentAPIView):
    """GET: the timeline as CSV (seq, time, actor, agency, kind, summary), the events the
    user may see (officials: the public ones)."""

    renderer_classes = [JSONRenderer, CSVRenderer]

    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.STR})
    def get(self, request: Request, pk: int) -> HttpResponse:
        incident, access = self.incident(pk)
        with incident_timezone(incident):  # ISO 8601 with the region's offset
            body = record.timeline_csv(record.activity_log(access, incident))
        response = HttpResponse(body, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{record.csv_filename(incident)}"'
        return response


# --- checklist templates -----------------------------------------------------------------------


class TemplateAPIView(GenericAPIView):
    """Base of the template endpoints: scoped lookup, keeper check, one place for 400s."""

    serializer_class = TemplateSummarySerializer

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, DjangoValidationError):
            exc = django_errors_as_drf(exc)
        return super().handle_exception(exc)

    def get_queryset(self) -> QuerySet[ChecklistTemplate]:
        return checklists.templates_visible(self.request.user)

    def template(self, pk: int, *, keep: bool = False) -> ChecklistTemplate:
        """The version if the user may read it (404), and keep it when `keep` (403)."""
        template = get_object_or_404(checklists.with_content(self.get_queryset()), pk=pk)
        if keep and not checklists.can_keep_templates(self.request.user, template.region_id):
            raise PermissionDenied("The region's emergency managers keep its checklist.")
        return template

    def kept_region(self, region_id: int) -> Region:
        """A region whose checklist the user keeps, or a 400 on `region`."""
        region = Region.objects.filter(pk=region_id).first()
        if region is None or not checklists.can_keep_templates(self.request.user, region.pk):
            raise DRFValidationError(
                {"region": ["Choose a region whose checklist you keep (its emergency managers)."]}
            )
        return region

    def can_keep_any(self) -> None:
        user = self.request.user
        regions = checklists.template_region_ids(user)
        if regions is None:
            return
        if not any(checklists.can_keep_templates(user, region) for region in regions):
            raise PermissionDenied("The region's emergency managers keep its checklist.")

    def detail_response(
        self, template: ChecklistTemplate, code: int = status.HTTP_200_OK
    ) -> Response:
        fresh = checklists.with_content(self.get_queryset()).get(pk=template.pk)
        return Response(TemplateDetailSerializer(fresh).data, status=code)


class ChecklistTemplateViewSet(ViewSetMixin, TemplateAPIView):
    """Checklist versions (checklist-templates/): list, draft, read, edit, discard, adopt,
    export and import."""

    serializer_class = TemplateDetailSerializer
    lookup_value_converter = "int"
    filterset_fields = ["region", "status"]

    @extend_schema(
        operation_id="v1_checklist_templates_list",
        responses=TemplateSummarySerializer(many=True),
    )
    def list(self, request: Request) -> Response:
        """GET: checklist versions the user may read (?region=, ?status=). POST: a new draft for
        a region, copied from its adopted version or from `based_on` (emergency managers)."""
        templates = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(templates)
        return self.get_paginated_response(TemplateSummarySerializer(page, many=True).data)

    @extend_schema(
        request=TemplateCreateSerializer,
        responses={201: TemplateDetailSerializer},
    )
    def create(self, request: Request) -> Response:
        """GET: checklist versions the user may read (?region=, ?status=). POST: a new draft for
        a region, copied from its adopted version or from `based_on` (emergency managers)."""
        self.can_keep_any()
        serializer = TemplateCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        region = self.kept_region(data["region"])
        based_on = None
        if data.get("based_on") is not None:
            based_on = self.get_queryset().filter(pk=data["based_on"]).first()
            if based_on is None:
                raise DRFValidationError({"based_on": ["No such checklist version."]})
        template = services.checklist_draft_create(
            actor=request.user, region=region, based_on=based_on, name=data.get("name", "")
        )
        return self.detail_response(template, status.HTTP_201_CREATED)

    def retrieve(self, request: Request, pk: int) -> Response:
        """GET: one version with its phases and items. PATCH / PUT: edit a draft (PUT needs name
        and phases; phases replace the old ones whole). DELETE: discard a draft."""
        return self.detail_response(self.template(pk))

    def _edit(self, request: Request, pk: int, *, partial: bool) -> Response:
        template = self.template(pk, keep=True)
        content = parse_content(request.data, require_all=not partial)
        services.checklist_draft_update(actor=request.user, template=template, content=content)
        return self.detail_response(template)

    @extend_schema(
        request=TemplateEditSerializer,
        responses=TemplateDetailSerializer,
    )
    def partial_update(self, request: Request, pk: int) -> Response:
        """GET: one version with its phases and items. PATCH / PUT: edit a draft (PUT needs name
        and phases; phases replace the old ones whole). DELETE: discard a draft."""
        return self._edit(request, pk, partial=True)

    @extend_schema(
        request=TemplateEditSerializer,
        responses=TemplateDetailSerializer,
    )
    def update(self, request: Request, pk: int) -> Response:
        """GET: one version with its phases and items. PATCH / PUT: edit a draft (PUT needs name
        and phases; phases replace the old ones whole). DELETE: discard a draft."""
        return self._edit(request, pk, partial=False)

    @extend_schema(responses={204: None})
    def destroy(self, request: Request, pk: int) -> Response:
        """GET: one version with its phases and items. PATCH / PUT: edit a draft (PUT needs name
        and phases; phases replace the old ones whole). DELETE: discard a draft."""
        template = self.template(pk, keep=True)
        services.checklist_draft_discard(actor=request.user, template=template)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses=TemplateDetailSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def adopt(self, request: Request, pk: int) -> Response:
        """POST: adopt a draft as the region's checklist; the version it replaces is retired."""
        template = self.template(pk, keep=True)
        services.checklist_adopt(actor=request.user, template=template)
        return self.detail_response(template)

    @extend_schema(responses=TemplateDocumentSerializer)
    @action(detail=True, methods=["get"], filter_backends=[])
    def export(self, request: Request, pk: int) -> Response:
        """GET: one version as a JSON document, for another region or for safe keeping."""
        template = self.template(pk, keep=True)
        response = Response(template_document(template))
        response["Content-Disposition"] = (
            f'attachment; filename="checklist-{template.region.code}-v{template.version}.json"'
        )
        return response

    @extend_schema(
        request=TemplateImportSerializer,
        responses={201: TemplateDetailSerializer, 400: OpenApiResponse(description="Invalid")},
    )
    @action(detail=False, methods=["post"], url_path="import", filter_backends=[])
    def import_document(self, request: Request) -> Response:
        """POST {"region": id, "document": {...}}: a new draft from a JSON document; a 400 says
        what is wrong with the document, per path."""
        self.can_keep_any()
        serializer = TemplateImportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        region = self.kept_region(serializer.validated_data["region"])
        try:
            template = services.checklist_import(
                actor=request.user, region=region, document=serializer.validated_data["document"]
            )
        except DjangoValidationError as error:
            problems = error.message_dict if hasattr(error, "error_dict") else {}
            if problems and set(problems) != {"document"}:
                # Paths inside the document ("phases[0].title") go under "document".
                raise DRFValidationError({"document": problems}) from None
            raise
        return self.detail_response(template, status.HTTP_201_CREATED)
