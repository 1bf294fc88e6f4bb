"""Every recorded API operation keeps its URL, method and OpenAPI operationId.

CAD integrations generate their clients from the schema, so an operation may be added but
never renamed or dropped. operation_ids.json maps "METHOD /path" to the operationId the
schema gave it; regenerate it only for a deliberate, announced API change.
"""

from __future__ import annotations

import json
from pathlib import Path

from drf_spectacular.generators import SchemaGenerator

RECORDED = Path(__file__).with_name("operation_ids.json")
METHODS = ("get", "put", "post", "patch", "delete")


def _current_operation_ids() -> dict[str, str]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {
        f"{method.upper()} {path}": operation["operationId"]
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if method in METHODS
    }


def test_every_recorded_operation_keeps_its_path_method_and_operation_id() -> None:
    recorded: dict[str, str] = json.loads(RECORDED.read_text())
    current = _current_operation_ids()
    missing = sorted(set(recorded) - set(current))
    assert not missing, f"operations gone from the schema: {missing}"
    renamed = {
        key: (recorded[key], current[key]) for key in recorded if current[key] != recorded[key]
    }
    assert not renamed, f"operationIds changed (recorded, now): {renamed}"


def test_operation_ids_are_unique() -> None:
    ids = list(_current_operation_ids().values())
    assert len(ids) == len(set(ids))
