"""Helpers shared by the agencies pages: lookups that 404 outside the user's scope."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from agencies import permissions, queries
from agencies.models import (
    Agency,
    ContactPoint,
    Member,
)

# After this long an ED status or capacity report is shown as stale: boards must not pass
# off an old answer as the current one.
STATUS_STALE_AFTER = timedelta(hours=1)


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


def paginate(request: HttpRequest, items: QuerySet[Any], size: int) -> Page:
    return Paginator(items, size).get_page(request.GET.get("page"))


def roster_agency(request: HttpRequest, agency_id: int) -> Agency:
    """The agency if the user may read its roster; 404 otherwise."""
    return get_object_or_404(queries.rosters_visible(request.user), pk=agency_id)


def managed_agency(request: HttpRequest, agency_id: int) -> Agency:
    """The agency if the user manages its roster; 404 if they cannot even read it, else 403."""
    agency = roster_agency(request, agency_id)
    if not permissions.can_manage_roster(request.user, agency):
        raise PermissionDenied("Only this agency's admins change its roster.")
    return agency


def member_or_404(request: HttpRequest, agency: Agency, member_id: int) -> Member:
    return get_object_or_404(queries.members_visible(request.user), pk=member_id, agency=agency)


def contact_point_or_404(request: HttpRequest, member: Member, point_id: int) -> ContactPoint:
    return get_object_or_404(
        queries.contact_points_manageable(request.user), pk=point_id, member=member
    )
