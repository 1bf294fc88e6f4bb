"""Names that are markup stay text on every board and page.

Every name a user can type — a hospital, an agency, a roster member, a distribution list, an
incident's title and location, a checklist item, an ICS role holder, a situation update, a
login's own name — is set to a string that runs a script wherever it is parsed as HTML
(Leaflet's tooltips take HTML strings; so do innerHTML and |safe). Each page must show the
string as written and run nothing: `window.__pwned` stays unset and no <img src=x> exists.
One part arrives live over the socket, so the boards' live rendering is covered too.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from agencies.models import Channel, RosterRole
from incidents import services
from readiness import services as readiness_services
from tests.browser.conftest import elsewhere, live
from tests.factories import ContactPointFactory, DistributionListFactory, MemberFactory
from tests.incidents.conftest import declare
from tests.readiness.conftest import PLAN, adopt

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def hostile(label: str) -> str:
    """`label` followed by markup that breaks out of an attribute and runs a script."""
    return f"{label}\"'><img src=x onerror=\"window.__pwned='{label}'\">"


HOSPITAL = hostile("Hosp1")
HOSPITAL_2 = hostile("Hosp2")
TITLE = hostile("Title")
PLACE = hostile("Place")
MEMBER = hostile("Member")
LIST = hostile("List")
ITEM = hostile("Item")
PHASE = hostile("Phase")
HOLDER = hostile("Holder")
UPDATE = hostile("Update")
ACTOR = hostile("Actor")
LIVE_HOLDER = hostile("LiveHolder")


def hostile_plan() -> dict:
    plan = {**PLAN, "phases": [dict(phase) for phase in PLAN["phases"]]}
    plan["phases"][0] = {
        **plan["phases"][0],
        "title": PHASE,
        "items": [*plan["phases"][0]["items"], {"text": ITEM, "disciplines": ["dispatch"]}],
    }
    return plan


@pytest.fixture
def hostile_world(world, dispatcher_a, nurse_a1, ems_a, em_a, official_a):
    """Region A, every typed name hostile, with one active MCI that A1 and A2 are on."""

    def build():
        world.region_a.hospitals_to_notify = 2
        world.region_a.save()
        for hospital, name in ((world.hospital_a1, HOSPITAL), (world.hospital_a2, HOSPITAL_2)):
            hospital.agency.name = name
            hospital.agency.save()
        dispatcher_a.first_name = ACTOR
        dispatcher_a.save()
        member = MemberFactory(
            agency=world.hospital_a1.agency, full_name=MEMBER, roles=[RosterRole.ER_CONTACT]
        )
        ContactPointFactory(member=member, channel=Channel.SMS, address="+19375550300")
        officials = DistributionListFactory(region=world.region_a, name=LIST)
        officials.members.add(member)
        adopt(world.region_a, hostile_plan())
        incident = declare(world.region_a, dispatcher_a, title=TITLE, location_text=PLACE)
        readiness_services.role_assign(
            actor=dispatcher_a, incident=incident, role="triage", name=HOLDER, agency_name=HOLDER
        )
        services.situation_update_post(
            actor=em_a, incident=incident, body=UPDATE, audience=[officials]
        )
        (patient,) = services.patient_register(
            actor=dispatcher_a,
            incident=incident,
            patients=[{"tag_number": "T-1", "category": "immediate"}],
        )
        services.patients_transport(
            actor=dispatcher_a,
            incident=incident,
            patients=[patient],
            unit="M1",
            destination=world.hospital_a1,
        )
        return world, incident, member, officials

    # In another thread: Playwright's event loop runs in this one (see test_boards.elsewhere).
    return elsewhere(build)


def assert_shown_as_text(page, *names: str) -> None:
    """Each name is on the page as the words it is; nothing it carries has run."""
    for name in names:
        expect(page.locator("body")).to_contain_text(name)
    page.wait_for_timeout(300)  # a broken image's onerror fires asynchronously
    assert page.locator("img[src='x']").count() == 0
    assert page.evaluate("window.__pwned") is None


def test_hostile_names_are_text_on_every_board_and_page(
    open_board, screenshot, hostile_world, police_admin_a
):
    world, incident, member, officials = hostile_world
    agencies = "/agencies"

    # Dispatch: the incident card and its hospitals, then the declare form's map labels.
    dispatch = open_board("dispatcher_a", "/incidents/")
    live(dispatch)
    assert_shown_as_text(dispatch, TITLE, HOSPITAL)
    dispatch.locator("#declare summary").click()
    expect(dispatch.locator(".map-label").first).to_be_attached()
    expect(dispatch.locator(".map-label")).to_have_text([HOSPITAL, HOSPITAL_2], timeout=5_000)
    assert_shown_as_text(dispatch, TITLE)
    screenshot(dispatch, "dispatch")

    # The incident page, then one part arriving live over the socket.
    page = open_board("dispatcher_a", f"/incidents/{incident.pk}/")
    live(page)
    assert_shown_as_text(page, TITLE, PLACE, HOSPITAL, HOSPITAL_2, ITEM, PHASE, HOLDER, UPDATE)
    elsewhere(
        lambda: readiness_services.role_assign(
            actor=None,
            incident=incident,
            role="pio",
            name=LIVE_HOLDER,
            agency_name=LIVE_HOLDER,
        )
    )
    assert_shown_as_text(page, LIVE_HOLDER)
    assert_shown_as_text(dispatch, TITLE)  # the live event reached the dispatch board too
    screenshot(page, "incident")

    er = open_board("nurse_a1", "/incidents/er/")
    live(er)
    assert_shown_as_text(er, TITLE, HOSPITAL)
    screenshot(er, "er")

    ems = open_board("medic_a", "/incidents/ems/")
    live(ems)
    assert_shown_as_text(ems, TITLE)
    ems.goto(f"/incidents/{incident.pk}/ems/")
    live(ems)
    assert_shown_as_text(ems, TITLE, HOSPITAL)
    screenshot(ems, "ems")

    em = open_board("em_a", "/incidents/em/")
    live(em)
    assert_shown_as_text(em, TITLE, LIST)
    screenshot(em, "em")

    officials_board = open_board("official_a", "/incidents/officials/")
    live(officials_board)
    assert_shown_as_text(officials_board, TITLE, UPDATE)
    screenshot(officials_board, "officials")

    # The record (printable page), rosters, lists and hospitals: server-rendered pages.
    record = open_board("dispatcher_a", f"/record/incidents/{incident.pk}/")
    assert_shown_as_text(record, TITLE, PLACE, HOSPITAL, HOLDER, PHASE)
    hospital_agency = world.hospital_a1.agency_id
    for path, names in (
        (f"{agencies}/rosters/", (HOSPITAL,)),
        (f"{agencies}/rosters/{hospital_agency}/", (HOSPITAL, MEMBER)),
        (f"{agencies}/rosters/{hospital_agency}/members/{member.pk}/", (MEMBER,)),
        (f"{agencies}/hospitals/", (HOSPITAL, HOSPITAL_2)),
        (f"{agencies}/lists/", (LIST,)),
        (f"{agencies}/lists/{officials.pk}/", (LIST, MEMBER)),
    ):
        record.goto(path)
        assert_shown_as_text(record, *names)
    screenshot(record, "list")
