"""Pages for rosters, distribution lists and hospitals.

Views stay thin: reads come from agencies.queries (already scoped to the user), every change
goes through agencies.services, and the rules come from agencies.permissions. Anything the
user may not see is a 404 (so its existence does not leak); something they may see but not
change is a 403.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from agencies import permissions, queries, roster_csv, services
from agencies.forms import (
    MAX_UPLOAD_LABEL,
    CapacityForm,
    ContactPointForm,
    DistributionListForm,
    EdStatusForm,
    MemberForm,
    NewMemberForm,
    RosterImportForm,
    add_service_errors,
)
from agencies.models import (
    Agency,
    AuditEntry,
    Channel,
    ContactPoint,
    Discipline,
    DistributionList,
    EdStatus,
    Hospital,
    Member,
    Region,
    RosterRole,
)

ROSTER_PAGE_SIZE = 50
HISTORY_PAGE_SIZE = 50
RECIPIENTS_PAGE_SIZE = 100
# After this long an ED status or capacity report is shown as stale: boards must not pass
# off an old answer as the current one.
STATUS_STALE_AFTER = timedelta(hours=1)

ROSTER_FILTERS: dict[str, tuple[str, Q]] = {
    "active": ("Active", Q(active=True)),
    "on_call": ("On call", Q(active=True, on_call=True)),
    "failing": ("Failing contacts", Q(contact_points__last_failure_at__isnull=False)),
    "inactive": ("Inactive", Q(active=False)),
    "all": ("All", Q()),
}
# The new-member form's optional first contact points: (form field, channel).
NEW_MEMBER_CONTACTS = (("sms", Channel.SMS), ("email", Channel.EMAIL))
TEMPLATE_CSV_EXAMPLE = [
    "B-1042",
    "Jordan Smith",
    "Sergeant",
    "supervisor;duty_officer",
    "yes",
    "no",
    "+19375550142",
    "",
    "jordan.smith@example.org",
]


# --- helpers ----------------------------------------------------------------------------------


def age_text(at: datetime | None, now: datetime) -> str:
    """How old a report is, as a board shows it: "just now", "12 min ago", "3 h 5 min ago"."""
    if at is None:
        return "never reported"
    seconds = max(0, int((now - at).total_seconds()))
    if seconds < 60:
        return "just now"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min ago"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min ago" if minutes else f"{hours} h ago"
    days = hours // 24
    return f"{days} day{'s' if days != 1 else ''} ago"


def _paginate(request: HttpRequest, items: QuerySet[Any], size: int) -> Page:
    return Paginator(items, size).get_page(request.GET.get("page"))


def _roster_agency(request: HttpRequest, agency_id: int) -> Agency:
    """The agency if the user may read its roster; 404 otherwise."""
    return get_object_or_404(queries.rosters_visible(request.user), pk=agency_id)


def _managed_agency(request: HttpRequest, agency_id: int) -> Agency:
    """The agency if the user manages its roster; 404 if they cannot even read it, else 403."""
    agency = _roster_agency(request, agency_id)
    if not permissions.can_manage_roster(request.user, agency):
        raise PermissionDenied("Only this agency's admins change its roster.")
    return agency


def _member(request: HttpRequest, agency: Agency, member_id: int) -> Member:
    return get_object_or_404(queries.members_visible(request.user), pk=member_id, agency=agency)


def _contact_point(request: HttpRequest, member: Member, point_id: int) -> ContactPoint:
    return get_object_or_404(
        queries.contact_points_manageable(request.user), pk=point_id, member=member
    )


# --- rosters ----------------------------------------------------------------------------------


@login_required
def roster_index(request: HttpRequest) -> HttpResponse:
    """Every roster the user may read, their own agency's first, with member counts."""
    agencies = (
        queries.rosters_visible(request.user)
        .annotate(
            active_count=Count("members", filter=Q(members__active=True), distinct=True),
            on_call_count=Count(
                "members", filter=Q(members__active=True, members__on_call=True), distinct=True
            ),
            failing_count=Count(
                "members__contact_points",
                filter=Q(members__contact_points__last_failure_at__isnull=False),
                distinct=True,
            ),
        )
        .order_by("region__name", "name")
    )
    managed, others = [], []
    for agency in agencies:
        manageable = permissions.can_manage_roster(request.user, agency)
        (managed if manageable else others).append(agency)
    operator = permissions.scope_for(request.user).superuser
    if operator:  # an operator manages everything; one list reads better
        managed, others = [], managed
    return render(
        request,
        "agencies/roster_index.html",
        {
            "managed": managed,
            "others": others,
            "others_read_only": not operator,
            "show_region": len({agency.region_id for agency in managed + others}) > 1,
            "total": len(managed) + len(others),
        },
    )


@login_required
def roster(request: HttpRequest, agency_id: int) -> HttpResponse:
    """One agency's members: search, filter by status, contact points inline, paginated."""
    agency = _roster_agency(request, agency_id)
    members = queries.members_visible(request.user).filter(agency=agency)
    query = request.GET.get("q", "").strip()
    if query:
        members = members.filter(
            Q(full_name__icontains=query)
            | Q(title__icontains=query)
            | Q(external_id__icontains=query)
        )
    status = request.GET.get("status", "active")
    if status not in ROSTER_FILTERS:
        status = "active"
    # Aggregate aliases must not shadow model fields ("active"), hence the prefix.
    counts = members.aggregate(
        **{
            f"n_{key}": Count("id", filter=condition, distinct=True)
            for key, (_label, condition) in ROSTER_FILTERS.items()
        }
    )
    tabs = [(key, label, counts[f"n_{key}"]) for key, (label, _q) in ROSTER_FILTERS.items()]
    shown = (
        members.filter(ROSTER_FILTERS[status][1])
        .distinct()
        .order_by("full_name", "id")
        .prefetch_related("contact_points")
    )
    return render(
        request,
        "agencies/roster.html",
        {
            "agency": agency,
            "can_manage": permissions.can_manage_roster(request.user, agency),
            "page": _paginate(request, shown, ROSTER_PAGE_SIZE),
            "query": query,
            "status": status,
            "status_label": ROSTER_FILTERS[status][0],
            "tabs": tabs,
            "total": counts["n_all"],
        },
    )


@login_required
def member_detail(request: HttpRequest, agency_id: int, member_id: int) -> HttpResponse:
    agency = _roster_agency(request, agency_id)
    member = _member(request, agency, member_id)
    can_manage = permissions.can_manage_roster(request.user, agency)
    history: list[AuditEntry] = []
    if can_manage:
        history = list(
            queries.audit_entries_visible(request.user).filter(
                agency=agency, object_type="member", object_id=str(member.pk)
            )[:10]
        )
    return render(
        request,
        "agencies/member_detail.html",
        {
            "agency": agency,
            "member": member,
            "contact_points": member.contact_points.all(),
            "can_manage": can_manage,
            "history": [_history_row(entry) for entry in history],
        },
    )


@login_required
def member_add(request: HttpRequest, agency_id: int) -> HttpResponse:
    agency = _managed_agency(request, agency_id)
    form = NewMemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            # One transaction: a member whose phone is refused is not left half-created.
            with transaction.atomic():
                member = services.member_add(
                    actor=request.user,
                    agency=agency,
                    full_name=data["full_name"],
                    title=data["title"],
                    external_id=data["external_id"],
                    roles=data["roles"],
                    on_call=data["on_call"],
                )
                for field_name, channel in NEW_MEMBER_CONTACTS:
                    if address := data[field_name].strip():
                        _add_point_or_raise(request, member, channel, address, field_name)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"{member.full_name} was added to the roster.")
            return redirect("agencies:member-detail", agency.pk, member.pk)
    return render(
        request,
        "agencies/member_form.html",
        {"agency": agency, "form": form, "member": None},
        status=400 if form.errors else 200,
    )


def _add_point_or_raise(
    request: HttpRequest, member: Member, channel: str, address: str, field_name: str
) -> None:
    """Add a contact point; its "address" error is re-raised under the form field's name."""
    try:
        services.contact_point_add(
            actor=request.user, member=member, channel=channel, address=address
        )
    except ValidationError as exc:
        messages_ = exc.message_dict.get("address", exc.messages)
        raise ValidationError({field_name: messages_}) from None


@login_required
def member_edit(request: HttpRequest, agency_id: int, member_id: int) -> HttpResponse:
    agency = _managed_agency(request, agency_id)
    member = _member(request, agency, member_id)
    initial = {name: getattr(member, name) for name in MemberForm.base_fields}
    form = MemberForm(request.POST or None, initial=initial, active=member.active)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_update(actor=request.user, member=member, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Saved {form.cleaned_data['full_name']}.")
            return redirect("agencies:member-detail", agency.pk, member.pk)
    return render(
        request,
        "agencies/member_form.html",
        {"agency": agency, "form": form, "member": member},
        status=400 if form.errors else 200,
    )


@login_required
def member_deactivate(request: HttpRequest, agency_id: int, member_id: int) -> HttpResponse:
    """GET asks for confirmation; POST deactivates (history is kept, on-call is cleared)."""
    agency = _managed_agency(request, agency_id)
    member = _member(request, agency, member_id)
    if request.method == "POST":
        services.member_deactivate(actor=request.user, member=member)
        messages.success(
            request, f"{member.full_name} is deactivated and will receive no notifications."
        )
        return redirect("agencies:member-detail", agency.pk, member.pk)
    return render(request, "agencies/member_deactivate.html", {"agency": agency, "member": member})


@login_required
@require_POST
def member_reactivate(request: HttpRequest, agency_id: int, member_id: int) -> HttpResponse:
    agency = _managed_agency(request, agency_id)
    member = _member(request, agency, member_id)
    services.member_update(actor=request.user, member=member, active=True)
    messages.success(request, f"{member.full_name} is active again.")
    return redirect("agencies:member-detail", agency.pk, member.pk)


@login_required
def contact_point_form(
    request: HttpRequest, agency_id: int, member_id: int, point_id: int | None = None
) -> HttpResponse:
    """Add a contact point (no `point_id`) or change one."""
    agency = _managed_agency(request, agency_id)
    member = _member(request, agency, member_id)
    point = _contact_point(request, member, point_id) if point_id else None
    initial = {name: getattr(point, name) for name in ContactPointForm.base_fields} if point else {}
    form = ContactPointForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if point is None:
                point = services.contact_point_add(
                    actor=request.user, member=member, **form.cleaned_data
                )
            else:
                point = services.contact_point_update(
                    actor=request.user, point=point, **form.cleaned_data
                )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Saved {point.get_channel_display()} {point.address}.")
            return redirect("agencies:member-detail", agency.pk, member.pk)
    return render(
        request,
        "agencies/contact_point_form.html",
        {"agency": agency, "member": member, "point": point, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def contact_point_remove(
    request: HttpRequest, agency_id: int, member_id: int, point_id: int
) -> HttpResponse:
    agency = _managed_agency(request, agency_id)
    member = _member(request, agency, member_id)
    point = _contact_point(request, member, point_id)
    if request.method == "POST":
        label = f"{point.get_channel_display()} {point.address}"
        services.contact_point_remove(actor=request.user, point=point)
        messages.success(request, f"Removed {label} from {member.full_name}.")
        return redirect("agencies:member-detail", agency.pk, member.pk)
    return render(
        request,
        "agencies/contact_point_remove.html",
        {"agency": agency, "member": member, "point": point},
    )


@login_required
def roster_export(request: HttpRequest, agency_id: int) -> HttpResponse:
    """The whole roster (inactive members too) as CSV in the import format."""
    agency = _roster_agency(request, agency_id)
    members = (
        queries.members_visible(request.user)
        .filter(agency=agency)
        .order_by("full_name", "id")
        .prefetch_related("contact_points")
    )
    response = HttpResponse(roster_csv.export(members), content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    filename = f"roster-{agency.short_code or agency.pk}-{stamp}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def roster_template(request: HttpRequest) -> HttpResponse:
    """An import template: the header and one example row."""
    text = ",".join(roster_csv.COLUMNS) + "\r\n" + ",".join(TEMPLATE_CSV_EXAMPLE) + "\r\n"
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="roster-template.csv"'
    return response


@login_required
def roster_import(request: HttpRequest, agency_id: int) -> HttpResponse:
    """Upload a roster CSV: all rows are imported, or none and every bad row is listed."""
    agency = _managed_agency(request, agency_id)
    form = RosterImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        report = services.roster_import(
            actor=request.user, agency=agency, text=form.cleaned_data["file"]
        )
    failed = bool(form.errors) or (report is not None and not report.ok)
    return render(
        request,
        "agencies/roster_import.html",
        {
            "agency": agency,
            "form": form,
            "report": report,
            "columns": roster_csv.COLUMNS,
            "max_upload": MAX_UPLOAD_LABEL,
            "max_rows": roster_csv.MAX_ROWS,
        },
        status=400 if failed else 200,
    )


OBJECT_LABELS = {
    "member": "member",
    "contactpoint": "contact point",
    "agency": "roster",
    "hospital": "hospital status",
    "distributionlist": "distribution list",
}


@dataclass
class HistoryRow:
    entry: AuditEntry
    what: str
    changes: list[tuple[str, str, str | None]] = field(default_factory=list)  # name, old, new


VALUE_LABELS = {
    "roles": dict(RosterRole.choices),
    "disciplines": dict(Discipline.choices),
    "channel": dict(Channel.choices),
    "ed_status": dict(EdStatus.choices),
}


def _show(value: Any, labels: dict[str, str] | None = None) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    labels = labels or {}
    if isinstance(value, list):
        return ", ".join(str(labels.get(v, v)) for v in value) or "—"
    return str(labels.get(value, value))


def _history_row(entry: AuditEntry) -> HistoryRow:
    """An audit entry ready to print: an update shows old → new; a creation its values; a
    deletion what was removed; an import its counts."""
    changes: list[tuple[str, str, str | None]] = []
    for name, value in sorted(entry.changes.items()):
        label, labels = name.replace("_", " "), VALUE_LABELS.get(name)
        if not (isinstance(value, list) and len(value) == 2):
            changes.append((label, _show(value, labels), None))
            continue
        old, new = value
        if entry.action == AuditEntry.Action.CREATE:
            if new not in (None, "", []):
                changes.append((label, _show(new, labels), None))
        elif entry.action == AuditEntry.Action.DELETE:
            changes.append((label, _show(old, labels), None))
        else:
            changes.append((label, _show(old, labels), _show(new, labels)))
    what = OBJECT_LABELS.get(entry.object_type, entry.object_type)
    return HistoryRow(entry=entry, what=what, changes=changes)


@login_required
def roster_history(request: HttpRequest, agency_id: int) -> HttpResponse:
    """The agency's change record (who, when, what), for its admins."""
    agency = _managed_agency(request, agency_id)
    entries = queries.audit_entries_visible(request.user).filter(agency=agency)
    page = _paginate(request, entries, HISTORY_PAGE_SIZE)
    return render(
        request,
        "agencies/roster_history.html",
        {"agency": agency, "page": page, "rows": [_history_row(e) for e in page.object_list]},
    )


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
    recipients = (
        queries.distribution_list_members(dlist)
        .select_related("agency")
        .prefetch_related("contact_points")
        .order_by("agency__name", "full_name", "id")
    )
    unreachable = recipients.filter(contact_points__isnull=True).count()
    page = _paginate(request, recipients, RECIPIENTS_PAGE_SIZE)
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
            "picked_members": dlist.members.select_related("agency").order_by("full_name"),
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
