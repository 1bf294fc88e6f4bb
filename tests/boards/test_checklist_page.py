"""The incident page's checklist, roles and key-figures cards: what the page's config tells
the script (vocabulary, record links, who assigns roles and how they find the holder)."""

from __future__ import annotations

import pytest

from tests.boards.test_pages import client_for, config_of
from tests.incidents.conftest import declare
from tests.readiness.conftest import adopt

pytestmark = pytest.mark.django_db


@pytest.fixture
def incident(world, dispatcher_a):
    world.region_a.hospitals_to_notify = 1
    world.region_a.save()
    adopt(world.region_a)
    return declare(world.region_a, dispatcher_a)


def test_the_incident_page_has_the_checklist_roles_and_figures_cards(incident, dispatcher_a):
    response = client_for(dispatcher_a).get(f"/incidents/{incident.pk}/")
    assert response.status_code == 200
    for card in (b'id="checklist-card"', b'id="roles-card"', b'id="figures-card"'):
        assert card in response.content


def test_a_dispatcher_assigns_roles_from_the_regions_rosters(world, incident, dispatcher_a):
    config = config_of(client_for(dispatcher_a).get(f"/incidents/{incident.pk}/"))
    assert config["can_act"] is True
    assert config["roster_search"] is True
    names = [a["name"] for a in config["role_agencies"]]
    assert "A EMS" in names and "A Police" in names
    assert "B Police" not in names  # another region's agency holds no role here
    assert config["ics_roles"][0] == {"value": "unified_command", "label": "Unified command"}
    assert {"value": "fire_ems", "label": "Fire / EMS"} in config["disciplines"]


def test_ems_assign_roles_by_name_when_they_cannot_read_the_rosters(incident, ems_a):
    config = config_of(client_for(ems_a).get(f"/incidents/{incident.pk}/"))
    assert config["can_act"] is True
    assert config["roster_search"] is False
    assert "A EMS" in [a["name"] for a in config["role_agencies"]]


def test_an_official_reads_the_cards_without_the_means_to_assign(incident, official_a):
    config = config_of(client_for(official_a).get(f"/incidents/{incident.pk}/"))
    assert config["can_act"] is False
    assert config["roster_search"] is False
    assert config["role_agencies"] == []


def test_the_page_links_the_printable_record_its_pdf_and_the_timeline_csv(incident, dispatcher_a):
    client = client_for(dispatcher_a)
    config = config_of(client.get(f"/incidents/{incident.pk}/"))
    assert config["urls"]["record"] == "/record/incidents/{id}/"
    assert config["urls"]["record_pdf"] == "/record/incidents/{id}.pdf"
    assert config["timeline_csv"] == f"/api/v1/incidents/{incident.pk}/record/timeline.csv"
    csv = client.get(config["timeline_csv"])
    assert csv.status_code == 200
    assert csv.content.decode().splitlines()[0] == "seq,time,actor,agency,kind,summary"
