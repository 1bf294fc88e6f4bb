"""Distribution list pages."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from agencies import permissions, queries, services
from agencies.forms import (
    DistributionListForm,
    add_service_errors,
)
from agencies.models import (
    Channel,
    Discipline,
    DistributionList,
    Member,
    Region,
)
from agencies.views.common import (
    paginate,
)

RECIPIENTS_PAGE_SIZE = 100


# --- distribution lists -----------------------------------------------------------------------


def _keeper_regions(request: HttpRequest) -> list[Region]:
    return [
        region
        for region in queries.regions_visible(request.user)
        if permissions.can_keep_lists(request.user, region.id)
    ]


def _made_of(dlist: DistributionList) -> str:
    """ "3 people · 1 agency · Officials": what a list is built from, in one line."""
    parts = []
    if dlist.picked:
        parts.append(f"{dlist.picked} {'person' if dlist.picked == 1 else 'people'}")
    agencies = len(dlist.agencies.all())  # prefetched
    if agencies:
        parts.append(f"{agencies} agenc{'y' if agencies == 1 else 'ies'}")
    parts.extend(_discipline_labels(dlist.disciplines))
    return " · ".join(parts) or "nothing yet"


@login_required
def list_index(request: HttpRequest) -> HttpResponse:
    lists = (
        queries.distribution_lists_visible(request.user)
        .prefetch_related("agencies")
        .annotate(picked=Count("members", distinct=True))
        .order_by("region__name", "name")
    )
    rows = [
        {
            "list": dlist,
            "made_of": _made_of(dlist),
            "recipients": queries.distribution_list_members(dlist).count(),
            "can_keep": permissions.can_keep_lists(request.user, dlist.region_id),
        }
        for dlist in lists
    ]
    keeper_regions = _keeper_regions(request)
    return render(
        request,
        "agencies/list_index.html",
        {
            "rows": rows,
            "keeper_regions": keeper_regions,
            "show_region": len({row["list"].region_id for row in rows}) > 1,
        },
    )


@login_required
def list_detail(request: HttpRequest, list_id: int) -> HttpResponse:
    dlist = get_object_or_404(queries.distribution_lists_visible(request.user), pk=list_id)
    everyone = queries.distribution_list_members(dlist)
    recipients = (
        queries.distribution_list_people_visible(request.user, dlist, everyone)
        .select_related("agency")
        .prefetch_related("contact_points")
        .order_by("agency__name", "full_name", "id")
    )
    unreachable = everyone.filter(contact_points__isnull=True).count()
    reached = everyone.count()
    page = paginate(request, recipients, RECIPIENTS_PAGE_SIZE)
    channel_labels = dict(Channel.choices)
    people = [
        {
            "member": member,
            "channels": [
                channel_labels[c]
                for c in Channel.values
                if any(p.channel == c for p in member.contact_points.all())
            ],
            "failing": any(p.failing for p in member.contact_points.all()),
        }
        for member in page.object_list
    ]
    return render(
        request,
        "agencies/list_detail.html",
        {
            "dlist": dlist,
            "page": page,
            "people": people,
            "unreachable": unreachable,
            "reached": reached,
            "hidden": reached - page.paginator.count,
            "picked_members": queries.distribution_list_people_visible(
                request.user, dlist, dlist.members.select_related("agency").order_by("full_name")
            ),
            "picked_agencies": dlist.agencies.order_by("name"),
            "discipline_labels": _discipline_labels(dlist.disciplines),
            "can_keep": permissions.can_keep_lists(request.user, dlist.region_id),
        },
    )


def _discipline_labels(values: list[str]) -> list[str]:
    labels = dict(Discipline.choices)
    return [labels.get(value, value) for value in values]


def _member_groups(form: DistributionListForm) -> list[tuple[str, list[tuple[Member, bool]]]]:
    """The people picker, grouped by agency, with what is ticked (bound data or initial)."""
    ticked = {str(value) for value in (form["members"].value() or [])}
    groups: dict[str, list[tuple[Member, bool]]] = {}
    for member in form.fields["members"].queryset:
        groups.setdefault(member.agency.name, []).append((member, str(member.pk) in ticked))
    return list(groups.items())


@login_required
def list_form(request: HttpRequest, list_id: int | None = None) -> HttpResponse:
    """Create (no `list_id`; region from ?region=) or edit a distribution list."""
    dlist: DistributionList | None = None
    if list_id is not None:
        dlist = get_object_or_404(queries.distribution_lists_visible(request.user), pk=list_id)
        if not permissions.can_keep_lists(request.user, dlist.region_id):
            raise PermissionDenied("Only the region's emergency managers keep its lists.")
        region = dlist.region
    else:
        keeper_regions = _keeper_regions(request)
        if not keeper_regions:
            raise PermissionDenied("Only emergency managers create distribution lists.")
        wanted = request.GET.get("region")
        if wanted is None and len(keeper_regions) > 1:
            return render(request, "agencies/list_region_pick.html", {"regions": keeper_regions})
        matches = [r for r in keeper_regions if wanted is None or str(r.id) == wanted]
        if not matches:
            raise Http404("No such region among those whose lists you keep.")
        region = matches[0]

    agencies = queries.agencies_visible(request.user).filter(region=region, active=True)
    still_on_list = Q(pk__in=dlist.members.values("pk")) if dlist else Q(pk__in=[])
    members = (
        queries.members_visible(request.user)
        .filter(agency__region=region, agency__active=True)
        .filter(Q(active=True) | still_on_list)
        .order_by("agency__name", "full_name", "id")
    )
    initial = {}
    if dlist is not None:
        initial = {
            "name": dlist.name,
            "description": dlist.description,
            "disciplines": dlist.disciplines,
            "agencies": list(dlist.agencies.values_list("pk", flat=True)),
            "members": list(dlist.members.values_list("pk", flat=True)),
        }
    form = DistributionListForm(
        request.POST or None, initial=initial, agencies=agencies, members=members
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = services.distribution_list_save(
                actor=request.user,
                dlist=dlist,
                region_id=region.id,
                name=data["name"],
                description=data["description"],
                members=data["members"],
                agencies=data["agencies"],
                disciplines=data["disciplines"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Saved the list {saved.name}.")
            return redirect("agencies:list-detail", saved.pk)
    action = (
        reverse("agencies:list-edit", args=[dlist.pk])
        if dlist
        else f"{reverse('agencies:list-create')}?region={region.pk}"
    )
    return render(
        request,
        "agencies/list_form.html",
        {
            "dlist": dlist,
            "region": region,
            "form": form,
            "action": action,
            "member_groups": _member_groups(form),
        },
        status=400 if form.errors else 200,
    )


@login_required
def list_delete(request: HttpRequest, list_id: int) -> HttpResponse:
    dlist = get_object_or_404(queries.distribution_lists_visible(request.user), pk=list_id)
    if not permissions.can_keep_lists(request.user, dlist.region_id):
        raise PermissionDenied("Only the region's emergency managers keep its lists.")
    if request.method == "POST":
        name = dlist.name
        services.distribution_list_delete(actor=request.user, dlist=dlist)
        messages.success(request, f"Deleted the list {name}.")
        return redirect("agencies:list-index")
    return render(request, "agencies/list_delete.html", {"dlist": dlist})
