"""Governance pages: the committee's meetings, the plan's adoptions, funding lines and
mutual-aid agreements (/readiness/governance/), and the printable ICS 205-style channel table
(/readiness/interoperability/). EMs keep them; officials read governance; agency admins read
the channel plan."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from agencies.forms import add_service_errors
from agencies.models import Discipline, Region, Role
from agencies.permissions import scope_for
from readiness import governance_access as access
from readiness import governance_queries as queries
from readiness.governance_forms import AgreementForm, FundingForm, MeetingForm
from readiness.models import (
    CommitteeMeeting,
    FundingLine,
    MutualAidAgreement,
    PlanAdoption,
    RadioChannel,
)
from readiness.services import governance

LABELS = dict(Discipline.choices)


def _region(request: HttpRequest, roles: set[str]) -> Region:
    """The user's region for these roles (their first, for a user with several)."""
    scope = scope_for(request.user)
    regions = sorted(scope.regions_with(roles))
    if scope.superuser and not regions:
        region = Region.objects.order_by("pk").first()
        if region:
            return region
    if not regions:
        raise PermissionDenied
    return Region.objects.get(pk=regions[0])


@login_required
def governance_overview(request: HttpRequest) -> HttpResponse:
    region = _region(request, {Role.EMERGENCY_MANAGER, Role.OFFICIAL})
    today = timezone.localdate()
    meetings = queries.recent_meetings(region.pk, today)
    for row in meetings:
        row.missing_labels = [LABELS[d] for d in row.missing]  # type: ignore[attr-defined]
        row.present_labels = [  # type: ignore[attr-defined]
            LABELS.get(d, d) for d in row.meeting.disciplines_present
        ]
    keeps = access.can_keep(request.user, region.pk)
    agreements = (
        list(MutualAidAgreement.objects.filter(region=region).prefetch_related("agencies"))
        if keeps
        else []
    )
    for agreement in agreements:
        agreement.state = queries.agreement_state(agreement, today)  # type: ignore[attr-defined]
    hours = queries.funded_training_hours(region.pk)
    return render(
        request,
        "readiness/governance/overview.html",
        {
            "region": region,
            "keeps": keeps,
            "meetings": meetings,
            "adoptions": PlanAdoption.objects.filter(region=region).select_related("checklist"),
            "funding": FundingLine.objects.filter(region=region).prefetch_related(
                "sessions__course", "exercises"
            ),
            "hours": hours,
            "share": round(hours.share * 100),
            "agreements": agreements,
        },
    )


@login_required
def interoperability(request: HttpRequest) -> HttpResponse:
    region = _region(request, {Role.EMERGENCY_MANAGER, Role.AGENCY_ADMIN})
    channels = RadioChannel.objects.filter(region=region)
    return render(
        request,
        "readiness/governance/interoperability.html",
        {"region": region, "channels": channels, "labels": LABELS, "today": timezone.localdate()},
    )


def _add(
    request: HttpRequest, model: type[Model], form_class: type[Form], title: str, anchor: str
) -> HttpResponse:
    region = _region(request, {Role.EMERGENCY_MANAGER})
    if not access.can_keep(request.user, region.pk):
        raise PermissionDenied
    kwargs = {} if form_class is MeetingForm else {"region_id": region.pk}
    form = form_class(request.POST or None, **kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            governance.create(actor=request.user, model=model, region=region, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"{title.removeprefix('Add ').capitalize()} added.")
            return redirect(reverse("governance:index") + f"#{anchor}")
    return render(
        request,
        "readiness/governance/form.html",
        {"form": form, "title": title, "region": region},
        status=400 if form.errors else 200,
    )


@login_required
def meeting_new(request: HttpRequest) -> HttpResponse:
    return _add(request, CommitteeMeeting, MeetingForm, "Add a committee meeting", "meetings")


@login_required
def agreement_new(request: HttpRequest) -> HttpResponse:
    return _add(
        request, MutualAidAgreement, AgreementForm, "Add a mutual-aid agreement", "mutual-aid"
    )


@login_required
def funding_new(request: HttpRequest) -> HttpResponse:
    return _add(request, FundingLine, FundingForm, "Add a funding line", "funding")
