"""CAP out: an incident's alerts (Alert → Update → all clear), valid against CAP 1.2."""

from __future__ import annotations

import pytest
from lxml import etree

from incidents import services
from incidents.models import Incident
from interop import cap, de
from interop.xml import CAP_NS, DE_NS, parse, validation_errors

pytestmark = pytest.mark.django_db
NS = {"cap": CAP_NS}


def declare(world, application: str = Incident.Application.EXERCISE) -> Incident:
    return services.incident_declare(
        actor=None,
        region=world.region_a,
        title="Shots fired, Central Mall",
        kind=Incident.Kind.ACTIVE_SHOOTER,
        location_text="Central Mall, 100 Main St",
        latitude=39.75,
        longitude=-84.20,
        application=application,
        via="test",
    )


def play(world) -> Incident:
    """Declare (ranked hospitals go on), register a patient, take a hospital off,
    de-escalate, close."""
    incident = declare(world)
    services.patient_register(
        actor=None,
        incident=incident,
        patients=[
            {
                "tag_number": "TAG-SECRET-77",
                "category": "immediate",
                "injury_note": "gunshot wound left thigh",
            }
        ],
    )
    row = incident.hospitals.get(hospital=world.hospital_a2)
    services.incident_hospital_remove(actor=None, incident_hospital=row)
    services.incident_deescalate(actor=None, incident=incident)
    services.incident_close(actor=None, incident=incident, summary="Scene clear.", confirm=True)
    return incident


def test_an_exercise_plays_as_alert_updates_and_all_clear_all_valid(world) -> None:
    incident = play(world)
    sequence = cap.alerts(incident)
    kinds = [message.msg_type for message, _ in sequence]
    assert kinds == ["Alert", "Update", "Update", "Update"]
    for index, (_message, alert) in enumerate(sequence):
        assert validation_errors(alert) == [], etree.tostring(alert)
        assert alert.findtext("cap:status", namespaces=NS) == "Exercise"
        assert alert.findtext("cap:scope", namespaces=NS) == "Restricted"
        assert alert.findtext("cap:restriction", namespaces=NS)
        sent = alert.findtext("cap:sent", namespaces=NS)
        assert sent[-6] in "+-" and sent[-3] == ":"  # an explicit offset
        references = (alert.findtext("cap:references", namespaces=NS) or "").split()
        assert len(references) == index  # every earlier message
        circle = alert.findtext("cap:info/cap:area/cap:circle", namespaces=NS)
        assert circle.startswith("39.75000,-84.20000 ")
    alert = sequence[0][1]
    # The ranked hospitals are part of the Alert, not one Update each.
    assert "A1 Hospital" in alert.findtext("cap:info/cap:description", namespaces=NS)
    last = sequence[-1][1]
    assert last.findtext("cap:info/cap:responseType", namespaces=NS) == "AllClear"
    assert last.findtext("cap:msgType", namespaces=NS) == "Update"
    removed = sequence[1][1].findtext("cap:info/cap:description", namespaces=NS)
    assert "Hospital removed: A2 Hospital" in removed


def test_no_patient_data_ever(world) -> None:
    incident = play(world)
    for _, alert in cap.alerts(incident):
        text = etree.tostring(alert).decode()
        assert "TAG-SECRET-77" not in text and "gunshot" not in text


def test_an_actual_incident_is_actual_and_never_public(world) -> None:
    incident = declare(world, Incident.Application.ACTUAL)
    ((_, alert),) = cap.alerts(incident)
    assert alert.findtext("cap:status", namespaces=NS) == "Actual"
    assert alert.find("cap:note", NS) is None


def test_the_incident_feed_and_one_message_over_the_api(world, reader_a) -> None:
    incident = play(world)
    response = reader_a.client.get(f"/api/v1/interop/cap/{incident.pk}/")
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = parse(response.content)
    entries = feed.findall("{http://www.w3.org/2005/Atom}entry")
    assert len(entries) == 4
    link = entries[-1].find("{http://www.w3.org/2005/Atom}link").get("href")
    assert link.endswith(f"/api/v1/interop/cap/{incident.pk}/messages/1/")
    one = reader_a.client.get(link)
    assert one.status_code == 200 and one["Content-Type"].startswith("application/cap+xml")
    assert validation_errors(parse(one.content)) == []
    wrapped = reader_a.client.get(link, {"envelope": "de"})
    root = parse(wrapped.content)
    assert etree.QName(root).namespace == DE_NS
    assert validation_errors(root) == []
    assert [etree.QName(c).namespace for c in de.contents(root)] == [CAP_NS]


def test_the_region_feed_lists_every_message_of_its_incidents(world, reader_a) -> None:
    first, second = play(world), declare(world)
    response = reader_a.client.get("/api/v1/interop/cap/")
    assert response.status_code == 200
    ids = [e.text for e in parse(response.content).iter("{http://www.w3.org/2005/Atom}id")]
    assert f"urn:cap:{cap.identifier(second, 1)}" in ids
    assert f"urn:cap:{cap.identifier(first, 1)}" in ids


def test_feeds_need_a_key_with_the_read_scope_of_the_incidents_region(
    world, reader_a, sender_a
) -> None:
    from rest_framework.test import APIClient

    from tests.interop.conftest import make_partner

    incident = declare(world)
    assert APIClient().get("/api/v1/interop/cap/").status_code == 401
    assert sender_a.client.get("/api/v1/interop/cap/").status_code == 403
    other = make_partner(world.region_b, "B aggregator", ["cap_read"])
    assert other.client.get(f"/api/v1/interop/cap/{incident.pk}/").status_code == 404
    assert reader_a.client.get("/api/v1/interop/cap/", {"since": "1"}).status_code == 400
    bad = reader_a.client.get(f"/api/v1/interop/cap/{incident.pk}/messages/99/")
    assert bad.status_code == 404


def test_an_error_asked_for_as_atom_is_an_error_element(world, reader_a) -> None:
    response = reader_a.client.get(
        "/api/v1/interop/cap/", {"since": "1"}, HTTP_ACCEPT="application/atom+xml"
    )
    assert response.status_code == 400
    root = parse(response.content)
    assert root.tag == "error" and "since" in root.text


@pytest.mark.parametrize("method", ["OPTIONS", "TRACE", "DELETE"])
def test_methods_the_schema_does_not_list_are_405(world, reader_a, method) -> None:
    for url in ("/api/v1/interop/cap/", "/api/v1/interop/have/", "/api/v1/interop/de/"):
        assert reader_a.client.generic(method, url).status_code == 405, (method, url)
