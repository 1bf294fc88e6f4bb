"""Hospital recommendation for an incident: pure functions over plain values.

Order, most important first:
1. ED status: open, then advisory, then diversion or closed;
2. who the casualties are (the declaration's `population`): a hospital that takes no adults
   (a children's hospital) goes below every hospital that does when adults are expected
   (adults, mixed, or not known);
3. when immediate (red) patients are expected: trauma capability for that population (Level
   I/II, then III/IV, then no trauma centre) — adult verification for adults, paediatric
   for children, and for a mixed population (a school) the weaker of the two first;
4. last reported capacity: fresh capacity with room for the expected categories, then
   unknown or stale capacity (older than STALE_CAPACITY_AFTER counts as unknown, and the
   reason says so), then fresh capacity with no room;
5. great-circle distance from the incident (unknown distance last).

`candidates_from_hospitals` turns Hospital rows into candidates; the query that picks them
(the region's hospitals and others within the region's radius) lives in incidents/queries.py.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from agencies.models import EdStatus, Hospital

STALE_CAPACITY_AFTER = timedelta(hours=2)
EARTH_RADIUS_KM = 6371.0088
ED_ORDER = {EdStatus.OPEN: 0, EdStatus.ADVISORY: 1, EdStatus.DIVERSION: 2, EdStatus.CLOSED: 2}
TRAUMA_NAMES = {
    1: "Level I trauma",
    2: "Level II trauma",
    3: "Level III trauma",
    4: "Level IV trauma",
}


@dataclass(frozen=True)
class Candidate:
    """What ranking needs to know about one hospital."""

    hospital_id: int
    name: str
    region_id: int
    latitude: float | None
    longitude: float | None
    trauma_level: int | None
    ed_status: str
    capacity: Mapping[str, int | None] = field(default_factory=dict)
    capacity_reported_at: datetime | None = None
    pediatric_trauma_level: int | None = None
    treats_adults: bool = True


@dataclass(frozen=True)
class Ranked:
    candidate: Candidate
    rank: int
    distance_km: float | None
    reasons: list[str]


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def distance_between(
    lat1: float | None, lon1: float | None, lat2: float | None, lon2: float | None
) -> float | None:
    if None in (lat1, lon1, lat2, lon2):
        return None
    return haversine_km(lat1, lon1, lat2, lon2)  # type: ignore[arg-type]


def age_text(seconds: float) -> str:
    """'just now', '12 min ago', '3 h ago', '2 d ago'."""
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h ago"
    return f"{int(seconds // 86400)} d ago"


def capacity_text(capacity: Mapping[str, int | None]) -> str:
    """'R4 Y8 G20' (a dash for a category not answered)."""
    parts = []
    for category, letter in (("immediate", "R"), ("delayed", "Y"), ("minor", "G")):
        value = capacity.get(category)
        parts.append(f"{letter}{'-' if value is None else value}")
    return " ".join(parts)


def _trauma_tier(level: int | None) -> int:
    if level in (1, 2):
        return 0
    if level in (3, 4):
        return 1
    return 2


POPULATIONS = ("unknown", "adults", "children", "mixed")


def _population_fit(candidate: Candidate, population: str) -> tuple[int, str | None]:
    """(0 fits, 1 takes no adults though adults are expected) and the reason, if any."""
    if candidate.treats_adults:
        return 0, None
    if population == "children":
        return 0, "children's hospital"
    if population == "mixed":
        return 1, "children's hospital: takes the children only, not the adults"
    return 1, "children's hospital: takes no adults"


def _trauma_key(candidate: Candidate, population: str) -> tuple[int, int]:
    adult = _trauma_tier(candidate.trauma_level) if candidate.treats_adults else 2
    children = _trauma_tier(candidate.pediatric_trauma_level)
    if population == "children":
        return children, children
    if population == "mixed":
        return max(adult, children), min(adult, children)
    return adult, adult


def _trauma_reasons(candidate: Candidate, population: str) -> list[str]:
    adult = TRAUMA_NAMES.get(candidate.trauma_level or 0, "not a trauma centre")
    children = (
        f"paediatric {TRAUMA_NAMES[candidate.pediatric_trauma_level]}"
        if candidate.pediatric_trauma_level in TRAUMA_NAMES
        else "no paediatric trauma verification"
    )
    if not candidate.treats_adults:
        return [children]
    if population == "children":
        return [children, f"adult {adult}"]
    if population == "mixed":
        return [f"adult {adult}", children]
    return [adult]


def _capacity_tier(
    candidate: Candidate, needed: Iterable[str], now: datetime, stale_after: timedelta
) -> tuple[int, str]:
    """(0 room, 1 unknown/stale, 2 full) and the reason text."""
    reported = candidate.capacity_reported_at
    known = {k: v for k, v in candidate.capacity.items() if v is not None}
    if reported is None or not known:
        return 1, "capacity not reported"
    age = (now - reported).total_seconds()
    text = f"capacity {capacity_text(candidate.capacity)} reported {age_text(age)}"
    if now - reported > stale_after:
        return 1, f"{text} (stale)"
    room = sum(known.get(category, 0) for category in needed)
    return (0 if room > 0 else 2), text


def rank_hospitals(
    candidates: Iterable[Candidate],
    *,
    latitude: float | None,
    longitude: float | None,
    estimated: Mapping[str, int],
    now: datetime,
    home_region_id: int | None = None,
    stale_after: timedelta = STALE_CAPACITY_AFTER,
    population: str = "unknown",
) -> list[Ranked]:
    """All candidates, best first, each with its 1-based rank and human-readable reasons.
    `population` is who the casualties are: unknown, adults, children or mixed."""
    expect_immediate = estimated.get("immediate", 0) > 0
    needed = [c for c in ("immediate", "delayed", "minor") if estimated.get(c, 0) > 0] or [
        "immediate",
        "delayed",
        "minor",
    ]
    scored = []
    for candidate in candidates:
        distance = distance_between(latitude, longitude, candidate.latitude, candidate.longitude)
        capacity_tier, capacity_reason = _capacity_tier(candidate, needed, now, stale_after)
        fit, fit_reason = _population_fit(candidate, population)
        key = (
            ED_ORDER.get(candidate.ed_status, 2),
            fit,
            _trauma_key(candidate, population) if expect_immediate else (0, 0),
            capacity_tier,
            math.inf if distance is None else distance,
            candidate.name,
        )
        reasons = [
            *([fit_reason] if fit_reason else []),
            *_trauma_reasons(candidate, population),
            "distance unknown" if distance is None else f"{distance:.1f} km",
            EdStatus(candidate.ed_status).label.lower()
            if candidate.ed_status in EdStatus.values
            else candidate.ed_status,
            capacity_reason,
        ]
        if home_region_id is not None and candidate.region_id != home_region_id:
            reasons.append("neighbouring region")
        scored.append((key, candidate, distance, reasons))
    scored.sort(key=lambda item: item[0])
    return [
        Ranked(candidate=c, rank=i, distance_km=None if d is None else round(d, 2), reasons=r)
        for i, (_, c, d, r) in enumerate(scored, start=1)
    ]


def candidates_from_hospitals(hospitals: Iterable[Hospital]) -> list[Candidate]:
    """Candidates from Hospital rows (with their agency selected)."""
    return [
        Candidate(
            hospital_id=h.pk,
            name=h.agency.name,
            region_id=h.agency.region_id,
            latitude=h.agency.latitude,
            longitude=h.agency.longitude,
            trauma_level=h.trauma_level,
            ed_status=h.ed_status,
            capacity={
                "immediate": h.capacity_immediate,
                "delayed": h.capacity_delayed,
                "minor": h.capacity_minor,
            },
            capacity_reported_at=h.capacity_reported_at,
            pediatric_trauma_level=h.pediatric_trauma_level,
            treats_adults=h.treats_adults,
        )
        for h in hospitals
    ]


def within_radius(
    candidates: Iterable[Candidate],
    *,
    home_region_id: int,
    latitude: float | None,
    longitude: float | None,
    radius_km: float,
) -> list[Candidate]:
    """The home region's hospitals, plus other regions' hospitals within `radius_km`."""
    kept = []
    for candidate in candidates:
        if candidate.region_id == home_region_id:
            kept.append(candidate)
            continue
        distance = distance_between(latitude, longitude, candidate.latitude, candidate.longitude)
        if distance is not None and distance <= radius_km:
            kept.append(candidate)
    return kept
