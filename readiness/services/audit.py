"""One audit entry per exercise / report / corrective-action change (agencies' audit log).

The log's actions are create/update/...; the step (hold, issue, close, ...) goes with the
changes so the log says exactly what happened.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import models

from agencies.models import Agency, AuditEntry
from agencies.services import audit_record
from incidents.services.common import Actor


def audit(
    *,
    actor: Actor,
    step: str,
    instance: models.Model,
    changes: Mapping[str, Any] | None = None,
    agency: Agency | None = None,
) -> None:
    action = (
        AuditEntry.Action.CREATE
        if step in ("create", "draft", "add")
        else AuditEntry.Action.DELETE
        if step == "delete"
        else AuditEntry.Action.UPDATE
    )
    audit_record(
        actor=actor,  # type: ignore[arg-type]
        action=action,
        instance=instance,
        changes={"step": step, **(changes or {})},
        agency=agency,
    )
