"""Hospital ranking: ED status, trauma level, distance, capacity and its age."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from incidents.ranking import Candidate, age_text, haversine_km, rank_hospitals, within_radius

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
SCENE = (39.75, -84.20)
RED = {"immediate": 3, "delayed": 5, "minor": 10}
GREEN_ONLY = {"minor": 12}


def hospital(name: str, *, km_north: float = 1.0, **fields) -> Candidate:
    values = {
        "hospital_id": abs(hash(name)) % 10_000,
        "name": name,
        "region_id": 1,
        "latitude": SCENE[0] + km_north / 111.2,
        "longitude": SCENE[1],
        "trauma_level": 2,
        "ed_status": "open",
    }
    values.update(fields)
    return Candidate(**values)


def names(ranked) -> list[str]:
    return [r.candidate.name for r in ranked]


def rank(candidates, estimated=RED, **kwargs):
    return rank_hospitals(
        candidates, latitude=SCENE[0], longitude=SCENE[1], estimated=estimated, now=NOW, **kwargs
    )


def test_haversine_matches_a_known_distance():
    # Dayton to Columbus, Ohio: about 107 km as the crow flies.
    assert haversine_km(39.7589, -84.1916, 39.9612, -82.9988) == pytest.approx(104.9, abs=1.5)
    assert haversine_km(*SCENE, *SCENE) == 0


def test_nearer_hospital_ranks_first_when_all_else_is_equal():
    ranked = rank([hospital("Far", km_north=9), hospital("Near", km_north=2)])
    assert names(ranked) == ["Near", "Far"]
    assert [r.rank for r in ranked] == [1, 2]
    assert ranked[0].distance_km == pytest.approx(2.0, abs=0.05)


def test_open_before_advisory_before_diversion_and_closed_whatever_the_distance():
    ranked = rank(
        [
            hospital("Closed", km_north=0.5, ed_status="closed"),
            hospital("Diversion", km_north=1, ed_status="diversion"),
            hospital("Advisory", km_north=2, ed_status="advisory"),
            hospital("Open", km_north=30),
        ]
    )
    assert names(ranked)[:2] == ["Open", "Advisory"]
    assert set(names(ranked)[2:]) == {"Closed", "Diversion"}
    assert "diversion" in ranked[names(ranked).index("Diversion")].reasons


def test_trauma_centres_come_first_when_immediate_patients_are_expected():
    candidates = [
        hospital("Community", km_north=1, trauma_level=None),
        hospital("Level III", km_north=3, trauma_level=3),
        hospital("Level I", km_north=15, trauma_level=1),
    ]
    assert names(rank(candidates)) == ["Level I", "Level III", "Community"]
    # with only green patients expected, the nearest wins
    assert names(rank(candidates, estimated=GREEN_ONLY)) == ["Community", "Level III", "Level I"]


def test_fresh_capacity_with_room_beats_unknown_and_full():
    full = {"immediate": 0, "delayed": 0, "minor": 0}
    room = {"immediate": 4, "delayed": 8, "minor": 20}
    ranked = rank(
        [
            hospital("Full", km_north=1, capacity=full, capacity_reported_at=NOW),
            hospital("Unknown", km_north=2),
            hospital("Room", km_north=5, capacity=room, capacity_reported_at=NOW),
        ]
    )
    assert names(ranked) == ["Room", "Unknown", "Full"]


def test_stale_capacity_counts_as_unknown_and_the_reason_says_so():
    full = {"immediate": 0, "delayed": 0, "minor": 0}
    stale_full = hospital(
        "Stale", km_north=1, capacity=full, capacity_reported_at=NOW - timedelta(hours=3)
    )
    unknown = hospital("Unknown", km_north=2)
    ranked = rank([unknown, stale_full])
    assert names(ranked) == ["Stale", "Unknown"]  # stale "full" no longer pushes it down
    assert ranked[0].reasons[-1] == "capacity R0 Y0 G0 reported 3 h ago (stale)"


def test_reasons_read_like_a_dispatcher_would_say_them():
    capacity = {"immediate": 4, "delayed": 8, "minor": 20}
    (ranked,) = rank(
        [
            hospital(
                "Miami Valley",
                km_north=3.2,
                trauma_level=1,
                capacity=capacity,
                capacity_reported_at=NOW - timedelta(minutes=12),
            )
        ]
    )
    assert " · ".join(ranked.reasons) == (
        "Level I trauma · 3.2 km · open · capacity R4 Y8 G20 reported 12 min ago"
    )


def test_unknown_coordinates_rank_last_and_say_so():
    ranked = rank([hospital("Nowhere", latitude=None, longitude=None), hospital("Here")])
    assert names(ranked) == ["Here", "Nowhere"]
    assert "distance unknown" in ranked[1].reasons


def test_other_regions_count_only_within_the_radius_and_are_marked():
    home = hospital("Home", km_north=60)
    near = hospital("Neighbour near", km_north=10, region_id=2)
    far = hospital("Neighbour far", km_north=90, region_id=2)
    kept = within_radius(
        [home, near, far], home_region_id=1, latitude=SCENE[0], longitude=SCENE[1], radius_km=80
    )
    assert names(rank(kept, home_region_id=1)) == ["Neighbour near", "Home"]
    assert "neighbouring region" in rank(kept, home_region_id=1)[0].reasons


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(5, "just now"), (720, "12 min ago"), (3 * 3600 + 5, "3 h ago"), (2 * 86400, "2 d ago")],
)
def test_ages_are_short_and_human(seconds, text):
    assert age_text(seconds) == text


# --- who the casualties are (adults, children, a school) ----------------------------------


def childrens(name: str = "Children's", **fields) -> Candidate:
    values = {"trauma_level": None, "pediatric_trauma_level": 1, "treats_adults": False}
    values.update(fields)
    return hospital(name, **values)


def test_adult_level_one_centre_ranks_above_a_nearer_childrens_hospital_for_adults():
    ranked = rank(
        [childrens(km_north=1), hospital("Adult Level I", km_north=6, trauma_level=1)],
        population="adults",
    )
    assert names(ranked) == ["Adult Level I", "Children's"]
    assert "children's hospital: takes no adults" in ranked[1].reasons
    assert ranked[0].reasons[0] == "Level I trauma"


def test_a_childrens_hospital_is_not_first_for_adults_even_without_red_patients():
    ranked = rank(
        [childrens(km_north=1), hospital("Community", km_north=8, trauma_level=None)],
        estimated=GREEN_ONLY,
        population="unknown",
    )
    assert names(ranked) == ["Community", "Children's"]


def test_paediatric_trauma_level_ranks_hospitals_for_children():
    ranked = rank(
        [
            hospital("Adult Level I", km_north=1, trauma_level=1, pediatric_trauma_level=None),
            childrens(km_north=5),
        ],
        population="children",
    )
    assert names(ranked) == ["Children's", "Adult Level I"]
    assert ranked[0].reasons[:2] == ["children's hospital", "paediatric Level I trauma"]
    assert ranked[1].reasons[:2] == ["no paediatric trauma verification", "adult Level I trauma"]


def test_a_school_prefers_a_hospital_verified_for_adults_and_children():
    ranked = rank(
        [
            childrens(km_north=1),
            hospital("Adult only", km_north=2, trauma_level=1),
            hospital("Both", km_north=7, trauma_level=1, pediatric_trauma_level=2),
        ],
        population="mixed",
    )
    assert names(ranked) == ["Both", "Adult only", "Children's"]
    assert ranked[0].reasons[:2] == ["adult Level I trauma", "paediatric Level II trauma"]
    assert ranked[2].reasons[0] == "children's hospital: takes the children only, not the adults"
