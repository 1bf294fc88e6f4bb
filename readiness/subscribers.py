"""How readiness follows the incident lifecycle (wired in asim/wiring.py)."""

from __future__ import annotations

from incidents.models import Incident
from incidents.services.common import Actor
from readiness.services.checklist import incident_checklist_start


def start_checklist_on_declare(*, actor: Actor, incident: Incident, via: str) -> None:
    """The region's adopted checklist (if it has one) is the incident's from the start: its
    checklist.started follows the declaration and its hospitals, in the same transaction."""
    incident_checklist_start(actor=actor, incident=incident, actor_label=via)
