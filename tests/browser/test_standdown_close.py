"""Stand-down, closing with patients out and escalation countdowns, as the dispatcher and the
ER nurses see them on their live boards (production ASGI app, Redis channel layer)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from incidents import services
from tests.browser.conftest import elsewhere, live
from tests.incidents.conftest import declare

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def mci(world, dispatcher_a):
    """An MCI with A1 and A2 on it; patient T-1 is on the way to A1 (ETA in 20 minutes)."""
    world.region_a.hospitals_to_notify = 2
    world.region_a.save()
    dispatcher_a.first_name, dispatcher_a.last_name = "Dana", "Reyes"
    dispatcher_a.save()
    incident = declare(world.region_a, dispatcher_a)
    (t1,) = services.patient_register(
        actor=dispatcher_a,
        incident=incident,
        patients=[{"tag_number": "T-1", "category": "immediate", "destination": world.hospital_a1}],
    )
    services.patients_transport(
        actor=dispatcher_a,
        incident=incident,
        patients=[t1],
        unit="Medic 12",
        eta=timezone.now() + timedelta(minutes=20),
    )
    return incident


def test_a_removed_hospital_sees_a_stand_down_until_it_acknowledges(
    world, mci, dispatcher_a, nurse_a2, open_board, screenshot
):
    er_a2 = open_board("nurse_a2", f"/incidents/er/{world.hospital_a2.pk}/")
    live(er_a2)
    expect(er_a2.locator(f"[data-incident='{mci.pk}']").first).to_be_visible()

    elsewhere(
        lambda: services.incident_hospital_remove(
            actor=dispatcher_a, incident_hospital=mci.hospitals.get(hospital=world.hospital_a2)
        )
    )

    card = er_a2.locator(".er-standdown")
    expect(card).to_contain_text("STAND DOWN")
    expect(card).to_contain_text(f"{mci.number} · {mci.title}")
    expect(card).to_contain_text(
        re.compile(r"Removed from the incident at \d\d:\d\d by Dana Reyes")
    )
    screenshot(er_a2, "01-er-stand-down")
    # the card survives a reload: it is on the record until acknowledged
    er_a2.reload()
    expect(er_a2.locator(".er-standdown")).to_have_count(1)
    # and the incident stays readable from it
    er_a2.get_by_role("button", name="Acknowledge stand-down").click()
    expect(er_a2.locator(".er-standdown")).to_have_count(0)
    er_a2.reload()
    live(er_a2)
    expect(er_a2.locator(".er-standdown")).to_have_count(0)
    er_a2.goto(f"/incidents/{mci.pk}/")
    expect(er_a2.locator("body")).to_contain_text(mci.title)
    expect(er_a2.locator("body")).to_contain_text("A2 Hospital removed from the incident")


def test_closing_with_a_patient_on_the_way_asks_first_and_then_leaves_only_mark_arrived(
    world, mci, dispatcher_a, nurse_a1, open_board, screenshot
):
    er_a1 = open_board("nurse_a1", f"/incidents/er/{world.hospital_a1.pk}/")
    dispatch = open_board("dispatcher_a", f"/incidents/#incident={mci.pk}")
    live(er_a1)
    live(dispatch)
    section = er_a1.locator(f".er-incident[data-incident='{mci.pk}']")
    expect(section.get_by_role("heading", name="What can you take now?")).to_be_visible()
    # the hospital that has not acknowledged: its next escalation step and when
    detail = dispatch.locator("#detail-body")
    row = detail.locator(f"tr[data-hospital='{world.hospital_a1.pk}']")
    expect(row.locator(".escalation-next")).to_contain_text(
        re.compile(r"Escalation 1: voice to ER contacts not yet called in \d min")
    )
    screenshot(dispatch, "01-dispatch-escalation-countdown")

    dispatch.get_by_label("Closing summary").fill("Scene clear.")
    dispatch.get_by_role("button", name="Close incident").click()
    out = detail.locator(".patients-out")
    expect(out).to_contain_text("1 patient still out")
    expect(out).to_contain_text("T-1")
    expect(out).to_contain_text("in transport to A1 Hospital, Medic 12")
    expect(detail.locator("[data-status]").first).to_have_text("Active")
    screenshot(dispatch, "02-dispatch-patients-out")
    out.get_by_role("button", name="Close anyway").click()
    expect(detail.locator("[data-status]").first).to_have_text("Closed")

    # Closed means closed on dispatch: no waiting clocks, amber rows or outstanding badges.
    expect(detail.locator("tr.is-outstanding")).to_have_count(0)
    expect(detail.locator(".badge-warn")).to_have_count(0)
    expect(detail.locator(".is-waiting")).to_have_count(0)
    expect(detail.locator(".escalation-next")).to_have_count(0)
    expect(detail).not_to_contain_text("waiting")
    expect(dispatch.locator("#incident-list .is-waiting")).to_have_count(0)
    screenshot(dispatch, "03-dispatch-closed")

    # The ER board: capacity and walk-ins gone at once, "Mark arrived" stays for T-1.
    expect(section.locator("[data-status]").first).to_have_text("Closed")
    expect(section.locator(".er-controls")).to_be_hidden()
    expect(section).to_contain_text("1 patient is still on the way")
    expect(er_a1.locator(".er-standdown")).to_contain_text("Incident closed")
    screenshot(er_a1, "04-er-closed-patient-inbound")
    # after a reload too (the closed incident is found by its inbound patient)
    er_a1.reload()
    live(er_a1)
    section = er_a1.locator(f".er-incident[data-incident='{mci.pk}']")
    expect(section.locator(".er-controls")).to_be_hidden()
    section.get_by_role("button", name="Mark arrived").click()
    expect(section.locator(".arrived-list")).to_contain_text("T-1")
    assert mci.patients.get(tag_number="T-1").status == "arrived"


def test_the_incident_page_also_lists_the_patients_out_before_closing(
    mci, dispatcher_a, open_board, screenshot
):
    page = open_board("dispatcher_a", f"/incidents/{mci.pk}/")
    live(page)
    page.get_by_text("Status: de-escalate or close").click()
    page.get_by_label("Closing summary").fill("Scene clear.")
    page.get_by_role("button", name="Close incident").click()
    out = page.locator(".patients-out")
    expect(out).to_contain_text("1 patient still out")
    expect(out).to_contain_text("T-1")
    screenshot(page, "01-incident-page-patients-out")
    out.get_by_role("button", name="Keep it open").click()
    expect(page.locator(".patients-out")).to_have_count(0)
    mci.refresh_from_db()
    assert mci.status == "active"
    page.get_by_role("button", name="Close incident").click()
    page.locator(".patients-out").get_by_role("button", name="Close anyway").click()
    expect(page.locator("[data-status]").first).to_have_text("Closed")
