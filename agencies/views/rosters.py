"""Roster pages: members, contact points, CSV import/export, change history."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from agencies import permissions, queries, roster_csv, services
from agencies.forms import (
    MAX_UPLOAD_LABEL,
    ContactPointForm,
    MemberForm,
    NewMemberForm,
    RosterImportForm,
    add_service_errors,
)
from agencies.models import (
    AuditEntry,
    Channel,
    Discipline,
    EdStatus,
    Member,
    RosterRole,
)
from agencies.views.common import (
    contact_point_or_404,
    managed_agency,
    member_or_404,
    paginate,
    roster_agency,
)

ROSTER_PAGE_SIZE = 50
HISTORY_PAGE_SIZE = 50

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
    agency = roster_agency(request, agency_id)
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
            "page": paginate(request, shown, ROSTER_PAGE_SIZE),
            "query": query,
            "status": status,
            "status_label": ROSTER_FILTERS[status][0],
            "tabs": tabs,
            "total": counts["n_all"],
        },
    )


@login_required
def member_detail(request: HttpRequest, agency_id: int, member_id: int) -> HttpResponse:
    agency = roster_agency(request, agency_id)
    member = member_or_404(request, agency, member_id)
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
    agency = managed_agency(request, agency_id)
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
    agency = managed_agency(request, agency_id)
    member = member_or_404(request, agency, member_id)
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
    agency = managed_agency(request, agency_id)
    member = member_or_404(request, agency, member_id)
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
    agency = managed_agency(request, agency_id)
    member = member_or_404(request, agency, member_id)
    services.member_update(actor=request.user, member=member, active=True)
    messages.success(request, f"{member.full_name} is active again.")
    return redirect("agencies:member-detail", agency.pk, member.pk)


@login_required
def contact_point_form(
    request: HttpRequest, agency_id: int, member_id: int, point_id: int | None = None
) -> HttpResponse:
    """Add a contact point (no `point_id`) or change one."""
    agency = managed_agency(request, agency_id)
    member = member_or_404(request, agency, member_id)
    point = contact_point_or_404(request, member, point_id) if point_id else None
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
    agency = managed_agency(request, agency_id)
    member = member_or_404(request, agency, member_id)
    point = contact_point_or_404(request, member, point_id)
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
    agency = roster_agency(request, agency_id)
    members = (
        queries.members_visible(request.user)
        .filter(agency=agency)
        .order_by("full_name", "id")
        .prefetch_related("contact_points")
    )
    response = HttpResponse(roster_csv.export(members), content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    # The short code is typed text: a quote or a line break must not reach the header.
    filename = f"roster-{slugify(agency.short_code) or agency.pk}-{stamp}.csv"
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
    agency = managed_agency(request, agency_id)
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
    agency = managed_agency(request, agency_id)
    entries = queries.audit_entries_visible(request.user).filter(agency=agency)
    page = paginate(request, entries, HISTORY_PAGE_SIZE)
    return render(
        request,
        "agencies/roster_history.html",
        {"agency": agency, "page": page, "rows": [_history_row(e) for e in page.object_list]},
    )
