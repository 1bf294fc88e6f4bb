"""Helpers shared by the incident services: locking, status guards, labels."""

from __future__ import annotations

from collections.abc import Mapping

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError

from agencies.models import Hospital
from incidents.models import CATEGORY_LETTER, Incident, TriageCategory

Actor = AbstractBaseUser | AnonymousUser | None
MAX_CAPACITY = 9999


def lock_incident(incident: Incident) -> Incident:
    """Re-read the incident under a row lock (call inside the service's transaction) so status
    checks and the change that follows cannot interleave with another writer. The caller's
    instance is refreshed too."""
    locked = (
        Incident.objects.select_for_update(of=("self",))
        .select_related("region")
        .get(pk=incident.pk)
    )
    for name in ("status", "last_seq", "closed_at", "deescalated_at", "updated_at"):
        setattr(incident, name, getattr(locked, name))
    return locked


def require_not_closed(incident: Incident, doing: str) -> None:
    """Refuse changes to a closed incident: 'An incident that is closed cannot <doing>.'"""
    if incident.status == Incident.Status.CLOSED:
        raise ValidationError(f"Incident {incident.number} is closed: it cannot {doing}.")


def category_word(category: str) -> str:
    return TriageCategory(category).label


def category_aside(category: str) -> str:
    """The category for inside brackets: "minor, green" (the label "Minor (green)" would nest
    brackets: "patient 1005 (Minor (green))")."""
    word, colour = TriageCategory(category).label.rstrip(")").split(" (")
    return f"{word.lower()}, {colour}"


def hospital_label(hospital: Hospital) -> str:
    return hospital.agency.name


def clean_category(value: object, *, field: str = "category") -> str:
    if value not in TriageCategory.values:
        raise ValidationError(
            {field: f"Unknown triage category {value!r}. Use: {', '.join(TriageCategory.values)}."}
        )
    return str(value)


def clean_count(value: object, *, field: str, maximum: int = MAX_CAPACITY) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= maximum:
        raise ValidationError({field: f"Enter a whole number from 0 to {maximum}."})
    return value


def capacity_short(capacity: Mapping[str, int | None]) -> str:
    return " ".join(
        f"{letter}{'-' if capacity.get(c) is None else capacity.get(c)}"
        for c, letter in CATEGORY_LETTER.items()
    )
