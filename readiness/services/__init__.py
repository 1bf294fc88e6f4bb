"""Every change to checklist versions, incidents' checklists and ICS roles goes through here.

The same contract as incidents.services: keyword-only arguments, one transaction, a
ValidationError that says what is wrong, and an IncidentEvent for every change to an incident.
"""

from __future__ import annotations

from readiness.services.checklist import (
    checklist_adopt,
    checklist_draft_create,
    checklist_draft_discard,
    checklist_draft_update,
    checklist_import,
    checklist_item_check,
    checklist_item_uncheck,
    incident_checklist_start,
)
from readiness.services.roles import role_assign, role_relieve

__all__ = [
    "checklist_adopt",
    "checklist_draft_create",
    "checklist_draft_discard",
    "checklist_draft_update",
    "checklist_import",
    "checklist_item_check",
    "checklist_item_uncheck",
    "incident_checklist_start",
    "role_assign",
    "role_relieve",
]
