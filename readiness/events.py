"""The timeline event kinds of the checklist and ICS roles: their payloads and audience.

`register_kinds()` (readiness/apps.py, at ready time) adds them to the incident timeline
through incidents.events.register_kind; the kind strings are stored on IncidentEvent rows and
never change.
"""

from __future__ import annotations

from typing import TypedDict

from incidents import events

CHECKLIST_STARTED = "checklist.started"
CHECKLIST_CHECKED = "checklist.checked"
CHECKLIST_UNCHECKED = "checklist.unchecked"
ROLE_ASSIGNED = "role.assigned"
ROLE_RELIEVED = "role.relieved"


class ChecklistStarted(TypedDict):
    checklist_id: int
    template_id: int
    template: str
    version: int
    phases: int
    items: int


class ChecklistItemChanged(TypedDict):
    """checklist.checked / checklist.unchecked; the counts are after the change, so a board
    updates its progress bars from the event alone."""

    item_id: int
    text: str
    phase: str
    phase_position: int
    disciplines: list[str]
    owner_role: str
    done: bool
    phase_done: int
    phase_total: int
    total_done: int
    total: int


class RoleAssigned(TypedDict):
    assignment_id: int
    role: str
    role_label: str
    name: str
    agency: str
    member_id: int | None
    note: str
    replaces_id: int | None


class RoleRelieved(TypedDict):
    assignment_id: int
    role: str
    role_label: str
    name: str
    agency: str
    reason: str


def register_kinds() -> None:
    """The shared checklist and who holds which ICS role (the hospital liaison, say): everyone
    working the incident sees them; officials the summaries."""
    for kind, payload in (
        (CHECKLIST_STARTED, ChecklistStarted),
        (CHECKLIST_CHECKED, ChecklistItemChanged),
        (CHECKLIST_UNCHECKED, ChecklistItemChanged),
        (ROLE_ASSIGNED, RoleAssigned),
        (ROLE_RELIEVED, RoleRelieved),
    ):
        events.register_kind(kind, payload=payload, audience=events.OPERATIONAL)
