"""Tasks are queued by name: the names are the registered tasks', and nothing imports tasks.py."""

from __future__ import annotations

import ast
from pathlib import Path

from django.conf import settings

from notifications import queue

ROOT = Path(__file__).resolve().parents[2]
NAMES = [queue.SEND_NOTIFICATION, queue.SEND_DELIVERIES, queue.PUSH_PROGRESS]
BEAT = [queue.SWEEP, queue.ESCALATE]


def test_every_queued_name_is_a_registered_task_of_the_same_name():
    for name in NAMES + BEAT:
        assert queue.registered_task(name).name == name


def test_the_beat_schedule_runs_the_sweeper_and_escalation_by_name():
    assert set(BEAT) <= {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_no_module_of_the_project_imports_the_tasks():
    importers = [
        str(path.relative_to(ROOT))
        for app in ("agencies", "incidents", "notifications", "asim")
        for path in (ROOT / app).rglob("*.py")
        if "notifications.tasks" in imported_modules(path)
    ]
    assert importers == []
