"""The drill pages pass axe-core: the EM's list with stale contact points, the start form
with its preview per agency, and a drill's results."""

from __future__ import annotations

from pathlib import Path

import pytest

from agencies.models import RosterRole
from tests.notifications.helpers import person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shot(page, name: str) -> None:
    page.screenshot(path=str(Path("/tmp") / f"h9-{name}.png"), full_page=True)


def test_drill_pages_are_accessible(page, sign_in, assert_accessible, world, em_a):
    person(world.hospital_a1.agency, roles=[RosterRole.ER_CONTACT], name="Nora Nurse")
    person(world.hospital_a2.agency, roles=[RosterRole.ER_CONTACT], name="Ed Doctor")

    sign_in(page, "em_a")
    page.goto("/readiness/drills/")
    assert page.locator("#stale").is_visible()
    assert_accessible(page, "drills list with stale contact points")
    _shot(page, "drills-index")

    page.goto("/readiness/drills/new/")
    page.get_by_label("All ER contacts").check()
    page.get_by_role("button", name="Preview who will be messaged").click()
    page.wait_for_selector("#preview")
    assert "2 members" in page.locator("#preview").inner_text()
    assert_accessible(page, "drill start form with preview")
    _shot(page, "drill-preview")

    page.get_by_role("button", name="Start the drill").click()
    page.wait_for_selector("#results-table")
    assert "Nora Nurse" in page.locator("#results-table").inner_text()
    assert_accessible(page, "drill results")
    _shot(page, "drill-results")
