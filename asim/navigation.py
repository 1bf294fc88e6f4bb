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
    description: str
    staff_only: bool = False


@dataclass(frozen=True)
class NavLink:
    label: str
    url: str
    description: str


NAV_ITEMS = [
    # The live boards (boards/views.py), each for the roles whose work it is.
    NavItem(
        "Dispatch",
        "boards:dispatch",
        frozenset({Role.DISPATCHER, Role.RESPONDER}),
        "Active incidents of the region; declare an MCI and follow its hospitals live.",
    ),
    NavItem(
        "ER board",
        "boards:er",
        frozenset({Role.HOSPITAL}),
        "Your emergency room's wall screen: new-MCI alerts, capacity, inbound patients.",
    ),
    NavItem(
        "EMS",
        "boards:ems",
        frozenset({Role.EMS}),
        "Register and triage patients, pick destinations, transport.",
    ),
    NavItem(
        "EM",
        "boards:em",
        frozenset({Role.EMERGENCY_MANAGER}),
        "Region overview; send updates to officials and watch them go out.",
    ),
    NavItem(
        "Summaries",
        "boards:officials",
        frozenset({Role.OFFICIAL}),
        "Incident summaries, counts and updates from emergency management.",
    ),
    NavItem(
        "Rosters",
        "agencies:roster-index",
        frozenset({Role.AGENCY_ADMIN, Role.DISPATCHER, Role.EMERGENCY_MANAGER}),
        "People, duties and contact points of the agencies you work with.",
    ),
    NavItem(
        "Distribution lists",
        "agencies:list-index",
        frozenset({Role.AGENCY_ADMIN, Role.DISPATCHER, Role.EMERGENCY_MANAGER}),
        "Named audiences for alerts and updates, and who they reach.",
    ),
    NavItem(
        "Exercises",
        "exercises:index",
        frozenset({Role.EMERGENCY_MANAGER}),
        "The exercise schedule, ratings, after-action reports and improvement plans.",
    ),
    NavItem(
        "Corrective actions",
        "exercises:actions",
        frozenset({Role.AGENCY_ADMIN}),
        "Your agency's corrective actions from after-action reports, overdue ones first.",
    ),
    NavItem(
        "Drills",
        "drills:index",
        frozenset({Role.EMERGENCY_MANAGER, Role.AGENCY_ADMIN}),
        "Communications drills: reach and time to acknowledge per agency, stale contact points.",
    ),
    NavItem(
        "Hospitals",
        "agencies:hospital-index",
        frozenset(),
        "ED status, trauma capability and reported capacity, with their age.",
    ),
    NavItem(
        "Plan",
        "plan:index",
        frozenset({Role.EMERGENCY_MANAGER, Role.OFFICIAL, Role.AGENCY_ADMIN}),
        "The regional plan, its documents and review dates, and which agencies are on it.",
    ),
    NavItem(
        "Training",
        "readiness:training",
        frozenset({Role.EMERGENCY_MANAGER, Role.OFFICIAL, Role.AGENCY_ADMIN}),
        "Courses, sessions, coverage of required training and refreshers due.",
    ),
    NavItem(
        "My training",
        "readiness:my-training",
        frozenset(),
        "The courses you have completed and when each needs a refresher.",
    ),
    NavItem(
        "Governance",
        "governance:index",
        frozenset({Role.EMERGENCY_MANAGER, Role.OFFICIAL}),
        "Committee meetings, plan adoption, funding lines and mutual-aid agreements.",
    ),
    NavItem("API", "api-docs", frozenset(), "The REST API for CAD and other integrations."),
    NavItem("Admin", "admin:index", frozenset(), "Platform administration.", staff_only=True),
]


def items_for(scope: Scope, *, is_staff: bool) -> list[NavLink]:
    """The links the user should see; pages not built yet are left out."""
    items = []
    for item in NAV_ITEMS:
        if item.staff_only and not is_staff:
            continue
        if item.roles and not scope.superuser and not (item.roles & scope.roles):
            continue
        try:
            items.append(NavLink(item.label, reverse(item.url_name), item.description))
        except NoReverseMatch:
            continue
    return items
