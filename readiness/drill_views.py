"""Communications drill pages under /readiness/drills/: the drills and stale contact points
the user reads, the start form with a preview of who will be messaged, and a drill's results
per agency."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from agencies.forms import add_service_errors
from agencies.models import Agency, DistributionList, Region, Role
from agencies.permissions import scope_for
from readiness import drill_access as access
from readiness.models import CommunicationsDrill
from readiness.services import drills


class DrillForm(forms.Form):
    audience = forms.ChoiceField(
        choices=CommunicationsDrill.Audience.choices, widget=forms.RadioSelect
    )
    distribution_list = forms.ModelChoiceField(
        queryset=DistributionList.objects.none(),
        required=False,
        help_text="Only for the audience “A distribution list”.",
    )
    message = forms.CharField(
        max_length=drills.MAX_MESSAGE,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Added after “ASIM COMMUNICATIONS DRILL — no action except acknowledge.”",
    )

    def __init__(self, *args: object, region: Region, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        lists = DistributionList.objects.filter(region=region).order_by("name")
        self.fields["distribution_list"].queryset = lists  # type: ignore[attr-defined]


def _em_region(request: HttpRequest) -> Region:
    """The region whose drills the user starts (their first, for a user with several)."""
    scope = scope_for(request.user)
    regions = sorted(scope.regions_with({Role.EMERGENCY_MANAGER}))
    if scope.superuser and not regions:
        regions = list(Region.objects.order_by("pk").values_list("pk", flat=True)[:1])
    if not regions:
        raise PermissionDenied
    return Region.objects.get(pk=regions[0])


@login_required
def drill_index(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    region_ids = scope.regions_with(access.READERS)
    if not region_ids and not scope.superuser:
        raise PermissionDenied
    regions = Region.objects.filter(pk__in=region_ids) if not scope.superuser else Region.objects
    stale = {}
    for region in regions.order_by("name"):
        stale.update(drills.stale_contacts(region, access.agency_scope(request.user, region.pk)))
    return render(
        request,
        "readiness/drills/index.html",
        {
            "drills": access.drills_visible(request.user).order_by("-started_at", "-id")[:50],
            "starts": scope.superuser or bool(scope.regions_with({Role.EMERGENCY_MANAGER})),
            "stale": stale,
            "stale_days": drills.STALE_AFTER.days,
        },
    )


@login_required
def drill_new(request: HttpRequest) -> HttpResponse:
    """An EM previews the audience (count per agency) and starts the drill."""
    region = _em_region(request)
    form = DrillForm(request.POST or None, region=region)
    preview: list[tuple[str, int]] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if "start" in request.POST:
                drill = drills.drill_start(
                    actor=request.user,
                    region=region,
                    audience=data["audience"],
                    message=data["message"],
                    distribution_list=data["distribution_list"],
                )
                messages.success(request, "Drill started: the messages are going out.")
                return redirect("drills:detail", drill_id=drill.pk)
            targeted = drills.audience_members(region, data["audience"], data["distribution_list"])
            names = dict(Agency.objects.filter(pk__in=targeted).values_list("pk", "name"))
            preview = sorted((names[k], len(v)) for k, v in targeted.items())
            if not preview:
                form.add_error("audience", "Nobody on the roster is in this audience.")
        except ValidationError as exc:
            add_service_errors(form, exc)
    return render(
        request,
        "readiness/drills/new.html",
        {
            "form": form,
            "region": region,
            "preview": preview,
            "total": sum(n for _, n in preview),
        },
        status=400 if form.errors else 200,
    )


@login_required
def drill_detail(request: HttpRequest, drill_id: int) -> HttpResponse:
    drill = get_object_or_404(access.drills_visible(request.user), pk=drill_id)
    results = drills.drill_results(drill, access.agency_scope(request.user, drill.region_id))
    return render(request, "readiness/drills/detail.html", {"drill": drill, "results": results})
