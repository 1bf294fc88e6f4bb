"""The hospitals page: ED status and capacity with their ages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from agencies import permissions, queries, services
from agencies.forms import (
    CapacityForm,
    EdStatusForm,
    add_service_errors,
)
from agencies.models import (
    Hospital,
)
from agencies.views.common import (
    STATUS_STALE_AFTER,
    age_text,
)

# --- hospitals --------------------------------------------------------------------------------


@dataclass
class HospitalRow:
    hospital: Hospital
    ed_age: str
    ed_stale: bool
    capacity_age: str
    capacity_stale: bool
    can_update: bool
    status_form: EdStatusForm | None = None
    capacity_form: CapacityForm | None = None


def _hospital_rows(
    request: HttpRequest, bound: tuple[int, EdStatusForm | CapacityForm] | None = None
) -> list[HospitalRow]:
    now = timezone.now()
    rows = []
    for hospital in queries.hospitals_visible(request.user).order_by(
        "agency__region__name", "agency__name"
    ):
        row = HospitalRow(
            hospital=hospital,
            ed_age=age_text(hospital.ed_status_at, now),
            ed_stale=hospital.ed_status_at is None
            or now - hospital.ed_status_at > STATUS_STALE_AFTER,
            capacity_age=age_text(hospital.capacity_reported_at, now),
            capacity_stale=hospital.capacity_reported_at is None
            or now - hospital.capacity_reported_at > STATUS_STALE_AFTER,
            can_update=permissions.can_update_hospital(request.user, hospital),
        )
        if row.can_update:
            prefix = f"h{hospital.pk}"
            row.status_form = EdStatusForm(
                initial={"ed_status": hospital.ed_status}, auto_id=f"{prefix}-%s"
            )
            row.capacity_form = CapacityForm(
                initial={
                    "immediate": hospital.capacity_immediate,
                    "delayed": hospital.capacity_delayed,
                    "minor": hospital.capacity_minor,
                },
                auto_id=f"{prefix}-%s",
            )
            if bound and bound[0] == hospital.pk:
                if isinstance(bound[1], EdStatusForm):
                    row.status_form = bound[1]
                else:
                    row.capacity_form = bound[1]
        rows.append(row)
    return rows


def _hospital_context(rows: list[HospitalRow], **extra: Any) -> dict[str, Any]:
    return {
        "rows": rows,
        "show_region": len({row.hospital.agency.region_id for row in rows}) > 1,
        "any_updatable": any(row.can_update for row in rows),
        "stale_minutes": int(STATUS_STALE_AFTER.total_seconds() // 60),
        "stale_seconds": int(STATUS_STALE_AFTER.total_seconds()),
        **extra,
    }


@login_required
def hospital_index(request: HttpRequest) -> HttpResponse:
    """The region's hospitals with status and capacity (and their age); a small update form
    on each hospital the user may update."""
    return render(
        request, "agencies/hospital_index.html", _hospital_context(_hospital_rows(request))
    )


@login_required
@require_POST
def hospital_status(request: HttpRequest, hospital_id: int) -> HttpResponse:
    """POST part=status (ED status) or part=capacity (R/Y/G); each refreshes its own time."""
    hospital = get_object_or_404(queries.hospitals_visible(request.user), pk=hospital_id)
    if not permissions.can_update_hospital(request.user, hospital):
        raise PermissionDenied("Only this hospital's ER staff and the region's EMs update it.")
    part = request.POST.get("part")
    form: EdStatusForm | CapacityForm
    if part == "status":
        form = EdStatusForm(request.POST, auto_id=f"h{hospital.pk}-%s")
    elif part == "capacity":
        form = CapacityForm(request.POST, auto_id=f"h{hospital.pk}-%s")
    else:
        messages.error(request, "Nothing to update: the form was incomplete. Try again.")
        return redirect("agencies:hospital-index")
    if form.is_valid():
        try:
            if part == "status":
                services.hospital_update_status(
                    actor=request.user, hospital=hospital, ed_status=form.cleaned_data["ed_status"]
                )
                done = f"{hospital.name}: ED status is now {hospital_status_label(form)}."
            else:
                services.hospital_update_status(
                    actor=request.user, hospital=hospital, capacity=form.cleaned_data
                )
                done = f"{hospital.name}: capacity reported."
        except ValidationError as exc:
            add_service_errors(
                form,
                exc,
                {f"capacity_{k}": k for k in ("immediate", "delayed", "minor")},
            )
        else:
            messages.success(request, done)
            return redirect(f"{reverse('agencies:hospital-index')}#hospital-{hospital.pk}")
    rows = _hospital_rows(request, bound=(hospital.pk, form))
    return render(
        request,
        "agencies/hospital_index.html",
        _hospital_context(rows, error_hospital=hospital),
        status=400,
    )


def hospital_status_label(form: EdStatusForm) -> str:
    return dict(form.fields["ed_status"].choices)[form.cleaned_data["ed_status"]]
