"""Training pages: the program overview (catalogue, sessions, coverage, refreshers due), a
session's attendance with its sign-in sheet import, and everyone's own record. CSV exports
of each list go through asim.csv_export."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from agencies.forms import MAX_UPLOAD_LABEL, RosterImportForm, add_service_errors
from agencies.models import Region
from asim.csv_export import csv_text
from readiness import training_access as access
from readiness import training_csv
from readiness import training_queries as queries
from readiness.models import TrainingSession
from readiness.services import training
from readiness.training_forms import CourseForm, SessionForm


def _csv(name: str, header: Sequence[str], rows: Iterable[Sequence[object]]) -> HttpResponse:
    response = HttpResponse(csv_text(header, rows), content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.csv"'
    return response


def _overview(request: HttpRequest) -> dict:
    user = request.user
    today = timezone.localdate()
    agencies = access.coverage_agencies(user)
    sessions = list(
        access.sessions_visible(user)
        .select_related("course")
        .prefetch_related("agencies")
        .annotate(attendance=Count("records", distinct=True))
        .order_by("-date", "-id")
    )
    if not sessions and not agencies.exists():
        raise PermissionDenied
    keeps = bool(access.keeper_regions(user)) or user.is_superuser
    due = list(queries.refreshers_due(agencies, today))
    for record in due:
        record.window = queries.due_window(record, today)  # type: ignore[attr-defined]
    result = queries.coverage(agencies, today)
    for row in result.rows:
        row.cell_list = [row.cells[c.pk] for c in result.courses]  # type: ignore[attr-defined]
    return {
        "today": today,
        "keeps": keeps,
        "courses": list(access.courses_visible(user).order_by("code")) if keeps else [],
        "sessions": sessions,
        "coverage": result,
        "due": due,
        "due_counts": {w: sum(1 for r in due if r.window == w) for w in queries.DUE_WINDOWS},  # type: ignore[attr-defined]
        "instructors": queries.instructors_by_discipline(
            {row.agency.region_id for row in result.rows}, today
        ),
    }


@login_required
def training_overview(request: HttpRequest) -> HttpResponse:
    """EMs: the catalogue, sessions, coverage and refreshers due; officials and agency admins:
    coverage (their regions' or own agency's); instructors: their sessions."""
    return render(request, "readiness/training/overview.html", _overview(request))


@login_required
def training_export(request: HttpRequest, what: str) -> HttpResponse:
    """The overview's lists as CSV: sessions, coverage or refreshers due."""
    context = _overview(request)
    if what == "sessions":
        return _csv(
            "training-sessions",
            ["date", "course", "place", "agencies", "attendance"],
            (
                [
                    s.date.isoformat(),
                    s.course.code,
                    s.place,
                    "; ".join(a.name for a in s.agencies.all()),
                    s.attendance,
                ]
                for s in context["sessions"]
            ),
        )
    if what == "coverage":
        courses = context["coverage"].courses
        rows = []
        for row in context["coverage"].rows:
            cells = [row.cells[c.pk] for c in courses]
            rows.append(
                [row.agency.name, row.agency.get_discipline_display(), row.responders]
                + ["" if cell is None else f"{cell.trained}/{cell.responders}" for cell in cells]
            )
        return _csv(
            "training-coverage",
            ["agency", "discipline", "responders", *(c.code for c in courses)],
            rows,
        )
    if what == "refreshers":
        return _csv(
            "refreshers-due",
            ["member", "agency", "course", "completed_on", "expires_on", "within_days"],
            (
                [
                    r.member.full_name,
                    r.member.agency.name,
                    r.course.code,
                    r.completed_on.isoformat(),
                    r.expires_on.isoformat(),
                    r.window,
                ]
                for r in context["due"]
            ),
        )
    raise PermissionDenied


@login_required
def session_detail(request: HttpRequest, session_id: int) -> HttpResponse:
    """A session's attendance; EMs and its instructors import the sign-in sheet here."""
    session = get_object_or_404(
        access.sessions_visible(request.user).select_related("course", "region"), pk=session_id
    )
    can_import = access.can_record_all(request.user, session)
    form = RosterImportForm(request.POST or None, request.FILES or None)
    form.fields["file"].label = "Sign-in sheet (CSV)"
    report = None
    if request.method == "POST":
        if not can_import:
            raise PermissionDenied
        if form.is_valid():
            report = training.attendance_import(
                actor=request.user, session=session, text=form.cleaned_data["file"]
            )
    failed = bool(form.errors) or (report is not None and not report.ok)
    records = access.attendance_visible(request.user, session).order_by("member__full_name")
    if request.GET.get("export") == "csv":
        return _csv(
            f"attendance-{session.pk}",
            ["full_name", "agency", "completed_on", "expires_on", "source"],
            (
                [
                    r.member.full_name,
                    r.member.agency.name,
                    r.completed_on.isoformat(),
                    r.expires_on.isoformat() if r.expires_on else "",
                    r.source,
                ]
                for r in records
            ),
        )
    return render(
        request,
        "readiness/training/session.html",
        {
            "session": session,
            "records": records,
            "instructors": session.instructors.select_related("agency"),
            "agencies": session.agencies.all(),
            "can_import": can_import,
            "form": form,
            "report": report,
            "columns": training_csv.COLUMNS,
            "max_upload": MAX_UPLOAD_LABEL,
        },
        status=400 if failed else 200,
    )


@login_required
def my_training(request: HttpRequest) -> HttpResponse:
    """The user's own training records, with what has expired or is coming due."""
    today = timezone.localdate()
    records = list(access.my_records(request.user).order_by("course__code", "-completed_on"))
    for record in records:
        record.expired = record.expires_on is not None and record.expires_on <= today  # type: ignore[attr-defined]
    if request.GET.get("export") == "csv":
        return _csv(
            "my-training",
            ["course", "completed_on", "expires_on", "agency"],
            (
                [
                    r.course.code,
                    r.completed_on.isoformat(),
                    r.expires_on.isoformat() if r.expires_on else "",
                    r.member.agency.name,
                ]
                for r in records
            ),
        )
    teaching = (
        TrainingSession.objects.filter(instructors__user=request.user)
        .select_related("course")
        .distinct()
        .order_by("-date", "-id")
    )
    return render(
        request,
        "readiness/training/mine.html",
        {"records": records, "today": today, "teaching": teaching},
    )


def _keeper_region(request: HttpRequest) -> Region:
    """The region whose catalogue the user keeps (their first, for a user with several)."""
    regions = sorted(access.keeper_regions(request.user))
    if not regions:
        raise PermissionDenied
    return Region.objects.get(pk=regions[0])


@login_required
def course_new(request: HttpRequest) -> HttpResponse:
    """An EM adds a course to their region's catalogue."""
    region = _keeper_region(request)
    form = CourseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            training.course_create(actor=request.user, region=region, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Course {form.cleaned_data['code']} added.")
            return redirect(reverse("readiness:training") + "#catalogue")
    return render(
        request,
        "readiness/training/form.html",
        {"form": form, "title": "Add a course", "region": region},
        status=400 if form.errors else 200,
    )


@login_required
def session_new(request: HttpRequest) -> HttpResponse:
    """An EM adds a training session."""
    region = _keeper_region(request)
    form = SessionForm(request.POST or None, region_ids=access.keeper_regions(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            session = training.session_create(
                actor=request.user,
                region=data["course"].region,
                course=data["course"],
                date=data["date"],
                place=data["place"],
                notes=data["notes"],
                instructors=data["instructors"],
                agencies=data["agencies"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Session added: record its attendance here.")
            return redirect("readiness:training-session", session_id=session.pk)
    return render(
        request,
        "readiness/training/form.html",
        {"form": form, "title": "Add a training session", "region": region},
        status=400 if form.errors else 200,
    )
