"""Checklist fixtures: region A's adopted plan, an incident that started with it, a clock."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from incidents.models import Incident
from readiness import services as readiness_services
from readiness.models import ChecklistTemplate, IncidentChecklistItem
from tests.conftest import World
from tests.incidents.conftest import declare
from tests.readiness.training_fixtures import trained  # noqa: F401  (training fixture)

PLAN: dict[str, Any] = {
    "format": "asim.checklist/1",
    "name": "Region A hostile event plan",
    "description": "Short plan for tests.",
    "phases": [
        {
            "title": "First units",
            "items": [
                {"text": "Contact team forms", "disciplines": ["law"], "owner_role": "law_command"},
                {
                    "text": "Fire and EMS stage",
                    "disciplines": ["fire_ems"],
                    "owner_role": "staging",
                },
                {"text": "Declare the MCI", "disciplines": ["dispatch"]},
            ],
        },
        {
            "title": "Hospitals and command",
            "items": [
                {"text": "Activate the surge plan", "disciplines": ["hospital"]},
                {
                    "text": "Command post set up",
                    "disciplines": ["multi"],
                    "owner_role": "unified_command",
                },
            ],
        },
    ],
}


def adopt(region: Any, document: dict[str, Any] | None = None) -> ChecklistTemplate:
    draft = readiness_services.checklist_import(
        actor=None, region=region, document=document or PLAN
    )
    return readiness_services.checklist_adopt(actor=None, template=draft)


def item(incident: Incident, text: str) -> IncidentChecklistItem:
    return IncidentChecklistItem.objects.get(checklist__incident=incident, text=text)


@pytest.fixture
def plan(world: World) -> ChecklistTemplate:
    """Region A's adopted checklist, version 1."""
    return adopt(world.region_a)


@pytest.fixture
def incident(world: World, dispatcher_a: Any, plan: ChecklistTemplate) -> Incident:
    """An active MCI in region A, declared after the plan was adopted, with A1 on it."""
    world.region_a.hospitals_to_notify = 1
    world.region_a.save()
    return declare(world.region_a, dispatcher_a)


class Clock:
    """A settable timezone.now(): scripted incidents get known times."""

    def __init__(self, start: datetime) -> None:
        self.start = start
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def at(self, minutes: int = 0, seconds: int = 0) -> datetime:
        """Move to start + minutes:seconds (and return that time)."""
        self.now = self.start + timedelta(minutes=minutes, seconds=seconds)
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock(datetime(2026, 3, 14, 14, 0, 0, tzinfo=ZoneInfo("America/New_York")))
    monkeypatch.setattr("django.utils.timezone.now", clock)
    return clock
