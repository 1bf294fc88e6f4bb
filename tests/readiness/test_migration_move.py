"""The checklist models moved from incidents to readiness without losing a row: the same
tables and ids, and their content types (so permissions and admin log entries) follow them.

Each test migrates the test database back to before the move and forward again, on
PostgreSQL like production; it leaves the database at the latest migrations.
"""

from __future__ import annotations

from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from agencies.demo import COUNTY_CODE
from agencies.models import Region
from readiness import services as readiness_services
from readiness.models import (
    ChecklistItem,
    ChecklistPhase,
    ChecklistTemplate,
    IncidentChecklist,
    IncidentChecklistItem,
    RoleAssignment,
)
from tests.incidents.conftest import declare

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="migrates PostgreSQL"),
]

BEFORE_MOVE = [("incidents", "0004_ringdown_and_population"), ("readiness", None)]
MOVED = (
    ChecklistTemplate,
    ChecklistPhase,
    ChecklistItem,
    IncidentChecklist,
    IncidentChecklistItem,
    RoleAssignment,
)
TABLES = [model._meta.db_table for model in MOVED]


def migrate(targets: list[tuple[str, str | None]] | None = None) -> Any:
    """Migrate to `targets` (None: the latest) and return the apps of that state."""
    executor = MigrationExecutor(connection)
    targets = targets or executor.loader.graph.leaf_nodes()
    state = executor.migrate(targets)
    ContentType.objects.clear_cache()
    return state.apps


@pytest.fixture
def back_to_latest() -> Iterator[None]:
    yield
    migrate()


def rows() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the moved tables, read with SQL (whatever the models say)."""
    found = {}
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"SELECT * FROM {table} ORDER BY id")
            found[table] = cursor.fetchall()
    return found


def content_types() -> dict[str, tuple[int, str]]:
    return {
        ct.model: (ct.pk, ct.app_label)
        for ct in ContentType.objects.filter(model__in=[m._meta.model_name for m in MOVED])
    }


def test_rows_written_before_the_move_are_read_through_readiness(world, back_to_latest):
    old = migrate(BEFORE_MOVE)
    content_type = old.get_model("contenttypes", "ContentType")
    moved_types = content_type.objects.filter(model__in=[m._meta.model_name for m in MOVED])
    assert {ct.app_label for ct in moved_types} == {"incidents"}
    before_types = {ct.model: ct.pk for ct in moved_types}
    now = timezone.now()
    region = old.get_model("agencies", "Region").objects.get(pk=world.region_a.pk)
    template = old.get_model("incidents", "ChecklistTemplate").objects.create(
        region=region,
        version=1,
        name="Plan",
        status="adopted",
        created_at=now,
        updated_at=now,
        adopted_at=now,
    )
    phase = old.get_model("incidents", "ChecklistPhase").objects.create(
        template=template, position=1, title="Contact"
    )
    item = old.get_model("incidents", "ChecklistItem").objects.create(
        phase=phase, position=1, text="Declare the MCI", disciplines=["dispatch"]
    )
    incident = old.get_model("incidents", "Incident").objects.create(
        region=region, number="2026-0001", year=2026, sequence=1, title="Drill", declared_at=now
    )
    checklist = old.get_model("incidents", "IncidentChecklist").objects.create(
        incident=incident, template=template, started_at=now
    )
    entry = old.get_model("incidents", "IncidentChecklistItem").objects.create(
        checklist=checklist,
        source=item,
        phase_position=1,
        phase_title="Contact",
        position=1,
        text=item.text,
        disciplines=["dispatch"],
        done=True,
        checked_at=now,
        checked_by_label="Dispatcher",
    )
    role = old.get_model("incidents", "RoleAssignment").objects.create(
        incident=incident, role="pio", name="Pat", agency_name="County", assigned_at=now
    )
    written = rows()

    migrate()

    assert rows() == written
    assert ChecklistTemplate.objects.get(pk=template.pk).region == world.region_a
    assert ChecklistPhase.objects.get(pk=phase.pk).template_id == template.pk
    assert ChecklistItem.objects.get(pk=item.pk).phase_id == phase.pk
    moved = IncidentChecklist.objects.get(pk=checklist.pk)
    assert moved.incident.checklist == moved and moved.template_id == template.pk
    checked = IncidentChecklistItem.objects.get(pk=entry.pk)
    assert checked.done and checked.source_id == item.pk and checked.checklist_id == checklist.pk
    assert RoleAssignment.objects.get(pk=role.pk).incident.role_assignments.get().name == "Pat"
    assert content_types() == {model: (pk, "readiness") for model, pk in before_types.items()}
    for model in MOVED:
        assert ContentType.objects.get_for_model(model).pk == before_types[model._meta.model_name]
    permission = Permission.objects.get(codename="change_checklisttemplate")
    assert permission.content_type.app_label == "readiness"

    migrate(BEFORE_MOVE)
    assert rows() == written
    assert {app for _, app in content_types().values()} == {"incidents"}
    migrate()
    assert rows() == written
    assert content_types() == {model: (pk, "readiness") for model, pk in before_types.items()}


def test_a_seeded_demo_and_a_played_incident_survive_the_move_back_and_forth(back_to_latest):
    call_command("seed_demo", stdout=StringIO())
    region = Region.objects.get(code=COUNTY_CODE)
    boss = get_user_model().objects.create_superuser("boss", "boss@example.org", "pw")
    incident = declare(region, boss)
    first = incident.checklist.items.order_by("phase_position", "position").first()
    readiness_services.checklist_item_check(actor=boss, item=first)
    readiness_services.role_assign(
        actor=boss, incident=incident, role="pio", name="Pat Lee", agency_name="County"
    )
    played = rows()
    types = content_types()
    assert all(played.values()), "every moved table has rows"
    assert {app for _, app in types.values()} == {"readiness"}

    migrate(BEFORE_MOVE)
    assert rows() == played
    migrate()

    assert rows() == played
    assert content_types() == types
    assert IncidentChecklistItem.objects.get(pk=first.pk).done
    assert [r.name for r in incident.role_assignments.all()] == ["Pat Lee"]
    assert incident.checklist.template.region == region
