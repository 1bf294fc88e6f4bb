"""The declare form's map: centred on the region's hospitals and the incident, with hospital
labels that never pile on top of each other."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import live
from tests.factories import HospitalFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Every marker and visible label: its box, and the map's.
GEOMETRY = """() => {
  const box = (e) => {
    const r = e.getBoundingClientRect();
    return [r.left, r.top, r.right, r.bottom];
  };
  const map = document.querySelector('#declare-map');
  return {
    map: box(map),
    markers: [...map.querySelectorAll('path.leaflet-interactive')].map(box),
    labels: [...map.querySelectorAll('.map-label:not(.map-label--hidden)')].map(box),
    hidden: map.querySelectorAll('.map-label.map-label--hidden').length,
  };
}"""


def overlap(a: list[float], b: list[float]) -> bool:
    return a[0] < b[2] and a[2] > b[0] and a[1] < b[3] and a[3] > b[1]


def inside(inner: list[float], outer: list[float]) -> bool:
    return (
        outer[0] <= inner[0]
        and inner[2] <= outer[2]
        and outer[1] <= inner[1]
        and inner[3] <= outer[3]
    )


@pytest.fixture
def crowded_region(world):
    """Region A's two hospitals, plus three more on a few blocks next to A1 (a medical campus)."""
    for n, (lat, lon) in enumerate(((39.752, -84.201), (39.749, -84.198), (39.751, -84.203))):
        HospitalFactory(
            agency__region=world.region_a,
            agency__name=f"Campus Hospital {n} Emergency Department",
            agency__latitude=lat,
            agency__longitude=lon,
        )
    return world


def test_the_map_shows_every_hospital_and_the_incident_with_labels_that_do_not_collide(
    open_board, screenshot, crowded_region, dispatcher_a
):
    dispatch = open_board("dispatcher_a", "/incidents/")
    live(dispatch)
    expect(dispatch.locator("#declare")).to_have_attribute("open", "")  # no incident yet
    expect(dispatch.locator(".map-label")).to_have_count(5)
    dispatch.wait_for_timeout(300)

    shape = dispatch.evaluate(GEOMETRY)
    assert shape["map"][2] - shape["map"][0] > 300  # the map is on screen, not collapsed
    assert len(shape["markers"]) == 5
    assert all(inside(marker, shape["map"]) for marker in shape["markers"])
    labels = shape["labels"]
    assert len(labels) >= 2 and shape["hidden"] >= 1
    assert not any(overlap(a, b) for i, a in enumerate(labels) for b in labels[i + 1 :])
    assert all(inside(label, shape["map"]) for label in labels)
    screenshot(dispatch, "map-hospitals")

    # Typed coordinates a few kilometres out: the incident and the hospitals stay in view.
    dispatch.get_by_label("Latitude").fill("39.70")
    dispatch.get_by_label("Longitude").fill("-84.30")
    dispatch.get_by_label("Longitude").press("Tab")
    dispatch.wait_for_timeout(300)
    shape = dispatch.evaluate(GEOMETRY)
    assert len(shape["markers"]) == 6  # five hospitals and the incident
    assert all(inside(marker, shape["map"]) for marker in shape["markers"])
    screenshot(dispatch, "map-incident")
