"""Patient distribution guidance: pure functions, so no ER is flooded while another stands empty.

Remaining room of a hospital in a category = the capacity it answered on the incident minus
the patients of that category already sent there (destination set: assigned, in transport,
arrived or walked in). For each patient still on scene without a destination — immediate
first, then delayed, then minor — suggest the nearest hospital with room left in the
patient's category, and count the suggestion against that room so the next patient goes
elsewhere once it is used up. Expectant and deceased patients get no suggestion.
Warn when a hospital has been sent more than it declared while another still has room.

The query that feeds this lives in incidents/queries.py (`incident_guidance`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from incidents.models import CAPACITY_CATEGORIES, TriageCategory
from incidents.ranking import distance_between

CATEGORY_ORDER = {category: i for i, category in enumerate(TriageCategory.values)}


@dataclass(frozen=True)
class HospitalRoom:
    hospital_id: int
    name: str
    latitude: float | None
    longitude: float | None
    answered: Mapping[str, int | None]
    sent: Mapping[str, int] = field(default_factory=dict)

    def remaining(self, category: str) -> int | None:
        answered = self.answered.get(category)
        return None if answered is None else answered - self.sent.get(category, 0)


@dataclass(frozen=True)
class PatientNeed:
    patient_id: int
    tag_number: str
    category: str


@dataclass(frozen=True)
class Suggestion:
    patient_id: int
    tag_number: str
    category: str
    hospital_id: int | None
    hospital: str
    distance_km: float | None
    reason: str


@dataclass(frozen=True)
class Guidance:
    suggestions: list[Suggestion]
    remaining: dict[int, dict[str, int | None]]
    warnings: list[str]


def _label(category: str) -> str:
    return TriageCategory(category).label.split(" ")[0].lower()


def guidance(
    *,
    patients: Iterable[PatientNeed],
    hospitals: Iterable[HospitalRoom],
    latitude: float | None,
    longitude: float | None,
) -> Guidance:
    """Suggestions per waiting patient, remaining room per hospital, and overload warnings."""
    rooms = list(hospitals)
    distance = {
        room.hospital_id: distance_between(latitude, longitude, room.latitude, room.longitude)
        for room in rooms
    }
    left: dict[int, dict[str, int | None]] = {
        room.hospital_id: {c: room.remaining(c) for c in CAPACITY_CATEGORIES} for room in rooms
    }
    by_distance = sorted(
        rooms, key=lambda r: (distance[r.hospital_id] is None, distance[r.hospital_id] or 0, r.name)
    )
    suggestions = []
    for patient in sorted(patients, key=lambda p: (CATEGORY_ORDER[p.category], p.tag_number)):
        if patient.category not in CAPACITY_CATEGORIES:
            suggestions.append(
                Suggestion(
                    patient.patient_id,
                    patient.tag_number,
                    patient.category,
                    None,
                    "",
                    None,
                    f"No suggestion for {_label(patient.category)} patients.",
                )
            )
            continue
        chosen = next(
            (r for r in by_distance if (left[r.hospital_id][patient.category] or 0) > 0), None
        )
        if chosen is None:
            suggestions.append(
                Suggestion(
                    patient.patient_id,
                    patient.tag_number,
                    patient.category,
                    None,
                    "",
                    None,
                    f"No hospital has {_label(patient.category)} capacity left.",
                )
            )
            continue
        room_left = left[chosen.hospital_id]
        room_left[patient.category] = (room_left[patient.category] or 0) - 1
        km = distance[chosen.hospital_id]
        where = "distance unknown" if km is None else f"{km:.1f} km"
        suggestions.append(
            Suggestion(
                patient.patient_id,
                patient.tag_number,
                patient.category,
                chosen.hospital_id,
                chosen.name,
                None if km is None else round(km, 2),
                f"Nearest with {_label(patient.category)} room: {chosen.name} ({where}, "
                f"{room_left[patient.category]} left after this patient).",
            )
        )
    return Guidance(suggestions=suggestions, remaining=left, warnings=overload_warnings(rooms))


def overload_warnings(rooms: Iterable[HospitalRoom]) -> list[str]:
    """'A1 Hospital has been sent 5 immediate patients for 3 declared; A2 Hospital still has
    room for 2.' — only when another hospital still has room in that category."""
    rooms = list(rooms)
    warnings = []
    for category in CAPACITY_CATEGORIES:
        with_room = [(r, r.remaining(category) or 0) for r in rooms]
        with_room = [(r, n) for r, n in with_room if n > 0]
        if not with_room:
            continue
        for room in rooms:
            answered = room.answered.get(category)
            sent = room.sent.get(category, 0)
            if answered is None or sent <= answered:
                continue
            others = ", ".join(f"{r.name} ({n})" for r, n in with_room if r is not room)
            if others:
                warnings.append(
                    f"{room.name} has been sent {sent} {_label(category)} patients for "
                    f"{answered} declared; still room at {others}."
                )
    return warnings
