"""A checklist version as a JSON document: the export format, and its validation on import.

The document (format "asim.checklist/1"):

    {
      "format": "asim.checklist/1",
      "name": "Active shooter / hostile event",
      "description": "…",
      "phases": [
        {"title": "First arriving units and contact team",
         "items": [{"text": "…", "disciplines": ["law"], "owner_role": "law_command"}]}
      ]
    }

On export it also carries "region", "version", "status" and "adopted_at", for the reader;
on import those are ignored (an import always becomes a new draft of the importing region),
as are "id" and "position" keys (order is the order of the lists). Any other unknown key is
refused, so a typo ("discipline") is reported instead of silently dropped.

`parse_content(data)` returns a TemplateContent or raises ValidationError with one message per
path ("phases[2].items[0].disciplines": ["Unknown discipline 'police'. Use: law, …"]); the
same shape edits a draft through the API.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError

from readiness.models import ChecklistDiscipline, ChecklistTemplate, IcsRole

FORMAT = "asim.checklist/1"
MAX_PHASES = 30
MAX_ITEMS_PER_PHASE = 60
MAX_NAME = 160
MAX_TITLE = 160
MAX_TEXT = 300
MAX_DESCRIPTION = 2000
INFORMATIONAL_KEYS = frozenset({"format", "region", "version", "status", "adopted_at", "id"})
DOCUMENT_KEYS = frozenset({"name", "description", "phases"}) | INFORMATIONAL_KEYS
PHASE_KEYS = frozenset({"title", "items", "id", "position", "done", "total"})
ITEM_KEYS = frozenset({"text", "disciplines", "owner_role", "id", "position"})


@dataclass(frozen=True)
class ItemContent:
    text: str
    disciplines: tuple[str, ...]
    owner_role: str = ""


@dataclass(frozen=True)
class PhaseContent:
    title: str
    items: tuple[ItemContent, ...]


@dataclass(frozen=True)
class TemplateContent:
    """A checklist's content, validated. `name`/`description` are None when not given."""

    name: str | None
    description: str | None
    phases: tuple[PhaseContent, ...] | None


class _Errors:
    def __init__(self) -> None:
        self.by_path: dict[str, list[str]] = {}

    def add(self, path: str, message: str) -> None:
        self.by_path.setdefault(path, []).append(message)

    def unknown_keys(self, path: str, data: dict[str, Any], allowed: frozenset[str]) -> None:
        for key in sorted(set(data) - allowed, key=str):
            self.add(f"{path}.{key}" if path else str(key), "Unknown field.")


def _text(
    errors: _Errors, path: str, value: Any, *, limit: int, required: bool = True
) -> str | None:
    if value is None:
        if required:
            errors.add(path, "This field is required.")
            return None
        return ""
    if not isinstance(value, str):
        errors.add(path, "Expected text.")
        return None
    value = value.strip()
    if required and not value:
        errors.add(path, "This cannot be blank.")
        return None
    if len(value) > limit:
        errors.add(path, f"Keep it to {limit} characters.")
        return None
    return value


def _disciplines(errors: _Errors, path: str, value: Any) -> tuple[str, ...]:
    allowed = ChecklistDiscipline.values
    if not isinstance(value, list) or not value:
        errors.add(path, f"Give a list of one or more disciplines from: {', '.join(allowed)}.")
        return ()
    found: list[str] = []
    for entry in value:
        if entry not in allowed:
            errors.add(path, f"Unknown discipline {entry!r}. Use: {', '.join(allowed)}.")
        elif entry not in found:
            found.append(entry)
    return tuple(found)


def _owner_role(errors: _Errors, path: str, value: Any) -> str:
    if value in (None, ""):
        return ""
    if value not in IcsRole.values:
        errors.add(path, f"Unknown role {value!r}. Use one of: {', '.join(IcsRole.values)}.")
        return ""
    return str(value)


def _phases(errors: _Errors, value: Any) -> tuple[PhaseContent, ...]:
    if not isinstance(value, list):
        errors.add("phases", "Expected a list of phases.")
        return ()
    if not value:
        errors.add("phases", "Give the checklist at least one phase.")
        return ()
    if len(value) > MAX_PHASES:
        errors.add("phases", f"Keep the checklist to {MAX_PHASES} phases.")
        return ()
    phases = []
    for p, phase in enumerate(value):
        path = f"phases[{p}]"
        if not isinstance(phase, dict):
            errors.add(path, "Expected an object with a title and items.")
            continue
        errors.unknown_keys(path, phase, PHASE_KEYS)
        title = _text(errors, f"{path}.title", phase.get("title"), limit=MAX_TITLE)
        raw_items = phase.get("items")
        if not isinstance(raw_items, list) or not raw_items:
            errors.add(f"{path}.items", "Give the phase at least one item.")
            continue
        if len(raw_items) > MAX_ITEMS_PER_PHASE:
            errors.add(f"{path}.items", f"Keep a phase to {MAX_ITEMS_PER_PHASE} items.")
            continue
        items = []
        for i, item in enumerate(raw_items):
            item_path = f"{path}.items[{i}]"
            if not isinstance(item, dict):
                errors.add(item_path, "Expected an object with text and disciplines.")
                continue
            errors.unknown_keys(item_path, item, ITEM_KEYS)
            text = _text(errors, f"{item_path}.text", item.get("text"), limit=MAX_TEXT)
            disciplines = _disciplines(errors, f"{item_path}.disciplines", item.get("disciplines"))
            owner = _owner_role(errors, f"{item_path}.owner_role", item.get("owner_role"))
            if text is not None and disciplines:
                items.append(ItemContent(text=text, disciplines=disciplines, owner_role=owner))
        if title is not None:
            phases.append(PhaseContent(title=title, items=tuple(items)))
    return tuple(phases)


def parse_content(data: Any, *, require_all: bool = True) -> TemplateContent:
    """Validate a checklist document (import) or a partial one (`require_all=False`: a draft
    edit, where name, description and phases are each optional). Raises ValidationError
    with messages keyed by path."""
    errors = _Errors()
    if not isinstance(data, dict):
        raise ValidationError({"document": ["Expected a JSON object with name and phases."]})
    errors.unknown_keys("", data, DOCUMENT_KEYS)
    if "format" in data and data["format"] != FORMAT:
        errors.add("format", f"Unsupported format {data['format']!r}; expected {FORMAT!r}.")
    name = description = None
    phases: tuple[PhaseContent, ...] | None = None
    if require_all or "name" in data:
        name = _text(errors, "name", data.get("name"), limit=MAX_NAME)
    if "description" in data:
        description = _text(
            errors, "description", data["description"], limit=MAX_DESCRIPTION, required=False
        )
    if require_all or "phases" in data:
        phases = _phases(errors, data.get("phases"))
    if errors.by_path:
        raise ValidationError(errors.by_path)
    return TemplateContent(name=name, description=description, phases=phases)


def template_document(template: ChecklistTemplate) -> dict[str, Any]:
    """The export of one version (use readiness.checklists.with_content to prefetch)."""
    return {
        "format": FORMAT,
        "name": template.name,
        "description": template.description,
        "region": template.region.code,
        "version": template.version,
        "status": template.status,
        "adopted_at": template.adopted_at.isoformat() if template.adopted_at else None,
        "phases": [
            {
                "title": phase.title,
                "items": [
                    {
                        "text": item.text,
                        "disciplines": list(item.disciplines),
                        "owner_role": item.owner_role,
                    }
                    for item in phase.items.all()
                ],
            }
            for phase in template.phases.all()
        ],
    }
