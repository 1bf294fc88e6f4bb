"""The board pages: who may open which, what their config tells the page's script."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

from tests.incidents.conftest import declare

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def config_of(response) -> dict:
    match = re.search(
        r'<script id="board-config" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    assert match, "the page has no board config"
    return json.loads(match.group(1))


def nav_labels(response) -> list[str]:
    nav = re.search(r'<nav class="main-nav".*?</nav>', response.content.decode(), re.S)
    return re.findall(r">([^<>]+)</a>", nav.group(0)) if nav else []


def test_a_dispatcher_gets_the_dispatch_board_with_the_declare_form(world, dispatcher_a):
    response = client_for(dispatcher_a).get("/incidents/")
    assert response.status_code == 200
    assert b'id="declare-form"' in response.content
    assert b"vendor/leaflet/leaflet.js" in response.content
    config = config_of(response)
    assert config["board"] == "dispatch"
    assert config["can_act"] is True
    assert config["declare_regions"] == [{"id": world.region_a.pk, "name": "Region A"}]
    assert {h["name"] for h in config["hospitals"]} == {"A1 Hospital", "A2 Hospital"}
    assert config["tile_url"].startswith("https://")
    assert config["urls"]["incident"] == "/incidents/{id}/"


def test_a_responder_follows_the_dispatch_board_without_declaring(world, responder_a):
    response = client_for(responder_a).get("/incidents/")
    assert response.status_code == 200
    assert b'id="declare-form"' not in response.content
    assert config_of(response)["can_act"] is False


def test_er_staff_are_told_the_dispatch_board_is_not_theirs(world, nurse_a1):
    response = client_for(nurse_a1).get("/incidents/")
    assert response.status_code == 403
    assert b"You are not allowed to open this page" in response.content
    assert b"for dispatchers, EMS, emergency managers and responders" in response.content


def test_a_nurse_goes_straight_to_their_hospitals_er_board(world, nurse_a1):
    client = client_for(nurse_a1)
    response = client.get("/incidents/er/")
    assert response.status_code == 302
    assert response["Location"] == f"/incidents/er/{world.hospital_a1.pk}/"
    board = client.get(response["Location"])
    assert board.status_code == 200
    config = config_of(board)
    assert config["hospital"]["id"] == world.hospital_a1.pk
    assert config["hospital"]["name"] == "A1 Hospital"


def test_another_hospitals_er_board_is_not_found(world, nurse_a1):
    response = client_for(nurse_a1).get(f"/incidents/er/{world.hospital_a2.pk}/")
    assert response.status_code == 404
    assert b"Not found" in response.content


def test_an_incident_of_another_region_is_not_found(world, dispatcher_a, outsider_b):
    incident = declare(world.region_a, dispatcher_a)
    response = client_for(outsider_b).get(f"/incidents/{incident.pk}/")
    assert response.status_code == 404


def test_an_official_gets_the_incident_page_as_a_read_only_summary(world, dispatcher_a, official_a):
    incident = declare(world.region_a, dispatcher_a)
    response = client_for(official_a).get(f"/incidents/{incident.pk}/")
    assert response.status_code == 200
    config = config_of(response)
    assert (config["access"], config["can_act"], config["hospitals"]) == ("summary", False, [])
    assert b'href="/incidents/officials/">Summaries</a>' in response.content


def test_an_exercise_shows_its_banner_from_the_first_paint(world, dispatcher_a):
    exercise = declare(world.region_a, dispatcher_a, application="exercise")
    real = declare(world.region_a, dispatcher_a, title="Real one")
    client = client_for(dispatcher_a)
    banner = re.compile(rb'<div id="exercise-banner" class="banner-exercise"\s*>')
    assert banner.search(client.get(f"/incidents/{exercise.pk}/").content)
    assert not banner.search(client.get(f"/incidents/{real.pk}/").content)


def test_the_ems_board_is_for_those_who_act_on_the_incident(world, dispatcher_a, ems_a, official_a):
    incident = declare(world.region_a, dispatcher_a)
    assert client_for(ems_a).get(f"/incidents/{incident.pk}/ems/").status_code == 200
    assert client_for(official_a).get(f"/incidents/{incident.pk}/ems/").status_code == 403


def test_the_em_board_is_for_emergency_managers(world, dispatcher_a, em_a):
    assert client_for(em_a).get("/incidents/em/").status_code == 200
    assert client_for(dispatcher_a).get("/incidents/em/").status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(world):
    response = Client().get("/incidents/er/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    ("persona", "board", "url"),
    [
        ("dispatcher_a", "Dispatch", "/incidents/"),
        ("nurse_a1", "ER board", "/incidents/er/"),
        ("ems_a", "EMS", "/incidents/ems/"),
        ("em_a", "EM", "/incidents/em/"),
        ("official_a", "Summaries", "/incidents/officials/"),
    ],
)
def test_each_role_finds_its_board_in_the_navigation(request, world, persona, board, url):
    user = request.getfixturevalue(persona)
    response = client_for(user).get("/")
    assert board in nav_labels(response)
    assert client_for(user).get(url).status_code in (200, 302)
    others = {"Dispatch", "ER board", "EMS", "EM", "Summaries"} - {board}
    assert not others & set(nav_labels(response))
