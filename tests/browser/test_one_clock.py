"""One clock: a browser in Tokyo looking at an incident of a region in Chicago reads the same
Chicago times on every page — the live boards (formatted in the browser), the timeline
summaries and the record (built on the server, whose TIME_ZONE is New York's)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from incidents import services
from tests.incidents.conftest import declare

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REGION_ZONE = ZoneInfo("America/Chicago")
BROWSER_ZONE = "Asia/Tokyo"


@pytest.fixture
def tokyo_page(open_board) -> Callable[..., object]:
    """open(username, path): a signed-in page whose browser clock is in Tokyo."""
    return lambda username, path: open_board(username, path, timezone_id=BROWSER_ZONE)


def test_every_page_shows_the_incidents_times_in_its_regions_zone_whatever_the_browsers(
    tokyo_page, screenshot, world, dispatcher_a, ems_a, em_a, official_a, nurse_a1
):
    world.region_a.time_zone = "America/Chicago"
    world.region_a.hospitals_to_notify = 1
    world.region_a.save()
    incident = declare(world.region_a, dispatcher_a, title="Clock check")
    (patient,) = services.patient_register(
        actor=dispatcher_a,
        incident=incident,
        patients=[{"tag_number": "T-41", "category": "delayed", "destination": world.hospital_a1}],
    )
    eta = timezone.now() + timedelta(minutes=20)
    services.patients_transport(
        actor=dispatcher_a, incident=incident, patients=[patient], unit="Medic 4", eta=eta
    )
    declared = incident.declared_at.astimezone(REGION_ZONE)
    declared_clock = f"{declared:%H:%M} {declared.tzname()}"  # "06:05 CST"
    eta_clock = f"{eta.astimezone(REGION_ZONE):%H:%M}"
    tokyo = ZoneInfo(BROWSER_ZONE)
    wrong = [f"{incident.declared_at.astimezone(tokyo):%H:%M}", f"{eta.astimezone(tokyo):%H:%M}"]

    pages = [
        ("dispatch", "dispatcher_a", "/incidents/", [f"declared {declared_clock}", eta_clock]),
        ("incident", "dispatcher_a", f"/incidents/{incident.pk}/", [declared_clock, eta_clock]),
        ("er", "nurse_a1", "/incidents/er/", [f"declared {declared_clock}", eta_clock]),
        ("ems", "medic_a", f"/incidents/{incident.pk}/ems/", [eta_clock]),
        ("em", "em_a", "/incidents/em/", [f"declared {declared_clock}"]),
        ("officials", "official_a", "/incidents/officials/", [f"declared {declared_clock}"]),
        (
            "record",
            "dispatcher_a",
            f"/record/incidents/{incident.pk}/",
            [f"{declared:%Y-%m-%d %H:%M} {declared.tzname()}", f"ETA {eta_clock}"],
        ),
    ]
    for name, username, path, expected in pages:
        page = tokyo_page(username, path)
        body = page.locator("main")
        for text in expected:
            expect(body, f"{name} shows {text}").to_contain_text(text)
        for text in wrong:
            expect(body, f"{name} shows Tokyo's {text}").not_to_contain_text(text)
        screenshot(page, name)
    record_page = tokyo_page("dispatcher_a", f"/record/incidents/{incident.pk}/")
    expect(record_page.locator("#record-time-zone")).to_have_text("All times America/Chicago")
