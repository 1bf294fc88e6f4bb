"""The shared checklist and the ICS roles on the incident page, live across boards.

A dispatcher and an emergency manager have the same incident open, each in their own browser
against the production ASGI application. The dispatcher checks an item and assigns a role
(a roster member found by search); the EM sees both without a reload, filters the checklist,
and sees the role relieved when the dispatcher relieves it. Screenshots go to
test-artifacts/screenshots/.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from readiness.models import RoleAssignment
from tests.browser.conftest import elsewhere, live
from tests.factories import MemberFactory
from tests.incidents.conftest import declare
from tests.readiness.conftest import adopt

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def incident(world, dispatcher_a):
    """Region A adopted its plan before this MCI was declared, with A1 on it; A EMS has a
    paramedic on its roster."""
    world.region_a.hospitals_to_notify = 1
    world.region_a.save()
    adopt(world.region_a)
    MemberFactory(agency=world.ems_a, full_name="Dana Okafor", title="Paramedic")
    return elsewhere(lambda: declare(world.region_a, dispatcher_a))


def test_a_checked_item_and_an_assigned_role_appear_live_on_another_board(
    open_board, screenshot, incident, dispatcher_a, em_a
):
    path = f"/incidents/{incident.pk}/"
    dispatch = open_board("dispatcher_a", path)
    em = open_board("em_a", path)
    for page in (dispatch, em):
        live(page)
        expect(page.locator("#checklist-summary")).to_contain_text("0 of 5 done")
    first_units = em.locator(".cl-phase[data-phase='1']")
    expect(first_units.locator(".cl-phase__count")).to_have_text("0/3")
    screenshot(em, "01-em-before")

    # The dispatcher checks an item of the first phase.
    dispatch.get_by_label("Contact team forms").check()
    expect(dispatch.locator("#checklist-summary")).to_contain_text("1 of 5 done")

    # The EM's board shows it without a reload: the tick, who, the phase's progress.
    row = em.locator(".cl-item", has_text="Contact team forms")
    expect(row).to_have_class(re.compile("is-done"))
    expect(row).to_contain_text("✓ dispatcher_a")
    expect(first_units.locator(".cl-phase__count")).to_have_text("1/3")
    expect(first_units).to_contain_text("last check")
    expect(em.locator("#checklist-summary")).to_contain_text("1 of 5 done")
    expect(em.get_by_label("Contact team forms")).to_be_checked()
    # …and the key figures follow (they are fetched again after the event).
    expect(em.locator("#incident-figures [data-figure-phase='1']")).to_contain_text("1/3")

    # Filters: the EM looks at the law-enforcement items only, then clears the filter.
    em.get_by_role("button", name="Law enforcement", exact=True).click()
    expect(em.locator(".cl-item")).to_have_count(1)
    expect(em.locator(".cl-phase[data-phase='2']")).to_contain_text("No item of this phase")
    screenshot(em, "02-em-checked-live-filtered")
    em.get_by_role("button", name="Clear filters").click()
    expect(em.locator(".cl-item")).to_have_count(5)

    # The dispatcher assigns Triage to a roster member found by search.
    triage = dispatch.locator(".org-role[data-role='triage']")
    triage.get_by_role("button", name="Assign").click()
    form = triage.locator("form.assign-form")
    form.get_by_label("Roster member").fill("Dana")
    form.get_by_role("button", name=re.compile("Dana Okafor")).click()
    form.get_by_label("Note").fill("North entrance")
    screenshot(dispatch, "03-dispatch-assigning-triage")
    form.get_by_role("button", name="Assign").click()
    expect(triage).to_contain_text("Dana Okafor")
    expect(dispatch.locator("#roles-notice")).to_contain_text("now holds Triage")

    em_triage = em.locator(".org-role[data-role='triage']")
    expect(em_triage).to_contain_text("Dana Okafor")
    expect(em_triage).to_contain_text("A EMS")
    expect(em_triage).to_contain_text("North entrance")
    expect(em_triage).to_contain_text("since")
    expect(em.locator("#roles-summary")).to_have_text("1 of 13 roles filled")
    screenshot(em, "04-em-sees-triage-assigned")

    # A held role is handed over, not overwritten: the EM hands Triage to a mutual-aid medic.
    em_triage.get_by_role("button", name="Hand over").click()
    handover = em_triage.locator("form.assign-form")
    handover.get_by_label("…or a name").fill("Sam Ruiz")
    handover.get_by_label("Agency").fill("Mutual aid EMS 12")
    handover.get_by_role("button", name="Hand over").click()
    expect(triage).to_contain_text("Sam Ruiz")
    expect(triage).not_to_contain_text("Dana Okafor")
    expect(dispatch.locator(".org-history")).to_contain_text("Earlier holders (1)")

    # The dispatcher relieves Sam; the EM's board shows Triage vacant again.
    triage.get_by_role("button", name="Relieve").click()
    triage.get_by_role("button", name="Yes, relieve").click()
    expect(em_triage).to_contain_text("Vacant")
    expect(em_triage).not_to_contain_text("Sam Ruiz")
    expect(em.locator(".org-history")).to_contain_text("Earlier holders (2)")
    expect(em.locator("#roles-summary")).to_have_text("0 of 13 roles filled")
    expect(em.locator("#roles-notice")).not_to_contain_text("now holds")  # no stale news
    held = RoleAssignment.objects.filter(incident=incident, relieved_at__isnull=True)
    assert not held.exists()
    screenshot(em, "05-em-sees-triage-relieved")
    screenshot(dispatch, "06-dispatch-after")
