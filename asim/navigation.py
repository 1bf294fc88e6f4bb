"""The navigation bar: which pages each role finds (a page's own view still checks access)."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from agencies.models import Role
from agencies.permissions import Scope


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: frozenset[str]  # empty: everyone signed in
    staff_only: bool = False


NAV_ITEMS = [
    NavItem(
        "Rosters",
        "agencies:roster-index",
        frozenset({Role.AGENCY_ADMIN, Role.DISPATCHER, Role.EMERGENCY_MANAGER}),
    ),
    NavItem(
        "Distribution lists",
        "agencies:list-index",
        frozenset({Role.AGENCY_ADMIN, Role.DISPATCHER, Role.EMERGENCY_MANAGER}),
    ),
    NavItem("Hospitals", "agencies:hospital-index", frozenset()),
    NavItem("API", "api-docs", frozenset()),
    NavItem("Admin", "admin:index", frozenset(), staff_only=True),
]


def items_for(scope: Scope, *, is_staff: bool) -> list[tuple[str, str]]:
    """(label, url) pairs the user should see; pages not built yet are left out."""
    items = []
    for item in NAV_ITEMS:
        if item.staff_only and not is_staff:
            continue
        if item.roles and not scope.superuser and not (item.roles & scope.roles):
            continue
        try:
            items.append((item.label, reverse(item.url_name)))
        except NoReverseMatch:
            continue
    return items
