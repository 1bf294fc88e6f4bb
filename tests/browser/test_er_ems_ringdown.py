"""What an ER nurse and a paramedic see: errors in words that go away, a capacity picker that
never offers yesterday's numbers as today's, a wall screen that is never silently mute, and
ringdown details from the ambulance on the ER's inbound list."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from incidents import services
from incidents.models import Incident, Patient
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, VIEWPORT, elsewhere, live
from tests.incidents.conftest import declare

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The documented kiosk flag (README): the wall PC's Chromium may start sound by itself.
KIOSK_FLAG = "--autoplay-policy=no-user-gesture-required"


@pytest.fixture
def a1_reported_35_min_ago(world):
    """Region A recommends A1 only; A1 last reported R2 Y4 G10, 35 minutes ago (for an
    earlier incident)."""
    world.region_a.hospitals_to_notify = 1
    world.region_a.save()
    a1 = world.hospital_a1
    a1.capacity_immediate, a1.capacity_delayed, a1.capacity_minor = 2, 4, 10
    a1.capacity_reported_at = timezone.now() - timedelta(minutes=35)
    a1.save()
    return world


@pytest.fixture
def exercise_with_patients_on_the_way(a1_reported_35_min_ago, dispatcher_a, ems_a) -> Incident:
    """An exercise MCI with patients 1001-1003 in transport to A1 with Medic 12, and 1004 on
    scene."""
    world = a1_reported_35_min_ago
    incident = declare(
        world.region_a,
        dispatcher_a,
        application=Incident.Application.EXERCISE,
        casualty_population=Incident.Population.ADULTS,
    )
    patients = services.patient_register(
        actor=ems_a,
        incident=incident,
        patients=[
            {"tag_number": tag, "category": category, "destination": world.hospital_a1}
            for tag, category in (("1001", "immediate"), ("1002", "delayed"), ("1003", "minor"))
        ]
        + [{"tag_number": "1004", "category": "delayed"}],
    )
    services.patients_transport(
        actor=ems_a,
        incident=incident,
        patients=patients[:3],
        unit="Medic 12",
        eta=timezone.now() + timedelta(minutes=12),
    )
    return incident


def test_layout_of_the_er_inbound_list_and_the_ems_board(
    open_board, screenshot, exercise_with_patients_on_the_way, nurse_a1, ems_a
):
    incident = exercise_with_patients_on_the_way
    er = open_board("nurse_a1", "/incidents/er/")
    live(er)
    expect(er.locator("tr[data-patient='1003']")).to_be_visible()
    screenshot(er, "er")
    # Each tag sits inside its own row, whole ("1003" not clipped).
    for tag in ("1001", "1002", "1003"):
        row = er.locator(f"tr[data-patient='{tag}']").bounding_box()
        cell = er.locator(f"tr[data-patient='{tag}'] th").bounding_box()
        assert row["y"] <= cell["y"] and cell["y"] + cell["height"] <= row["y"] + row["height"] + 1
        assert abs(cell["height"] - row["height"]) <= 1, f"tag {tag} is not a cell of its row"
        assert er.locator(f"tr[data-patient='{tag}'] th").evaluate(
            "el => el.scrollWidth <= el.clientWidth"
        )
    # The EXERCISE stripe stays inside its incident card.
    card = er.locator(".er-incident").bounding_box()
    stripe = er.locator(".er-incident .banner-exercise").bounding_box()
    assert card["x"] <= stripe["x"] and stripe["x"] + stripe["width"] <= card["x"] + card["width"]

    dispatch = open_board("dispatcher_a", "/incidents/")
    live(dispatch)
    dispatch.locator("#incident-list").get_by_text(incident.title).first.click()
    stripe = dispatch.locator("#incident-detail .banner-exercise")
    expect(stripe).to_be_visible()
    screenshot(dispatch, "dispatch")
    left, start, end, right = stripe.evaluate(
        """el => { const column = el.closest('#incident-detail').getBoundingClientRect();
        const box = el.getBoundingClientRect();
        return [column.left, box.left, box.right, column.right]; }"""
    )
    assert left <= start and end <= right, "the EXERCISE stripe spills out of its column"

    ems = open_board("medic_a", f"/incidents/{incident.pk}/ems/")
    live(ems)
    select = ems.get_by_label("Destination")
    expect(select).to_contain_text("A1 Hospital")
    screenshot(ems, "ems")
    # The destination list shows whole option texts: the longest option's text, plus the
    # select's padding and its arrow (about 1.5 rem), fits the select.
    fits = select.evaluate(
        """el => { const probe = document.createElement('span');
        const style = getComputedStyle(el);
        probe.style.cssText = `font: ${style.font}; white-space: pre; position: absolute`;
        const texts = [...el.options].map(o => o.text);
        probe.textContent = texts.sort((a, b) => b.length - a.length)[0];
        document.body.append(probe);
        const text = probe.getBoundingClientRect().width;
        probe.remove();
        const padding = parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);
        return [text, el.clientWidth - padding]; }"""
    )
    assert fits[0] <= fits[1], f"longest option needs {fits[0]} px, the select gives {fits[1]}"


def test_er_capacity_picker_starts_empty_on_a_new_mci_and_offers_last_time_explicitly(
    open_board, screenshot, exercise_with_patients_on_the_way, nurse_a1
):
    incident = exercise_with_patients_on_the_way
    er = open_board("nurse_a1", "/incidents/er/")
    live(er)
    # The alert says who is coming, as dispatch declared it.
    expect(er.locator(".er-alert")).to_contain_text("G10 minor · adults")
    card = er.locator(f".er-incident[data-incident='{incident.pk}']")
    expect(card.locator(".er-capacity-now")).to_contain_text("Not answered yet")
    # Nothing picked: one press cannot send the earlier incident's numbers.
    expect(card.locator(".count-pick[aria-checked='true']")).to_have_count(0)
    send = card.locator(".capacity-send")
    expect(send).to_have_text("Pick a number for each colour")
    send.click()
    expect(card).to_contain_text("Choose a number for each colour (0 if none).")
    same = card.get_by_role("button", name="Same as last time (R2 Y4 G10, 35 min ago)")
    expect(same).to_be_visible()
    screenshot(er, "empty-picker")
    row = incident.hospitals.get(hospital__agency__name="A1 Hospital")
    assert row.capacity_answered_at is None
    # The explicit choice fills the picker; the error of the earlier press is gone.
    same.click()
    expect(card).not_to_contain_text("Choose a number for each colour")
    expect(send).to_have_text("Send capacity R2 Y4 G10")
    send.click()
    expect(card.locator(".er-capacity-now")).to_contain_text("Current answer")
    row.refresh_from_db()
    assert (row.capacity_immediate, row.capacity_delayed, row.capacity_minor) == (2, 4, 10)
    expect(same).to_be_hidden()  # answered: the picker follows this incident's answer


def test_wall_screen_sound_is_remembered_per_device_and_sound_off_is_shown_large(
    open_board,
    browser,
    asgi_server,
    sign_in,
    screenshot,
    exercise_with_patients_on_the_way,
    nurse_a1,
):
    er = open_board("nurse_a1", "/incidents/er/")
    live(er)
    warning = er.locator("#sound-off")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("SOUND OFF")
    screenshot(er, "sound-off")
    # Set up once as a wall screen: the setting is remembered on this device.
    er.get_by_label("Wall screen: sound on at every start").check()
    expect(warning).to_be_hidden()
    expect(er.get_by_role("button", name="Sound on")).to_be_visible()
    # A reboot in a browser that blocks sound without a gesture: the board says so in large
    # letters, and the first press anywhere turns it on.
    er.reload()
    live(er)
    expect(er.get_by_label("Wall screen: sound on at every start")).to_be_checked()
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("the browser blocked it")
    screenshot(er, "blocked")
    er.locator(".er-head h1").click()
    expect(warning).to_be_hidden()
    expect(er.locator("body")).to_have_attribute("data-beeps", re.compile(r"[1-9]"))

    # The kiosk set-up of the README: Chromium with the autoplay flag. After a reboot the
    # board sounds with nobody touching it.
    kiosk_browser = browser.browser_type.launch(
        executable_path=str(CHROMIUM), headless=True, args=[*CHROMIUM_ARGS, KIOSK_FLAG]
    )
    try:
        context = kiosk_browser.new_context(viewport=VIEWPORT, base_url=asgi_server.url)
        wall = context.new_page()
        sign_in(wall, "nurse_a1")
        wall.goto("/incidents/er/")
        wall.get_by_label("Wall screen: sound on at every start").check()
        wall.reload()
        live(wall)
        expect(wall.get_by_role("button", name="Sound on")).to_be_visible()
        expect(wall.locator("#sound-off")).to_be_hidden()
        expect(wall.locator("body")).to_have_attribute("data-beeps", re.compile(r"[1-9]"))
        screenshot(wall, "kiosk-after-reboot")
    finally:
        kiosk_browser.close()


def test_paramedic_sends_a_ringdown_on_the_way_and_the_er_reads_it(
    open_board, screenshot, exercise_with_patients_on_the_way, nurse_a1, ems_a
):
    incident = exercise_with_patients_on_the_way
    er = open_board("nurse_a1", "/incidents/er/")
    ems = open_board("medic_a", f"/incidents/{incident.pk}/ems/")
    live(er)
    live(ems)
    expect(er.locator("tr[data-ringdown='1001']")).to_contain_text("No ringdown details")
    ems.get_by_role("button", name="Ringdown for 1001").click()
    dialog = ems.get_by_role("dialog", name="Ringdown for 1001")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Adult").check()
    dialog.get_by_label("Female").check()
    dialog.get_by_label("Chief complaint / injuries").fill("GSW left thigh, tourniquet on")
    dialog.get_by_label("Heart rate").fill("400")  # a typo
    dialog.get_by_role("button", name="Save ringdown").click()
    alert = dialog.locator("[data-form-alert]")
    expect(alert).to_have_text("Heart rate is at most 250.")
    expect(dialog).not_to_contain_text("heart_rate")
    screenshot(ems, "typo")
    dialog.get_by_label("Heart rate").fill("124")
    dialog.get_by_label("Systolic BP").fill("92")
    dialog.get_by_label("Diastolic BP").fill("58")
    dialog.get_by_label("Respiratory rate").fill("24")
    dialog.get_by_label("SpO2").fill("93")
    dialog.get_by_label("GCS").fill("14")
    dialog.get_by_label("V", exact=True).check()
    dialog.get_by_role("button", name="Save ringdown").click()
    expect(dialog).to_be_hidden()
    expect(ems.locator(".register-status")).to_contain_text("Ringdown for 1001 saved")
    row = er.locator("tr[data-ringdown='1001']")
    expect(row).to_contain_text("Adult · F · GSW left thigh, tourniquet on")
    expect(row).to_contain_text("HR 124 · BP 92/58 · RR 24 · SpO2 93% · GCS 14 · AVPU V")
    screenshot(er, "er-ringdown")
    screenshot(ems, "ems-ringdown")
    patient = Patient.objects.get(incident=incident, tag_number="1001")
    assert (patient.heart_rate, patient.avpu) == (124, "V")


def test_errors_name_the_field_as_the_form_does_and_go_when_the_user_acts_again(
    open_board, screenshot, a1_reported_35_min_ago, dispatcher_a, ems_a
):
    world = a1_reported_35_min_ago
    incident = elsewhere(lambda: declare(world.region_a, dispatcher_a))
    elsewhere(
        lambda: services.patient_register(
            actor=ems_a, incident=incident, patients=[{"tag_number": "1001", "category": "minor"}]
        )
    )
    ems = open_board("medic_a", f"/incidents/{incident.pk}/ems/")
    live(ems)
    register = ems.locator("#register-form")
    ems.get_by_label("Triage tag number").fill("1001")
    register.get_by_role("button", name="Minor (green)").click()
    alert = register.locator("[data-form-alert]")
    expect(alert).to_have_text("Tag 1001 is already registered on this incident.")
    screenshot(ems, "duplicate-tag")
    ems.get_by_label("Triage tag number").fill("1002")
    register.get_by_role("button", name="Minor (green)").click()
    expect(ems.locator(".register-status")).to_contain_text("Registered 1002")
    expect(alert).to_be_hidden()

    dispatch = open_board("dispatcher_a", "/incidents/")
    live(dispatch)
    dispatch.get_by_text("Declare MCI", exact=True).click()
    dispatch.get_by_role("button", name="Declare MCI and notify hospitals").click()
    form_alert = dispatch.locator("#declare-form [data-form-alert]")
    expect(form_alert).to_contain_text("What is happening may not be blank.")
    expect(form_alert).not_to_contain_text("title")
    screenshot(dispatch, "blank-title")
    dispatch.get_by_label("What is happening").fill("Bus crash on Route 4")
    dispatch.get_by_role("button", name="Declare MCI and notify hospitals").click()
    expect(dispatch.get_by_role("status").filter(has_text="declared")).to_be_visible()
    expect(form_alert).to_be_hidden()
