"""The live boards' pages: dispatch, incident, hospital ER, EMS, EM and officials.

Each view only decides who may open the page and renders its frame with a JSON config
(`json_script`): the ids, URLs and permissions the page's ES module needs. The module then
reads everything through the API (session auth + CSRF), writes only through the API (so
through incidents.services), and stays current over the board WebSocket (/ws/board/,
boards/consumers.py). No view here changes anything.

Anything the user may not see is a 404; a board their roles do not open is a 403 that says
which roles it is for.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from agencies import queries as agency_queries
from agencies.models import Hospital, Region
from agencies.permissions import can_read_roster, scope_for
from incidents import queries
from incidents.models import Incident, Patient, TriageCategory
from incidents.permissions import (
    ACT_ROLES,
    HOSPITAL_ROLES,
    READ_ROLES,
    SUMMARY_ROLES,
    UPDATE_AUTHORS,
    Level,
    incident_access,
    regions_where_user_declares,
)
from incidents.services.patients import VITAL_RANGES
from readiness.checklists import ROLE_CHART
from readiness.models import ChecklistDiscipline, IcsRole


def _regions_with(request: HttpRequest, roles: frozenset[str]) -> list[Region]:
    """The regions where the user holds one of `roles` (all of them for a superuser)."""
    scope = scope_for(request.user)
    regions = Region.objects.order_by("name")
    if scope.superuser:
        return list(regions)
    return list(regions.filter(pk__in=scope.regions_with(roles)))


def _hospitals_in(request: HttpRequest, regions: list[Region]) -> list[dict[str, Any]]:
    """The active hospitals of `regions`, for maps and "add a hospital" pickers."""
    hospitals = agency_queries.hospitals_visible(request.user).filter(
        agency__region__in=regions, agency__active=True
    )
    return [
        {
            "id": h.pk,
            "name": h.agency.name,
            "short_code": h.agency.short_code,
            "region": h.agency.region_id,
            "latitude": h.agency.latitude,
            "longitude": h.agency.longitude,
            "ed_status": h.ed_status,
            "trauma_level": h.trauma_level,
        }
        for h in hospitals
    ]


PLACEHOLDER_ID = 999_999_999


def _pattern(name: str) -> str:
    """A page's URL with "{id}" for the incident id, for the page's script to fill in."""
    return reverse(name, args=[PLACEHOLDER_ID]).replace(str(PLACEHOLDER_ID), "{id}")


def _config(request: HttpRequest, board: str, **extra: Any) -> dict[str, Any]:
    user = request.user
    return {
        "board": board,
        "user": {
            "id": user.pk,
            "username": user.get_username(),
            "name": agency_queries.person_label(user),
        },
        "csrf": get_token(request),
        "ws": "/ws/board/",
        "api": "/api/v1/",
        "urls": {
            "incident": _pattern("boards:incident"),
            "ems": _pattern("boards:ems-incident"),
            "record": _pattern("record:incident"),
            "record_pdf": _pattern("record:incident-pdf"),
        },
        "categories": [{"value": v, "label": label} for v, label in TriageCategory.choices],
        "kinds": [{"value": v, "label": label} for v, label in Incident.Kind.choices],
        # Adults, children or a school: ranking weighs adult or paediatric trauma care.
        "populations": [{"value": v, "label": label} for v, label in Incident.Population.choices],
        **extra,
    }


def _render(
    request: HttpRequest, template: str, config: dict[str, Any], **context: Any
) -> HttpResponse:
    return render(request, template, {"config": config, **context})


def _regions_json(regions: list[Region]) -> list[dict[str, Any]]:
    return [{"id": r.pk, "name": r.name} for r in regions]


def _page_zone(regions: list[Region]) -> str | None:
    """The page's time zone when its regions share one; otherwise each incident's own
    (the board snapshot names it) decides."""
    zones = {r.time_zone for r in regions}
    return zones.pop() if len(zones) == 1 else None


# --- dispatch ----------------------------------------------------------------------------------


@login_required
def dispatch_board(request: HttpRequest) -> HttpResponse:
    """Active incidents of the user's regions; Declare MCI; the hospitals' live answers."""
    regions = _regions_with(request, READ_ROLES)
    if not regions:
        raise PermissionDenied(
            "The dispatch board is for dispatchers, EMS, emergency managers and responders."
        )
    declare_in = regions_where_user_declares(request.user)
    declare_regions = [r for r in regions if declare_in is None or r.pk in declare_in]
    config = _config(
        request,
        "dispatch",
        time_zone=_page_zone(regions),
        regions=_regions_json(regions),
        declare_regions=_regions_json(declare_regions),
        can_act=bool(declare_regions),
        hospitals=_hospitals_in(request, regions),
        tile_url=settings.MAP_TILE_URL,
    )
    return _render(request, "boards/dispatch.html", config, can_declare=bool(declare_regions))


# --- incident ----------------------------------------------------------------------------------


def _role_directory(request: HttpRequest, incident: Incident, can_act: bool) -> dict[str, Any]:
    """What the checklist and role cards need: the vocabulary (disciplines, ICS roles), and
    for those who assign roles the agencies of the incident's region chain (holders come from
    there) and whether the user may search their rosters (dispatchers, EMs, agency admins)."""
    directory: dict[str, Any] = {
        "disciplines": [{"value": v, "label": label} for v, label in ChecklistDiscipline.choices],
        "ics_roles": [
            {"value": spec.role, "label": IcsRole(spec.role).label} for spec in ROLE_CHART
        ],
        "role_agencies": [],
        "roster_search": False,
    }
    if not can_act:
        return directory
    chain = queries.region_chain(incident)
    agencies = agency_queries.agencies_visible(request.user).filter(
        region_id__in=chain, active=True
    )
    rows = list(agencies.order_by("name"))
    directory["role_agencies"] = [{"id": a.pk, "name": a.name} for a in rows]
    directory["roster_search"] = any(can_read_roster(request.user, a) for a in rows)
    return directory


@login_required
def incident_board(request: HttpRequest, pk: int) -> HttpResponse:
    """One incident: header, timers, hospitals, patients, updates, timeline."""
    incident = get_object_or_404(queries.incidents_visible(request.user), pk=pk)
    access = incident_access(request.user, incident)
    if not access.can_view:
        raise Http404
    regions = [incident.region]
    config = _config(
        request,
        "incident",
        time_zone=incident.region.time_zone,
        incident=incident.pk,
        access=access.level.name.lower(),
        can_act=access.can_act,
        can_post_updates=access.can_post_updates,
        own_hospitals=sorted(access.hospital_ids),
        hospitals=_hospitals_in(request, regions) if access.can_act else [],
        timeline_csv=reverse("api-incident-record-timeline-csv", args=[incident.pk]),
        **_role_directory(request, incident, access.can_act),
    )
    if access.level >= Level.READ:
        back = (reverse("boards:dispatch"), "Incidents")
    elif access.level == Level.HOSPITAL:
        back = (reverse("boards:er"), "ER board")
    else:
        back = (reverse("boards:officials"), "Summaries")
    return _render(
        request, "boards/incident.html", config, incident=incident, access=access, back=back
    )


# --- hospital ER -------------------------------------------------------------------------------


def _own_hospitals(request: HttpRequest) -> list[Hospital]:
    scope = scope_for(request.user)
    hospitals = Hospital.objects.select_related("agency").filter(agency__active=True)
    if scope.superuser:
        return list(hospitals)
    return list(hospitals.filter(agency_id__in=scope.agencies_with(HOSPITAL_ROLES)))


@login_required
def er_board(request: HttpRequest, hospital_id: int | None = None) -> HttpResponse:
    """A hospital's ER big screen: new-MCI alert, acknowledge, capacity, inbound patients."""
    hospitals = _own_hospitals(request)
    if not hospitals:
        raise PermissionDenied("The ER board is for a hospital's ER staff.")
    if hospital_id is None:
        if len(hospitals) > 1:
            return render(request, "boards/er_pick.html", {"hospitals": hospitals})
        return redirect("boards:er-hospital", hospital_id=hospitals[0].pk)
    hospital = next((h for h in hospitals if h.pk == hospital_id), None)
    if hospital is None:
        raise Http404
    config = _config(
        request,
        "er",
        time_zone=hospital.agency.region.time_zone,
        hospital={
            "id": hospital.pk,
            "name": hospital.agency.name,
            "short_code": hospital.agency.short_code,
            "ed_status": hospital.ed_status,
            "capacity": {
                "immediate": hospital.capacity_immediate,
                "delayed": hospital.capacity_delayed,
                "minor": hospital.capacity_minor,
            },
            "capacity_reported_at": hospital.capacity_reported_at,
        },
        age_groups=[{"value": v, "label": label} for v, label in Patient.AgeGroup.choices],
    )
    return _render(request, "boards/er.html", config, hospital=hospital)


# --- EMS ---------------------------------------------------------------------------------------


def _act_regions(request: HttpRequest) -> list[Region]:
    return _regions_with(request, ACT_ROLES)


@login_required
def ems_index(request: HttpRequest) -> HttpResponse:
    """Open incidents of the user's regions, each a way into its EMS board."""
    regions = _act_regions(request)
    if not regions:
        raise PermissionDenied("The EMS board is for EMS, dispatchers and emergency managers.")
    config = _config(
        request, "ems-index", regions=_regions_json(regions), time_zone=_page_zone(regions)
    )
    return _render(request, "boards/ems_index.html", config)


@login_required
def ems_board(request: HttpRequest, pk: int) -> HttpResponse:
    """Register and triage patients fast, send each where there is room, transport them."""
    incident = get_object_or_404(queries.incidents_visible(request.user), pk=pk)
    access = incident_access(request.user, incident)
    if not access.can_view:
        raise Http404
    if not access.can_act:
        raise PermissionDenied("The EMS board is for EMS, dispatchers and emergency managers.")
    config = _config(
        request,
        "ems",
        incident=incident.pk,
        access=access.level.name.lower(),
        time_zone=incident.region.time_zone,
    )
    return _render(request, "boards/ems.html", config, incident=incident, ringdown=RINGDOWN)


# The ringdown form's choices (EMS board): few taps, the API's vocabulary and ranges.
RINGDOWN = {
    "age_groups": [
        (value, label.split(" (")[0] if value != "older" else "65+")
        for value, label in Patient.AgeGroup.choices
        if value != "unknown"
    ],
    "sexes": [(v, label) for v, label in Patient.Sex.choices if v != "unknown"],
    "vitals": [
        (name, label.replace("blood pressure", "BP"), low, high)
        for name, (low, high, label) in VITAL_RANGES.items()
    ],
    "avpu": Patient.Avpu.choices,
}


# --- emergency management ----------------------------------------------------------------------


@login_required
def em_board(request: HttpRequest) -> HttpResponse:
    """Region overview, updates to officials with delivery progress, their history."""
    regions = _regions_with(request, UPDATE_AUTHORS)
    if not regions:
        raise PermissionDenied("The EM board is for emergency managers.")
    config = _config(
        request,
        "em",
        time_zone=_page_zone(regions),
        regions=_regions_json(regions),
    )
    return _render(request, "boards/em.html", config)


# --- officials ---------------------------------------------------------------------------------


@login_required
def officials_board(request: HttpRequest) -> HttpResponse:
    """Read-only summaries of the region's incidents and the updates sent about them."""
    regions = _regions_with(request, SUMMARY_ROLES | READ_ROLES)
    if not regions:
        raise PermissionDenied("The officials' board is for officials and the region's staff.")
    config = _config(
        request, "officials", regions=_regions_json(regions), time_zone=_page_zone(regions)
    )
    return _render(request, "boards/officials.html", config)
