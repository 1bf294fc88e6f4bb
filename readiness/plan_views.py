"""The regional plan's pages: the current plan and who is on it, a form to add a document
(the region's EMs) and a form to record an agency's alignment (EMs, or the agency's admins)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from agencies.forms import add_service_errors
from agencies.models import Agency, Region, Role
from agencies.permissions import scope_for
from readiness import plan_access as access
from readiness.plan_forms import AlignmentForm, PlanDocumentForm
from readiness.plan_queries import evidence_of, plan_coverage
from readiness.services import plan


def _region(request: HttpRequest) -> Region:
    """The region whose plan the user reads (their first, for a user with several)."""
    regions = access.readable_regions(request.user)
    if regions is None:
        found = Region.objects.filter(agencies__isnull=False).order_by("pk").first()
    else:
        found = Region.objects.filter(pk__in=regions).order_by("pk").first()
    if found is None:
        raise PermissionDenied
    return found


def _alignable(request: HttpRequest, region: Region) -> list[int]:
    agencies = Agency.objects.filter(region=region, active=True)
    if access.can_manage(request.user, region.pk):
        return list(agencies.values_list("pk", flat=True))
    mine = scope_for(request.user).agencies_with({Role.AGENCY_ADMIN})
    return list(agencies.filter(pk__in=mine).values_list("pk", flat=True))


@login_required
def plan_overview(request: HttpRequest) -> HttpResponse:
    region = _region(request)
    coverage = plan_coverage(region, timezone.localdate())
    for discipline in coverage.disciplines:
        for standing in discipline.agencies:
            standing.evidence = evidence_of(standing.alignment)  # type: ignore[attr-defined]
    return render(
        request,
        "readiness/plan/overview.html",
        {
            "coverage": coverage,
            "manages": access.can_manage(request.user, region.pk),
            "aligns": bool(_alignable(request, region)),
        },
    )


def _form_page(request: HttpRequest, form: object, title: str, region: Region) -> HttpResponse:
    return render(
        request,
        "readiness/plan/form.html",
        {"form": form, "title": title, "region": region},
        status=400 if form.errors else 200,  # type: ignore[attr-defined]
    )


@login_required
def document_new(request: HttpRequest) -> HttpResponse:
    region = _region(request)
    if not access.can_manage(request.user, region.pk):
        raise PermissionDenied
    form = PlanDocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if v is not None}
        try:
            plan.plan_document_add(actor=request.user, region=region, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Document “{data['title']}” added.")
            return redirect(reverse("plan:index") + "#documents")
    return _form_page(request, form, "Add a plan document", region)


@login_required
def alignment_new(request: HttpRequest) -> HttpResponse:
    region = _region(request)
    agency_ids = _alignable(request, region)
    if not agency_ids:
        raise PermissionDenied
    # An agency admin usually records their own agency: preselect it.
    chosen = request.GET.get("agency") or (agency_ids[0] if len(agency_ids) == 1 else None)
    initial = {"agency": chosen} if request.method == "GET" else None
    form = AlignmentForm(
        request.POST or None,
        request.FILES or None,
        initial=initial,
        agency_ids=agency_ids,
        region_id=region.pk,
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        agency = data.pop("agency")
        if data.get("evidence_file") is None:
            data.pop("evidence_file", None)
        try:
            plan.alignment_set(actor=request.user, agency=agency, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"{agency.name}'s alignment recorded.")
            return redirect(reverse("plan:index") + "#agencies")
    return _form_page(request, form, "Record an agency's alignment", region)
