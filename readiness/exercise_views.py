"""Pages of exercises and after-action reports (/readiness/…):

- exercises/ — the multi-year schedule (planned vs held, per type) and each agency's
  progressive path from discussion- to operations-based exercises;
- exercises/<id>/ — objectives with their ratings, linked exercise incidents and their figures;
- after-action-reports/<id>/ (and .pdf) — the AAR/IP in HSEEP layout, printable;
- corrective-actions/ (and .csv) — the improvement plans' actions, overdue flagged.

Who sees what: readiness/exercise_access.py; anything else is a 404.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from agencies.models import Agency
from asim.csv_export import csv_text
from readiness import exercise_access as access
from readiness.exercise_pdf import render_report_pdf
from readiness.models import (
    DISCUSSION_BASED,
    AfterActionReport,
    CorrectiveAction,
    Exercise,
    ExerciseType,
)
from readiness.record.build import key_figures
from readiness.services.after_action import KPI_TARGETS

PATH_YEARS = 3
CSV_COLUMNS = (
    "report",
    "issue",
    "action",
    "element",
    "agency",
    "contact",
    "start",
    "due",
    "status",
    "closed",
    "overdue",
    "evidence",
)


@dataclass(frozen=True)
class PathRow:
    """An agency's exercises of the last years, and the next step on the progressive path."""

    agency: str
    discussion: list[str]
    operations: list[str]
    next_step: str


def _next_step(held: set[str]) -> str:
    if not held & DISCUSSION_BASED:
        return "Start with a seminar or a tabletop exercise."
    if not held - DISCUSSION_BASED:
        return "Next: a drill on one function, then a functional exercise."
    if ExerciseType.FUNCTIONAL not in held and ExerciseType.FULL_SCALE not in held:
        return "Next: a functional exercise played as an exercise incident."
    if ExerciseType.FULL_SCALE not in held:
        return "Next: a full-scale exercise."
    return "Cycle complete: plan the next tabletop on the improvement plan's lessons."


def _progressive_path(exercises: list[Exercise], agencies: list[Agency]) -> list[PathRow]:
    since = timezone.localdate().replace(year=timezone.localdate().year - PATH_YEARS)
    held_by: dict[int, list[Exercise]] = defaultdict(list)
    for exercise in exercises:
        if (
            exercise.status == Exercise.Status.HELD
            and exercise.held_on
            and exercise.held_on >= since
        ):
            for agency in exercise.agencies.all():
                held_by[agency.pk].append(exercise)
    rows = []
    for agency in agencies:
        done = sorted(held_by.get(agency.pk, []), key=lambda e: e.held_on or date.min)
        rows.append(
            PathRow(
                agency=agency.name,
                discussion=[
                    f"{e.get_type_display()} {e.held_on:%Y}" for e in done if e.discussion_based
                ],
                operations=[
                    f"{e.get_type_display()} {e.held_on:%Y}" for e in done if not e.discussion_based
                ],
                next_step=_next_step({e.type for e in done}),
            )
        )
    return rows


def _schedule(exercises: list[Exercise]) -> list[dict[str, Any]]:
    """Per year: the exercises, and planned / held / cancelled counts per type."""
    years: dict[int, list[Exercise]] = defaultdict(list)
    for exercise in exercises:
        years[exercise.planned_on.year].append(exercise)
    schedule = []
    for year in sorted(years, reverse=True):
        rows = sorted(years[year], key=lambda e: e.planned_on)
        counts = []
        for value, label in ExerciseType.choices:
            of_type = [e for e in rows if e.type == value]
            if of_type:
                counts.append(
                    {
                        "type": label,
                        "planned": len(of_type),
                        "held": sum(e.status == Exercise.Status.HELD for e in of_type),
                        "cancelled": sum(e.status == Exercise.Status.CANCELLED for e in of_type),
                    }
                )
        schedule.append({"year": year, "exercises": rows, "counts": counts})
    return schedule


def _require_planner(request: HttpRequest) -> None:
    """Emergency managers and agency admins have these pages; everyone else a 404."""
    if not access.plans_exercises(request.user):
        raise Http404


@login_required
def exercise_index(request: HttpRequest) -> HttpResponse:
    exercises = list(
        access.exercises_visible(request.user).prefetch_related("agencies").order_by("planned_on")
    )
    _require_planner(request)
    owner_regions = access.owner_region_ids(request.user)
    agencies = list(
        Agency.objects.filter(region_id__in=owner_regions, active=True).order_by("name")
    )
    return render(
        request,
        "exercises/index.html",
        {
            "schedule": _schedule(exercises),
            "path_rows": _progressive_path(exercises, agencies),
            "path_years": PATH_YEARS,
            "is_owner": bool(owner_regions),
        },
    )


def _bar_chart(kpis: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per milestone, one bar per incident, scaled to the longest (server-side SVG data)."""
    charts = []
    for key, target in KPI_TARGETS.items():
        bars = []
        for snapshot in kpis:
            for milestone in snapshot["milestones"]:
                if milestone["key"] == key and milestone["seconds"] is not None:
                    bars.append((snapshot["number"], milestone["seconds"], milestone["label"]))
        if not bars:
            continue
        top = max([target, *(b[1] for b in bars)])
        charts.append(
            {
                "label": bars[0][2],
                "target": target,
                "target_x": round(100 + 280 * target / top),
                "height": 24 * len(bars) + 10,
                "bars": [
                    {
                        "number": number,
                        "seconds": seconds,
                        "minutes": f"{seconds // 60}:{seconds % 60:02d}",
                        "width": max(1, round(280 * seconds / top)),
                        "y": 5 + 24 * i,
                        "met": seconds <= target,
                    }
                    for i, (number, seconds, _label) in enumerate(bars)
                ],
            }
        )
    return charts


@login_required
def exercise_detail(request: HttpRequest, pk: int) -> HttpResponse:
    exercise = get_object_or_404(access.exercises_visible(request.user), pk=pk)
    incidents = [
        {"incident": incident, "figures": key_figures(incident)}
        for incident in exercise.incidents.order_by("declared_at")
    ]
    report = AfterActionReport.objects.filter(exercise=exercise).first()
    if (
        report is not None
        and not access.reports_visible(request.user).filter(pk=report.pk).exists()
    ):
        report = None
    return render(
        request,
        "exercises/detail.html",
        {
            "exercise": exercise,
            "objectives": exercise.objectives.all(),
            "incidents": incidents,
            "report": report,
            "is_owner": access.can_own(request.user, exercise.region_id),
        },
    )


def _report_context(request: HttpRequest, pk: int) -> dict[str, Any]:
    report = get_object_or_404(access.reports_visible(request.user), pk=pk)
    objectives = list(report.exercise.objectives.all()) if report.exercise else []
    owner = access.can_own(request.user, report.region_id)
    actions = list(report.corrective_actions.select_related("agency", "contact")) if owner else []
    today = timezone.localdate()
    return {
        "report": report,
        "exercise": report.exercise,
        "objectives": objectives,
        "kpis": report.kpis,
        "charts": _bar_chart(report.kpis),
        "actions": [
            {"action": a, "overdue": a.status != "closed" and a.due_on < today} for a in actions
        ],
        "show_plan": owner,
        "label": "EXERCISE" if report.exercise_id else "",
    }


@login_required
def report_page(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "exercises/report.html", _report_context(request, pk))


@login_required
def report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    context = _report_context(request, pk)
    response = HttpResponse(render_report_pdf(context), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="after-action-report-{pk}.pdf"'
    return response


def _filtered_actions(request: HttpRequest) -> tuple[QuerySet[CorrectiveAction], dict[str, Any]]:
    actions = access.actions_visible(request.user).select_related("report", "agency", "contact")
    status = request.GET.get("status", "")
    if status == "overdue":
        actions = access.overdue(actions)
    elif status in CorrectiveAction.Status.values:
        actions = actions.filter(status=status)
    else:
        status = ""
    agency_id = request.GET.get("agency", "")
    agencies = Agency.objects.filter(
        pk__in=access.actions_visible(request.user).values("agency_id")
    ).order_by("name")
    if agency_id.isdigit():
        actions = actions.filter(agency_id=int(agency_id))
    else:
        agency_id = ""
    return actions, {"status": status, "agency_filter": agency_id, "agencies": agencies}


@login_required
def action_index(request: HttpRequest) -> HttpResponse:
    _require_planner(request)
    actions, filters = _filtered_actions(request)
    today = timezone.localdate()
    rows = [{"action": a, "overdue": a.status != "closed" and a.due_on < today} for a in actions]
    return render(
        request,
        "exercises/actions.html",
        {
            "rows": rows,
            **filters,
            "statuses": [*CorrectiveAction.Status.choices, ("overdue", "Overdue")],
            "query": request.GET.urlencode(),
        },
    )


@login_required
def action_csv(request: HttpRequest) -> HttpResponse:
    _require_planner(request)
    actions, _filters = _filtered_actions(request)
    today = timezone.localdate()
    body = csv_text(
        CSV_COLUMNS,
        (
            (
                a.report.title,
                a.issue,
                a.action,
                a.get_element_display(),
                a.agency.name,
                a.contact.full_name if a.contact else "",
                a.start_on.isoformat(),
                a.due_on.isoformat(),
                a.get_status_display(),
                a.closed_on.isoformat() if a.closed_on else "",
                "yes" if a.status != "closed" and a.due_on < today else "",
                a.evidence,
            )
            for a in actions
        ),
    )
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="corrective-actions.csv"'
    return response
