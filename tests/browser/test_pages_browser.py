"""The roster pages in a real browser: an agency admin finds people, adds one, and imports
a roster file (first with a mistake, then clean). Each step leaves a screenshot in
test-artifacts/screenshots/ for a human to look at."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from agencies import services
from agencies.models import Member
from tests.factories import DistributionListFactory, MemberFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADER = "external_id,full_name,title,roles,active,on_call,sms,voice,email"
BAD_FILE = (
    f"{HEADER}\n"
    "P-10,Lee Park,Officer,staff,yes,no,(937) 555-0110,,\n"
    "P-11,Kim Bad,Officer,staff,yes,no,12345,,\n"
    "P-12,Ana Role,Officer,sheriff,yes,no,,,\n"
)
GOOD_FILE = (
    f"{HEADER}\n"
    "P-10,Lee Park,Officer,staff,yes,no,(937) 555-0110,,lee.park@example.org\n"
    "P-11,Kim Good,Officer,staff,yes,yes,(937) 555-0111,,\n"
    "P-12,Ana Role,Lieutenant,command,yes,no,,(937) 555-0112,\n"
)


def csv_file(name: str, text: str) -> dict[str, object]:
    return {"name": name, "mimeType": "text/csv", "buffer": text.encode()}


def test_agency_admin_searches_adds_a_member_and_imports_a_roster(
    page, sign_in, screenshot, world, police_admin_a
):
    dana = MemberFactory(agency=world.police_a, full_name="Dana Reyes", title="Sergeant")
    services.contact_point_add(actor=None, member=dana, channel="sms", address="9375550101")
    sam = MemberFactory(agency=world.police_a, full_name="Sam Ortiz", on_call=True)
    failing = services.contact_point_add(
        actor=None, member=sam, channel="voice", address="9375550102"
    )
    services.contact_point_mark_failed(point_id=failing.pk, reason="Twilio 21211: invalid number")
    MemberFactory(agency=world.police_a, full_name="Old Otto", active=False)

    page.goto("/accounts/login/")
    screenshot(page, "01-login")
    page.get_by_label("Username").fill("police_admin_a")
    page.get_by_label("Password").fill("not-my-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("username or password is not right")
    screenshot(page, "01b-login-wrong-password")
    sign_in(page, "police_admin_a")
    expect(page.get_by_role("heading", name="Your roles")).to_be_visible()
    screenshot(page, "02-home")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Rosters").click()
    expect(page.get_by_role("heading", name="Rosters", exact=True)).to_be_visible()
    screenshot(page, "03-roster-index")

    page.get_by_role("link", name="A Police").click()
    expect(page.get_by_role("heading", name="A Police")).to_be_visible()
    expect(page.get_by_text("Twilio 21211: invalid number")).to_be_visible()
    expect(page.get_by_text("Old Otto")).to_have_count(0)  # inactive: not on the default tab
    screenshot(page, "04-roster")

    page.get_by_role("searchbox").fill("ortiz")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("link", name="Sam Ortiz", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Dana Reyes", exact=True)).to_have_count(0)
    screenshot(page, "05-search")

    page.get_by_role("link", name="Add member").click()
    page.get_by_label("Full name").fill("Jordan Smith")
    page.get_by_label("Title").fill("Detective")
    page.get_by_label("Duty officer").check()
    page.get_by_label("Mobile phone (SMS)").fill("12345")
    page.get_by_role("button", name="Add member").click()
    expect(page.get_by_text("is not a valid phone number")).to_be_visible()
    screenshot(page, "06-add-member-invalid-phone")

    page.get_by_label("Mobile phone (SMS)").fill("(937) 555-0142")
    page.get_by_role("button", name="Add member").click()
    expect(page.get_by_text("Jordan Smith was added to the roster.")).to_be_visible()
    expect(page.get_by_role("cell", name="(937) 555-0142", exact=True)).to_be_visible()
    screenshot(page, "07-member-added")

    page.get_by_role("link", name="A Police").click()
    page.get_by_role("link", name="Import CSV").click()
    expect(page.get_by_role("heading", name="Import a roster file")).to_be_visible()
    screenshot(page, "08-import-form")

    page.get_by_label("Roster file (CSV)").set_input_files(csv_file("bad.csv", BAD_FILE))
    page.get_by_role("button", name="Check and import").click()
    expect(page.get_by_role("heading", name="Nothing was imported")).to_be_visible()
    errors = page.locator("#row-errors tbody tr")
    expect(errors).to_have_count(2)
    expect(errors.nth(0)).to_contain_text("Kim Bad")
    expect(errors.nth(0)).to_contain_text("not a valid phone number")
    expect(errors.nth(1)).to_contain_text("Unknown role(s): sheriff")
    screenshot(page, "09-import-bad-rows")
    assert not Member.objects.filter(full_name="Lee Park").exists()

    page.get_by_label("Roster file (CSV)").set_input_files(csv_file("good.csv", GOOD_FILE))
    page.get_by_role("button", name="Check and import").click()
    expect(page.get_by_role("heading", name="Import complete")).to_be_visible()
    result = page.locator("#import-result")
    expect(result.locator(".stat", has_text="created")).to_contain_text("3")
    expect(result.locator(".stat", has_text="contact points added")).to_contain_text("4")
    screenshot(page, "10-import-done")

    page.get_by_role("link", name="Back to the roster").click()
    expect(page.get_by_role("link", name="Kim Good", exact=True)).to_be_visible()
    screenshot(page, "11-roster-after-import")

    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "12-roster-phone")


def test_emergency_manager_builds_a_list_and_reports_hospital_capacity(
    page, sign_in, screenshot, world, em_a
):
    for n in range(30):
        MemberFactory(agency=world.police_a, full_name=f"Officer {n:02d}", title="Officer")
    MemberFactory(agency=world.officials_a, full_name="Mayor May", title="Mayor")
    MemberFactory(agency=world.officials_a, full_name="Clerk Cleo", title="County clerk")
    DistributionListFactory(
        region=world.region_a, name="ER charge nurses", disciplines=["hospital"]
    )

    sign_in(page, "em_a")
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Distribution lists").click()
    screenshot(page, "01-lists")

    page.get_by_role("link", name="New list").click()
    page.get_by_role("textbox", name="Name", exact=True).fill("County officials")
    page.get_by_label("Emergency management").check()
    page.get_by_placeholder("Filter by name, title or agency").fill("mayor")
    expect(page.get_by_text("Officer 05")).to_be_hidden()
    page.get_by_label(re.compile("Mayor May")).check()
    expect(page.get_by_text("1 selected")).to_be_visible()
    screenshot(page, "02-list-form-filtered")
    page.get_by_placeholder("Filter by name, title or agency").fill("")
    expect(page.get_by_text("Officer 05")).to_be_visible()
    page.get_by_label("Show only ticked").check()
    expect(page.get_by_text("Officer 05")).to_be_hidden()
    expect(page.get_by_text("Mayor May")).to_be_visible()
    page.get_by_role("button", name="Create list").click()
    expect(page.get_by_text("Saved the list County officials.")).to_be_visible()
    expect(page.get_by_role("rowheader", name="Mayor May")).to_be_visible()
    screenshot(page, "03-list-detail")

    nav.get_by_role("link", name="Hospitals").click()
    row = page.locator(f"#hospital-{world.hospital_a1.pk}")
    row.get_by_role("combobox", name="ED status").select_option("diversion")
    row.get_by_role("button", name="Set status").click()
    expect(page.get_by_text("A1 Hospital: ED status is now Diversion.")).to_be_visible()
    row = page.locator(f"#hospital-{world.hospital_a1.pk}")
    row.get_by_label("Immediate").fill("2")
    row.get_by_label("Delayed").fill("4")
    row.get_by_label("Minor").fill("10")
    row.get_by_role("button", name="Report capacity").click()
    expect(page.get_by_text("A1 Hospital: capacity reported.")).to_be_visible()
    row = page.locator(f"#hospital-{world.hospital_a1.pk}")
    expect(row.locator(".ed-diversion")).to_have_text("Diversion")
    expect(row.locator(".chip.triage-red")).to_contain_text("2")
    expect(row.get_by_text("just now").first).to_be_visible()
    screenshot(page, "04-hospitals")

    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "05-hospitals-phone")
    page.set_viewport_size({"width": 2560, "height": 1440})
    screenshot(page, "06-hospitals-wall-screen")


def test_an_agency_admin_sees_a_lists_size_but_only_their_own_people_on_it(
    page, sign_in, screenshot, world, police_admin_a
):
    chief = MemberFactory(agency=world.police_a, full_name="Chief Hale")
    MemberFactory(agency=world.officials_a, full_name="Mayor May")
    dlist = DistributionListFactory(
        region=world.region_a, name="Leaders", disciplines=["officials"]
    )
    dlist.members.add(chief)
    sign_in(page, "police_admin_a")
    page.goto(f"/agencies/lists/{dlist.pk}/")
    expect(page.get_by_role("heading", name="Leaders")).to_be_visible()
    expect(page.locator(".stat").first).to_contain_text("2")
    expect(page.get_by_text("1 more is on other agencies' rosters")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("Mayor May")
    expect(page.locator("table")).to_contain_text("Chief Hale")
    screenshot(page, "list-as-agency-admin")
