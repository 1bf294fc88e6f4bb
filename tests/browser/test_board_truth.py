"""A board never says more than it knows: never "Live" across a gap in an incident's timeline
(a failed or short catch-up says "Out of date" and fetches or reloads), a half-open socket is
abandoned at once, and a wall screen that runs for weeks follows only what it shows.

Against the production ASGI application (uvicorn, PostgreSQL, the Redis channel layer), with
Playwright routing standing in for a failing or lagging events API.
"""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from incidents import services
from tests.browser.conftest import acknowledged_incident, elsewhere, live, send_a_patient_unseen
from tests.incidents.conftest import declare

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EVENTS_API = re.compile(r"/api/v1/incidents/\d+/events/\?after=")


@pytest.fixture
def region(world):
    world.region_a.hospitals_to_notify = 1  # A1 only
    world.region_a.save()
    return world


def answer_capacity(world, nurse_a1, incident) -> None:
    """The next event, broadcast for real (from another thread, as a worker would)."""
    row = incident.hospitals.get(hospital=world.hospital_a1)
    elsewhere(
        lambda: services.hospital_answer_capacity(
            actor=nurse_a1, incident_hospital=row, immediate=2, delayed=4, minor=8
        )
    )


def test_a_catch_up_that_fails_says_out_of_date_until_it_has_every_event(
    open_board, screenshot, monkeypatch, region, dispatcher_a, nurse_a1
):
    world = region
    incident = acknowledged_incident(world, dispatcher_a, nurse_a1, "Bus crash")
    er = open_board("nurse_a1", "/incidents/er/")
    live(er)
    expect(er.locator("[data-incident]").first).to_contain_text("Bus crash")
    send_a_patient_unseen(monkeypatch, world, dispatcher_a, incident)

    # The events API fails (a 503 from an overloaded server) when the gap shows.
    er.route(EVENTS_API, lambda route: route.fulfill(status=503, json={"detail": "busy"}))
    answer_capacity(world, nurse_a1, incident)
    pill = er.locator("#connection")
    expect(pill).to_have_text("Out of date")
    expect(er.locator("#connection-banner")).to_contain_text("Out of date — reloading")
    screenshot(er, "01-er-out-of-date")
    expect(pill).to_have_text("Out of date", timeout=1_500)  # still, while it keeps failing

    # The API answers again: the board retries by itself and shows every event, in order.
    er.unroute(EVENTS_API)
    live(er)
    expect(er.locator("#connection-banner")).to_be_hidden()
    expect(er.locator("tr[data-patient='G-1']")).to_contain_text("Medic 9")
    kinds = er.locator(".er-timeline [data-kind]").evaluate_all(
        "els => els.map(e => e.dataset.kind)"
    )
    assert kinds[:3] == ["hospital.capacity", "patient.transported", "patient.registered"]


def test_a_gap_the_server_cannot_fill_reloads_the_board_instead_of_skipping_it(
    open_board, screenshot, monkeypatch, region, dispatcher_a, nurse_a1
):
    world = region
    incident = acknowledged_incident(world, dispatcher_a, nurse_a1, "Bus crash")
    seen = incident.last_seq
    er = open_board("nurse_a1", "/incidents/er/")
    live(er)
    expect(er.locator("[data-incident]").first).to_contain_text("Bus crash")
    send_a_patient_unseen(monkeypatch, world, dispatcher_a, incident)

    # A lagging events API: "nothing after seq N" although the live event is N+3.
    def lagging(route) -> None:
        answer = json.loads(route.fetch().text())
        if answer["results"]:
            answer = {**answer, "results": [], "has_more": False, "last_seq": seen}
        route.fulfill(json=answer)

    er.route(EVENTS_API, lagging)
    er.evaluate("window.beforeReload = true")
    answer_capacity(world, nurse_a1, incident)
    expect(er.locator("#connection-banner")).to_contain_text("Out of date — reloading")
    expect(er.locator("#connection")).not_to_have_text("Live")
    screenshot(er, "01-er-reloading")

    # It reloads (a fresh snapshot) rather than applying the capacity across the hole.
    er.wait_for_function("() => window.beforeReload === undefined")
    live(er)
    expect(er.locator("tr[data-patient='G-1']")).to_contain_text("Medic 9")
    timeline = er.locator(".er-timeline")
    for kind in ("hospital.capacity", "patient.transported", "patient.registered"):
        expect(timeline.locator(f"[data-kind='{kind}']")).to_have_count(1)
    er.unroute_all(behavior="ignoreErrors")


def test_a_half_open_connection_is_abandoned_and_replaced_without_waiting_for_its_close(
    open_board, region, dispatcher_a, nurse_a1
):
    acknowledged_incident(region, dispatcher_a, nurse_a1, "Bus crash")
    er = open_board("nurse_a1", "/incidents/er/")
    live(er)
    # The network vanished: the socket never answers and its close handshake never ends.
    state = er.evaluate(
        """() => {
          const board = window.asimBoard;
          window.halfOpen = board.ws;
          board.ws.close = () => {};
          board.lastMessage = Date.now() - 120_000;
          board.heartbeat();
          return board.state;
        }"""
    )
    assert state == "reconnecting"
    live(er)
    assert er.evaluate("window.asimBoard.ws !== window.halfOpen")


def test_a_wall_screen_follows_only_the_incidents_it_shows_after_a_week_of_them(
    open_board, screenshot, region, dispatcher_a
):
    world = region
    still_open = declare(world.region_a, dispatcher_a, title="Still open")
    board = open_board("dispatcher_a", "/incidents/")
    board.clock.install()
    board.reload()
    live(board)
    incident_list = board.locator("#incident-list")
    expect(incident_list).to_contain_text("Still open")

    closed = []
    for n in range(8):
        incident = elsewhere(
            lambda n=n: declare(world.region_a, dispatcher_a, title=f"Week incident {n}")
        )
        expect(incident_list).to_contain_text(f"Week incident {n}")
        elsewhere(
            lambda incident=incident: services.incident_close(
                actor=dispatcher_a, incident=incident, summary="All patients treated."
            )
        )
        closed.append(incident.pk)
        # Each closed incident leaves the screen after a while on screen as closed.
        board.clock.fast_forward("11:00")  # (its socket also reconnects: 11 min of silence)
        expect(incident_list).not_to_contain_text(f"Week incident {n}")

    live(board)
    assert board.evaluate("window.__board.trackedIncidents()") == [still_open.pk]
    board.clock.fast_forward("01:00")  # early events of incidents never shown expire
    assert board.evaluate("window.__board.pendingIncidents()") == []

    # A reconnect catches up what is on screen, nothing else.
    catch_ups: list[str] = []
    board.on("request", lambda r: EVENTS_API.search(r.url) and catch_ups.append(r.url))
    board.evaluate("window.asimBoard.drop()")
    live(board)
    board.wait_for_timeout(500)
    assert [re.search(r"incidents/(\d+)/", url).group(1) for url in catch_ups] == [
        str(still_open.pk)
    ]
    screenshot(board, "01-dispatch-after-a-week")
