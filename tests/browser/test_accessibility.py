"""Every page a user can reach passes axe-core's WCAG 2.1 A/AA rules, as the person who uses
it sees it, in a state that shows what the page can show: an active incident with hospitals,
an alert nobody acknowledged yet, patients inbound, a closed incident, forms showing their
validation errors, the locked sign-in, the error pages.

Each test walks several pages and reports every violation it found on all of them at once
(rule, impact, element, what to fix), so one run shows the whole picture."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from agencies import services as agency_services
from agencies.models import Channel, Role
from incidents import services
from incidents.models import Incident
from readiness import services as readiness_services
from tests.browser.conftest import axe_violations, elsewhere, live
from tests.factories import (
    PASSWORD,
    ContactPointFactory,
    DistributionListFactory,
    MemberFactory,
    MembershipFactory,
)
from tests.incidents.conftest import declare
from tests.readiness.conftest import adopt

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def check() -> Iterator[Callable[..., None]]:
    """check(page, "what is shown"): runs axe-core now; the test fails at its end with every
    violation of every page it checked."""
    found: dict[str, list[str]] = {}

    def _check(page, context_note: str) -> None:
        page.wait_for_load_state("networkidle")
        violations = axe_violations(page)
        if violations:
            found[f"{context_note} ({page.url})"] = violations

    yield _check
    assert not found, "axe-core WCAG 2.1 AA violations:\n" + "\n".join(
        f"- {where}:\n    " + "\n    ".join(lines) for where, lines in found.items()
    )


def test_the_checker_reports_what_axe_finds(page, assert_accessible):
    page.set_content("<html lang='en'><title>t</title><main><img src='x.png'></main></html>")
    with pytest.raises(AssertionError, match=r"image-alt \(critical\) img: Images must have"):
        assert_accessible(page, "a page with an image without alt text")


def test_sign_in_error_and_home_pages(page, sign_in, check, settings, nurse_a1, police_admin_a):
    page.goto("/accounts/login/")
    check(page, "the sign-in page")
    page.get_by_label("Username").fill("nurse_a1")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_be_visible()
    check(page, "the sign-in page with a wrong password")
    settings.LOGIN_FAILURE_LIMIT = 1
    page.get_by_label("Username").fill("nurse_a1")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("Too many failed sign-in attempts")
    check(page, "the locked sign-in page")
    settings.LOGIN_FAILURE_LIMIT = 10

    sign_in(page, "police_admin_a")
    check(page, "the home page")
    page.goto("/incidents/999999/")
    check(page, "the 404 page")
    page.goto("/incidents/er/")
    check(page, "the 403 page")


def test_roster_list_and_hospital_pages(page, sign_in, check, world, police_admin_a, em_a):
    dana = MemberFactory(agency=world.police_a, full_name="Dana Reyes", title="Sergeant")
    point = agency_services.contact_point_add(
        actor=None, member=dana, channel="sms", address="9375550101"
    )
    sam = MemberFactory(agency=world.police_a, full_name="Sam Ortiz", on_call=True)
    failing = agency_services.contact_point_add(
        actor=None, member=sam, channel="voice", address="9375550102"
    )
    agency_services.contact_point_mark_failed(point_id=failing.pk, reason="Twilio 21211")
    MemberFactory(agency=world.police_a, full_name="Old Otto", active=False)
    agency = world.police_a.pk
    member = {"agency_id": agency, "member_id": dana.pk}

    sign_in(page, "police_admin_a")
    for name, kwargs, note in (
        ("roster-index", {}, "the roster index"),
        ("roster", {"agency_id": agency}, "a roster with members"),
        ("roster-history", {"agency_id": agency}, "the roster history"),
        ("roster-import", {"agency_id": agency}, "the roster import form"),
        ("member-detail", member, "a member"),
        ("member-edit", member, "the member form"),
        ("member-deactivate", member, "the deactivate confirmation"),
        ("contact-add", member, "the contact point form"),
        ("contact-edit", {**member, "point_id": point.pk}, "a contact point edit form"),
        ("contact-remove", {**member, "point_id": point.pk}, "the contact removal"),
        ("hospital-index", {}, "the hospital index"),
    ):
        page.goto(reverse(f"agencies:{name}", kwargs=kwargs))
        check(page, note)

    page.goto(reverse("agencies:member-add", kwargs={"agency_id": agency}))
    page.get_by_label("Mobile phone (SMS)").fill("12345")
    page.get_by_role("button", name="Add member").click()
    expect(page.locator("[role=alert]").first).to_be_visible()
    check(page, "the member form with errors")

    page.goto(reverse("agencies:contact-add", kwargs=member))
    page.get_by_label("Phone number or email address").fill("12345")
    page.get_by_role("button", name="Add contact point").click()
    expect(page.locator("[role=alert]").first).to_be_visible()
    check(page, "the contact point form with an error")
    page.goto(
        reverse(
            "agencies:contact-edit",
            kwargs={**member, "point_id": failing.pk} | {"member_id": sam.pk},
        )
    )
    check(page, "a failing contact point's form")

    page.goto(reverse("agencies:roster-import", kwargs={"agency_id": agency}))
    page.get_by_label("Roster file").set_input_files(
        {
            "name": "bad.csv",
            "mimeType": "text/csv",
            "buffer": b"external_id,full_name,title,roles,active,on_call,sms,voice,email\n"
            b"P-11,Kim Bad,Officer,sheriff,yes,no,12345,,\n",
        }
    )
    page.get_by_role("button", name="Check and import").click()
    page.wait_for_load_state()
    check(page, "the roster import with errors")

    officials = DistributionListFactory(region=world.region_a, name="County officials")
    officials.members.add(dana)
    page.context.clear_cookies()  # signed out: the emergency manager keeps the lists
    sign_in(page, "em_a")
    for name, kwargs, note in (
        ("list-index", {}, "the list index"),
        ("list-detail", {"list_id": officials.pk}, "a list"),
        ("list-edit", {"list_id": officials.pk}, "the list form"),
        ("list-delete", {"list_id": officials.pk}, "the list delete confirmation"),
    ):
        page.goto(reverse(f"agencies:{name}", kwargs=kwargs))
        check(page, note)
    page.goto(reverse("agencies:list-create"))
    page.get_by_role("button", name="Create list").click()
    page.wait_for_load_state()
    check(page, "the list form with errors")
    # An emergency manager of two regions first picks the region of a new list.
    MembershipFactory(agency=world.police_b, user=em_a, roles=[Role.EMERGENCY_MANAGER])
    page.goto(reverse("agencies:list-create"))
    expect(page.get_by_role("link", name="Region B")).to_be_visible()
    check(page, "the region picker of a new list")


def test_boards_during_and_after_an_incident(
    open_board, check, world, dispatcher_a, nurse_a1, ems_a, em_a, official_a
):
    adopt(world.region_a)  # the incident page shows the region's checklist
    title = "Bus crash on Route 4"
    incident = elsewhere(lambda: declare(world.region_a, dispatcher_a, title=title))
    assert incident.hospitals.count() == 2  # A1 and A2, neither has acknowledged
    patients = elsewhere(
        lambda: services.patient_register(
            actor=dispatcher_a,
            incident=incident,
            patients=[
                {"tag_number": "T-101", "category": "immediate", "destination": world.hospital_a1},
                {"tag_number": "T-102", "category": "delayed", "destination": world.hospital_a1},
            ],
        )
    )
    elsewhere(
        lambda: services.patients_transport(
            actor=dispatcher_a, incident=incident, patients=patients[:1], unit="Medic 12"
        )
    )
    elsewhere(
        lambda: readiness_services.role_assign(
            actor=dispatcher_a,
            incident=incident,
            role="unified_command",
            name="Chief Dana Ruiz",
            agency_name="A Fire",
        )
    )
    officials = DistributionListFactory(region=world.region_a, name="County officials")
    official_one = MemberFactory(agency=world.officials_a, full_name="Official One")
    ContactPointFactory(member=official_one, channel=Channel.SMS, address="+19375550200")
    officials.members.add(official_one)

    dispatch = open_board("dispatcher_a", f"/incidents/#incident={incident.pk}")
    live(dispatch)
    expect(dispatch.locator("#incident-detail")).to_contain_text("Bus crash on Route 4")
    check(dispatch, "the dispatch board with an active incident selected")
    dispatch.goto(f"/incidents/{incident.pk}/")
    live(dispatch)
    check(dispatch, "the incident page with hospitals and patients")
    dispatch.goto("/")
    check(dispatch, "the home page during an incident")

    er = open_board("nurse_a1", "/incidents/er/")
    live(er)
    expect(er.locator(".er-alert")).to_be_visible()
    check(er, "the ER board with an unacknowledged alert and a patient inbound")
    er.locator(".er-alert").get_by_role("button", name="Acknowledge").click()
    expect(er.locator(".er-alert")).to_have_count(0)
    check(er, "the ER board after acknowledging")

    ems = open_board("medic_a", "/incidents/ems/")
    live(ems)
    check(ems, "the EMS index")
    ems.goto(f"/incidents/{incident.pk}/ems/")
    live(ems)
    ems.get_by_label("Take T-102").check()
    check(ems, "the EMS board with a patient picked")
    ems.get_by_role("button", name="Transport", exact=True).click()  # no unit given
    expect(ems.locator("[data-form-alert]:not([hidden]), .errorlist").first).to_be_visible()
    check(ems, "the EMS board refusing a transport without a unit")

    em = open_board("em_a", "/incidents/em/")
    live(em)
    em.get_by_label("County officials").check()
    em.get_by_role("textbox", name="Update").fill("Scene secure. 1 patient transported.")
    expect(em.locator("#update-preview")).to_contain_text("Reaches")
    check(em, "the EM board composing an update with its preview")
    em.get_by_role("button", name="Send update").click()
    expect(em.locator("#update-progress")).to_contain_text("Finished", timeout=15_000)
    check(em, "the EM board with an update's delivery progress")

    official = open_board("official_a", "/incidents/officials/")
    live(official)
    check(official, "the officials' board")
    official.goto(f"/incidents/{incident.pk}/")
    live(official)
    check(official, "the incident page as an official")

    elsewhere(
        lambda: services.incident_close(
            actor=dispatcher_a, incident=incident, summary="All transported.", confirm=True
        )
    )
    dispatch.goto(f"/incidents/#incident={incident.pk}")
    live(dispatch)
    check(dispatch, "the dispatch board with a closed incident")
    dispatch.goto(f"/incidents/{incident.pk}/")
    live(dispatch)
    check(dispatch, "the closed incident's page")
    dispatch.goto(reverse("record:incident", kwargs={"pk": incident.pk}))
    check(dispatch, "the incident record")
    dispatch.set_viewport_size(PHONE)  # wide tables scroll sideways there
    check(dispatch, "the incident record on a phone")
    dispatch.goto(f"/incidents/{incident.pk}/")
    live(dispatch)
    check(dispatch, "the closed incident's page on a phone")
    assert Incident.objects.get(pk=incident.pk).status == Incident.Status.CLOSED


def test_board_forms_with_errors_the_er_picker_and_hospital_status(
    open_board, check, world, dispatcher_a, nurse_a1
):
    dispatch = open_board("dispatcher_a", "/incidents/")
    live(dispatch)
    check(dispatch, "the dispatch board with no incident")
    dispatch.get_by_role("button", name="Declare MCI and notify hospitals").click()
    expect(dispatch.locator("#declare-form [role=alert]").first).to_be_visible()
    check(dispatch, "the declare form with its errors")

    # A nurse of both hospitals picks which ER board to open.
    MembershipFactory(agency=world.hospital_a2.agency, user=nurse_a1, roles=[Role.HOSPITAL])
    er = open_board("nurse_a1", "/incidents/er/")
    expect(er.get_by_role("link", name="A2 Hospital")).to_be_visible()
    check(er, "the ER board picker")
    er.get_by_role("link", name="A2 Hospital").click()
    live(er)
    check(er, "an ER board with no incident")
    er.goto("/agencies/hospitals/")
    check(er, "the hospital index with the nurse's update forms")
    capacity = er.get_by_role("form", name="Capacity of A1 Hospital")
    capacity.get_by_label("Immediate").fill("-3")
    capacity.evaluate("form => { form.noValidate = true; }")  # let the server say what is wrong
    capacity.get_by_role("button", name="Report capacity").click()
    expect(er.locator(".errorlist").first).to_be_visible()
    check(er, "the hospital index with a capacity error")
