"""The live boards in a real browser: several users at once, each in their own browser context,
against the production ASGI application (uvicorn, PostgreSQL, the Redis channel layer).

One MCI from declaration to closing, as the people on it would see it — and a board that loses
its connection, says so, and shows what it missed once it is back. Every board leaves
screenshots in test-artifacts/screenshots/.
"""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from agencies.models import Channel, RosterRole
from incidents import services
from incidents.models import Incident
from notifications import services as notification_services
from readiness import services as readiness_services
from tests.browser.conftest import acknowledged_incident, elsewhere, live, send_a_patient_unseen
from tests.factories import ContactPointFactory, DistributionListFactory, MemberFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Shooting at Central Mall"
WATCH_FOR_TITLE = """title => {
  window.sawIncident = document.body.textContent.includes(title);
  new MutationObserver(() => {
    if (document.body.textContent.includes(title)) window.sawIncident = true;
  }).observe(document.body, {subtree: true, childList: true, characterData: true});
}"""


@pytest.fixture
def region(world):
    """Region A recommends one hospital (A1), which reported R2 Y4 G8 this morning; A2 is
    another hospital of the region that is not on the incident. County officials are a list
    of three, each with a phone."""
    world.region_a.hospitals_to_notify = 1
    world.region_a.save()
    a1 = world.hospital_a1
    a1.capacity_immediate, a1.capacity_delayed, a1.capacity_minor = 2, 4, 8
    a1.save()
    officials = DistributionListFactory(region=world.region_a, name="County officials")
    for n in range(3):
        member = MemberFactory(agency=world.officials_a, full_name=f"Official {n}")
        ContactPointFactory(member=member, channel=Channel.SMS, address=f"+1937555020{n}")
        officials.members.add(member)
    return world


@pytest.fixture
def er_alert_rule(region):
    """A rule that alerts the ER contacts of every hospital put on an incident by SMS (the
    console transport: recorded, not sent); A1 has one ER contact."""
    a1 = region.hospital_a1
    charge_nurse = MemberFactory(
        agency=a1.agency, full_name="A1 charge nurse", roles=[RosterRole.ER_CONTACT]
    )
    ContactPointFactory(member=charge_nurse, channel=Channel.SMS, address="+19375550300")
    return notification_services.rule_save(
        actor=None,
        region=region.region_a,
        values={
            "name": "Alert the ERs put on an incident",
            "trigger": "hospital.added",
            "incident_hospitals_er": True,
            "channels": ["sms"],
        },
    )


def test_an_mci_from_declaration_to_closing_across_every_board(
    open_board,
    screenshot,
    region,
    er_alert_rule,
    dispatcher_a,
    nurse_a1,
    nurse_a2,
    ems_a,
    em_a,
    official_a,
):
    world = region
    a1 = world.hospital_a1.pk
    dispatch = open_board("dispatcher_a", "/incidents/")
    er_a1 = open_board("nurse_a1", "/incidents/er/")
    er_a2 = open_board("nurse_a2", "/incidents/er/")
    ems = open_board("medic_a", "/incidents/ems/")
    em = open_board("em_a", "/incidents/em/")
    officials = open_board("official_a", "/incidents/officials/")
    for page in (dispatch, er_a1, er_a2, ems, em, officials):
        live(page)
    er_a2.evaluate(WATCH_FOR_TITLE, TITLE)
    er_a1.get_by_role("button", name="Enable sound").click()
    expect(er_a1.get_by_role("button", name="Sound on")).to_be_visible()
    screenshot(er_a1, "01-er-waiting")

    # The dispatcher declares the MCI.
    dispatch.get_by_label("What is happening").fill(TITLE)
    dispatch.get_by_label("Location (address or place)").fill("Central Mall, 100 Main St")
    dispatch.locator("#declare-map").click(position={"x": 120, "y": 200})  # no tiles: still works
    expect(dispatch.get_by_label("Latitude")).to_have_value(re.compile(r"^\d+\.\d+$"))
    expect(dispatch.locator("#map-note")).to_contain_text("Map tiles could not be loaded")
    dispatch.get_by_label("Latitude").fill("39.751")
    dispatch.get_by_label("Longitude").fill("-84.198")
    dispatch.get_by_label("Immediate (red)").fill("2")
    dispatch.get_by_label("Delayed (yellow)").fill("4")
    dispatch.get_by_label("Minor (green)").fill("10")
    screenshot(dispatch, "02-dispatch-declare-form")
    declared_at = time.monotonic()
    dispatch.get_by_role("button", name="Declare MCI and notify hospitals").click()

    # A1's ER board alerts within 2 seconds, without a reload, with sound.
    alert = er_a1.locator(".er-alert")
    expect(alert).to_be_visible(timeout=2_000)
    assert time.monotonic() - declared_at < 2.0
    expect(alert).to_contain_text(f"Active shooter: {TITLE}")
    expect(alert).to_contain_text("NEW MCI")
    expect(er_a1.locator("body")).to_have_attribute("data-beeps", re.compile(r"[1-9]"))
    expect(alert).to_have_css("animation-name", "er-flash")
    screenshot(er_a1, "03-er-new-mci-alert")
    alert.get_by_role("button", name="Mute 10 min").click()
    expect(alert).to_contain_text("Sound muted for 10 minutes")
    beeps = er_a1.locator("body").get_attribute("data-beeps")
    er_a1.wait_for_timeout(2_300)  # one beep period: a muted alarm stays silent
    assert er_a1.locator("body").get_attribute("data-beeps") == beeps
    expect(alert).to_be_visible()  # muted, still flashing until someone acknowledges

    detail = dispatch.locator("#incident-detail")
    expect(dispatch.get_by_role("status").filter(has_text="declared")).to_be_visible()
    a1_row = detail.locator(f"tr[data-hospital='{a1}']")
    expect(a1_row).to_contain_text("Not acknowledged")
    expect(a1_row).to_contain_text("No answer yet")
    expect(a1_row).to_have_class(re.compile("is-outstanding"))
    # No Twilio here: the console transport kept the alert, and the board says so.
    expect(a1_row.locator("td[data-label='Alert delivered']")).to_contain_text(
        "1 not sent (console mode)"
    )
    screenshot(dispatch, "04-dispatch-waiting-for-a1")

    # The nurse acknowledges, then answers capacity: nothing is pre-selected; "same as last
    # time" takes the morning's R2 Y4 G8, then G 10 is picked, and sent.
    alert.get_by_role("button", name="Acknowledge").click()
    expect(alert).to_have_count(0)
    expect(er_a1.locator("body")).not_to_have_class(re.compile("is-alerting"))
    er_a1.get_by_role("button", name=re.compile(r"Same as last time \(R2 Y4 G8")).click()
    er_a1.get_by_role("radio", name="Minor 10").click()
    er_a1.get_by_role("button", name="Send capacity R2 Y4 G10").click()
    expect(er_a1.locator(".er-capacity-now")).to_contain_text("Current answer")
    screenshot(er_a1, "05-er-acknowledged-capacity")

    # The dispatcher's page shows both, live.
    expect(a1_row).to_contain_text("✓ Acknowledged")
    expect(a1_row).to_contain_text("by nurse_a1")
    expect(a1_row.locator("td[data-label='Capacity'] .chip")).to_have_text(
        ["R2 immediate", "Y4 delayed", "G10 minor"]
    )
    expect(a1_row).not_to_have_class(re.compile("is-outstanding"))
    expect(detail.locator("[data-timer='all-acks']")).not_to_contain_text("waiting")
    screenshot(dispatch, "06-dispatch-a1-answered")

    # EMS: the new incident is on the EMS index without a reload; register, triage, transport.
    ems.get_by_role("link", name=re.compile(TITLE)).click()
    expect(ems.get_by_role("heading", name=re.compile(f"EMS · .* {TITLE}"))).to_be_visible()
    live(ems)
    for tag, colour in (
        ("T-101", "Immediate (red)"),
        ("T-102", "Delayed (yellow)"),
        ("T-103", "Minor (green)"),
    ):
        ems.get_by_label("Triage tag number").fill(tag)
        ems.get_by_role("button", name=colour).click()
        expect(ems.locator(".register-status")).to_contain_text(f"Registered {tag}")
    scene = ems.locator("#scene-patients")
    expect(scene.locator("tr[data-patient]")).to_have_count(3)
    expect(scene.locator("tr[data-patient='T-101']")).to_contain_text("A1 Hospital suggested")
    screenshot(ems, "07-ems-registered")
    ems.get_by_label("Take T-101").check()
    ems.get_by_label("Take T-103").check()
    ems.get_by_label("Unit").fill("Medic 12")
    ems.get_by_label("ETA (min)").fill("12")
    ems.get_by_role("button", name="Transport", exact=True).click()
    expect(ems.locator(".register-status")).to_contain_text("Medic 12 left with T-101, T-103")
    ems.get_by_label("Take T-102").check()
    ems.get_by_label("Unit").fill("Medic 7")
    ems.get_by_label("ETA (min)").fill("4")
    ems.get_by_role("button", name="Transport", exact=True).click()
    expect(ems.locator("#moving-patients li")).to_have_count(3)
    screenshot(ems, "08-ems-transported")

    # The ER board shows them inbound, soonest first, with unit and countdown.
    inbound = er_a1.locator(".inbound-table tbody tr.inbound")
    expect(inbound).to_have_count(3)
    expect(inbound.first).to_contain_text("T-102")
    expect(inbound.first).to_contain_text("Medic 7")
    expect(inbound.first.locator(".eta")).to_have_text(re.compile(r"in [34] min"))
    expect(er_a1.locator("tr[data-patient='T-101']")).to_contain_text("Medic 12")
    screenshot(er_a1, "09-er-inbound")
    er_a1.locator("tr[data-patient='T-102']").get_by_role("button", name="Mark arrived").click()
    expect(inbound).to_have_count(2)
    expect(er_a1.locator(".arrived-list")).to_contain_text("T-102")
    # A walk-in: someone drove themselves to A1.
    er_a1.get_by_label("Tag number").fill("W-1")
    er_a1.get_by_role("button", name="G Minor").click()
    expect(er_a1.locator(".arrived-list li[data-patient='W-1']")).to_contain_text("walk-in")

    # The incident page, in a second tab of the dispatcher's: timers, hospitals, patients by
    # colour with their destinations, the timeline.
    incident = Incident.objects.get(title=TITLE)
    incident_page = dispatch.context.new_page()
    incident_page.goto(f"/incidents/{incident.pk}/")
    live(incident_page)
    expect(incident_page.locator("[data-timer='first-ack']")).not_to_contain_text("waiting")
    expect(incident_page.locator(".count-tile.triage-red")).to_contain_text("1")
    expect(incident_page.locator(".count-tile.triage-green")).to_contain_text("2")
    expect(incident_page.locator(".patients-table tbody tr")).to_have_count(4)
    expect(incident_page.locator(".patients-table tr[data-patient='T-102']")).to_contain_text(
        "Arrived"
    )
    expect(incident_page.locator(".destinations")).to_contain_text("A1 Hospital")
    expect(incident_page.locator("#incident-timeline")).to_contain_text("arrived at A1 Hospital")
    # An event kind the boards' code does not know (ICS roles, built alongside) lands on the
    # timeline and its card refreshes, without a reload.
    elsewhere(
        lambda: readiness_services.role_assign(
            actor=dispatcher_a,
            incident=incident,
            role="unified_command",
            name="Chief Dana Ruiz",
            agency_name="A Fire",
        )
    )
    expect(incident_page.locator("#incident-timeline [data-kind='role.assigned']")).to_be_visible()
    expect(incident_page.locator("#incident-roles")).to_contain_text("Chief Dana Ruiz")
    screenshot(incident_page, "09b-incident-page")

    # The emergency manager updates the officials and watches the delivery complete.
    expect(em.locator("#em-overview")).to_contain_text(TITLE)
    em.get_by_label("County officials").check()
    em.get_by_role("textbox", name="Update").fill(
        "Scene secure. 3 patients transported to A1 Hospital."
    )
    expect(em.locator("#update-preview")).to_contain_text("Reaches 3 people")
    screenshot(em, "10-em-compose")
    em.get_by_role("button", name="Send update").click()
    expect(em.locator("#update-progress")).to_contain_text(
        "Finished: 0 of 3 reached · 3 not sent (console mode)", timeout=15_000
    )
    expect(em.locator("#update-progress").get_by_role("progressbar")).to_have_attribute(
        "aria-valuenow", "3"
    )
    screenshot(em, "11-em-update-delivered")
    expect(officials.locator(".official-card")).to_contain_text("Scene secure.")
    expect(officials.locator(".official-card .count-tile.triage-red")).to_contain_text("1")
    screenshot(officials, "12-officials")
    # An official's incident page: counts, never patient rows.
    officials.goto(f"/incidents/{incident.pk}/")
    live(officials)
    expect(officials.locator("#incident-patients")).to_contain_text("Counts only")
    expect(officials.locator(".patients-table")).to_have_count(0)
    expect(officials.locator("#incident-patients")).not_to_contain_text("T-101")
    screenshot(officials, "12b-official-incident-page")

    # The dispatcher closes the incident.
    dispatch.get_by_label("Closing summary").fill("All patients transported; scene handed over.")
    dispatch.get_by_role("button", name="Close incident").click()
    # patients are still in transport: dispatch sees who and confirms
    detail.get_by_role("button", name="Close anyway").click()
    expect(detail.locator("[data-status]").first).to_have_text("Closed")
    expect(er_a1.locator("[data-incident] [data-status]").first).to_have_text("Closed")
    screenshot(dispatch, "13-dispatch-closed")

    # A2's board never showed any of it.
    assert er_a2.evaluate("window.sawIncident") is False
    expect(
        er_a2.get_by_role("heading", name="No active incident involves A2 Hospital")
    ).to_be_visible()
    screenshot(er_a2, "14-er-other-hospital")
    incident = Incident.objects.get(title=TITLE)
    assert incident.status == Incident.Status.CLOSED


def test_a_board_that_misses_an_event_fetches_it_when_the_next_one_shows_the_gap(
    open_board, screenshot, monkeypatch, region, dispatcher_a, nurse_a1
):
    world = region
    incident = acknowledged_incident(world, dispatcher_a, nurse_a1, "Bus crash")
    er = open_board("nurse_a1", "/incidents/er/")
    live(er)
    expect(er.locator("[data-incident]").first).to_contain_text("Bus crash")

    # These commits' broadcasts are lost (as when Redis blips): the board hears nothing.
    send_a_patient_unseen(monkeypatch, world, dispatcher_a, incident)
    er.wait_for_timeout(500)
    expect(er.locator("tr[data-patient='G-1']")).to_have_count(0)

    # The next event the board does receive (its own capacity answer) is two seqs ahead: the
    # board fetches what it missed, in order, and shows the patient.
    er.get_by_role("button", name=re.compile("Same as last time")).click()
    er.get_by_role("button", name=re.compile("Send capacity")).click()
    expect(er.locator("tr[data-patient='G-1']")).to_contain_text("Medic 9")
    kinds = er.locator(".er-timeline [data-kind]")
    expect(kinds).to_have_count(6)
    assert [k for k in kinds.evaluate_all("els => els.map(e => e.dataset.kind)")][:3] == [
        "hospital.capacity",
        "patient.transported",
        "patient.registered",
    ]
    screenshot(er, "01-er-filled-the-gap")


def test_a_board_that_loses_its_connection_says_so_and_catches_up(
    asgi_server, open_board, screenshot, region, dispatcher_a, nurse_a1
):
    world = region
    incident = acknowledged_incident(
        world,
        dispatcher_a,
        nurse_a1,
        "Exercise: school bus crash",
        application=Incident.Application.EXERCISE,
    )
    er = open_board("nurse_a1", "/incidents/er/")
    live(er)
    expect(er.locator("[data-incident]").first).to_contain_text("EXERCISE")
    expect(er.locator(".inbound-table")).to_have_count(0)

    asgi_server.stop()
    banner = er.locator("#connection-banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text(re.compile(r"Reconnecting — last update [1-9]\d* s ago"))
    screenshot(er, "01-er-reconnecting")

    # While the board is cut off, EMS sends a patient its way (committed straight to the
    # database: nothing can be pushed to a server that is down).
    (patient,) = services.patient_register(
        actor=dispatcher_a,
        incident=incident,
        patients=[{"tag_number": "X-7", "category": "immediate", "destination": world.hospital_a1}],
    )
    services.patients_transport(
        actor=dispatcher_a, incident=incident, patients=[patient], unit="Medic 3"
    )

    asgi_server.start()
    expect(banner).to_be_hidden(timeout=20_000)
    live(er)
    expect(er.locator("tr[data-patient='X-7']")).to_contain_text("Medic 3")
    timeline_entries = er.locator(".er-timeline [data-kind='patient.transported']")
    expect(timeline_entries).to_have_count(1)
    screenshot(er, "02-er-caught-up")
