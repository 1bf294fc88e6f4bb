"""EDXL-HAVE out and in (outside partner hospitals), and EDXL-DE envelopes both ways."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from lxml import etree

from agencies.models import AuditEntry, EdStatus, Hospital
from agencies.services import hospital_update_status
from incidents import queries, services
from interop import de, have
from interop.xml import CAP_NS, DE_NS, HAVE_NS, parse, validation_errors
from tests.factories import HospitalFactory
from tests.interop.conftest import examples, make_partner, post_xml
from tests.interop.test_cap_out import declare

pytestmark = pytest.mark.django_db
NS = {"have": HAVE_NS}


def traffic(root, name: str) -> tuple[str, str]:
    for hospital in root.findall("have:Hospital", NS):
        if name in etree.tostring(hospital).decode():
            path = "have:EmergencyDepartmentStatus/have:EMSTraffic/"
            return (
                hospital.findtext(path + "have:EMSTrafficStatus", namespaces=NS),
                hospital.findtext(path + "have:EMSTrafficReason", namespaces=NS) or "",
            )
    raise AssertionError(name)


def test_the_region_feed_maps_ed_status_and_capacity_and_validates(world, reader_a) -> None:
    hospital_update_status(
        actor=None,
        hospital=world.hospital_a1,
        ed_status=EdStatus.DIVERSION,
        capacity={"immediate": 2, "delayed": 4, "minor": 9},
        source="Charge nurse A1",
    )
    incident = declare(world)
    row = incident.hospitals.get(hospital=world.hospital_a2)
    services.hospital_answer_capacity(
        actor=None, incident_hospital=row, immediate=1, delayed=3, minor=5
    )
    response = reader_a.client.get("/api/v1/interop/have/")
    assert response.status_code == 200, response.content
    root = parse(response.content)
    assert validation_errors(root) == []
    assert traffic(root, "A1 Hospital") == ("Closed", "Diversion")
    assert traffic(root, "A2 Hospital") == ("Normal", "")
    text = response.content.decode()
    assert "ED status Diversion since " in text and " by Charge nurse A1" in text
    assert f"MCI {incident.number} (EXERCISE): answered R1 Y3 G5" in text
    assert "B1" not in text  # another region's hospital
    wrapped = reader_a.client.get("/api/v1/interop/have/", {"envelope": "de"})
    envelope = parse(wrapped.content)
    assert etree.QName(envelope).namespace == DE_NS and validation_errors(envelope) == []


def partners_in_b(world) -> dict[str, Hospital]:
    """Region A's hospitals as region B's outside partners (same exchange identifiers)."""
    found = {}
    for source in (world.hospital_a1, world.hospital_a2):
        found[source.agency.name] = HospitalFactory(
            agency__region=world.region_b,
            agency__name=f"{source.agency.name} (partner)",
            exchange_id=have.exchange_id(source),
            outside_partner=True,
        )
    return found


def test_round_trip_export_import_gives_the_same_state_audited(world) -> None:
    hospital_update_status(
        actor=None,
        hospital=world.hospital_a1,
        ed_status=EdStatus.CLOSED,
        capacity={"immediate": 0, "delayed": 1, "minor": 6},
    )
    hospital_update_status(actor=None, hospital=world.hospital_a2, ed_status=EdStatus.ADVISORY)
    document = have.hospital_status(world.region_a)
    partners = partners_in_b(world)
    neighbour = make_partner(world.region_b, "Region A HAVE", ["have_send"])
    response = post_xml(neighbour.client, "/api/v1/interop/have/", document)
    assert response.status_code == 200, response.content
    assert [h["result"] for h in response.json()["hospitals"]] == ["updated", "updated"]
    for name, partner in partners.items():
        source = Hospital.objects.get(agency__name=name)
        partner.refresh_from_db()
        assert partner.ed_status == source.ed_status
        assert (partner.capacity_immediate, partner.capacity_delayed, partner.capacity_minor) == (
            source.capacity_immediate,
            source.capacity_delayed,
            source.capacity_minor,
        )
        last = max(t for t in (source.ed_status_at, source.capacity_reported_at) if t)
        assert partner.ed_status_at == last.replace(microsecond=0)
        assert partner.ed_status_by == "EDXL-HAVE: Region A HAVE"
        entry = AuditEntry.objects.filter(object_type="hospital", object_id=str(partner.pk)).get()
        assert entry.action == AuditEntry.Action.IMPORT and "ed_status" in entry.changes
    # Sent again: nothing newer, nothing changes.
    again = post_xml(neighbour.client, "/api/v1/interop/have/", document).json()
    assert {h["result"] for h in again["hospitals"]} == {"ignored"}
    assert "Not newer" in again["hospitals"][0]["reason"]


def test_a_cross_border_partner_is_ranked_with_its_reported_status_and_age(world) -> None:
    partner = HospitalFactory(
        agency__region=world.region_a,
        agency__name="Across the line",
        agency__latitude=39.76,
        agency__longitude=-84.21,
        exchange_id="state:H-77",
        outside_partner=True,
    )
    hospital_update_status(
        actor=None,
        hospital=world.hospital_b1,
        ed_status=EdStatus.DIVERSION,
        capacity={"immediate": 3, "delayed": 3, "minor": 3},
    )
    Hospital.objects.filter(pk=world.hospital_b1.pk).update(exchange_id="state:H-77")
    document = have.hospital_status(world.region_b)
    sender = make_partner(world.region_a, "State HAVE", ["have_send"])
    results = post_xml(sender.client, "/api/v1/interop/have/", document).json()["hospitals"]
    assert [r["result"] for r in results] == ["updated"]
    partner.refresh_from_db()
    assert partner.ed_status == EdStatus.DIVERSION
    assert timezone.now() - partner.capacity_reported_at < timedelta(minutes=1)
    reach = queries.hospitals_in_reach(world.region_a, 39.75, -84.20)
    assert partner in reach


def test_unknown_hospitals_and_the_shared_example_are_ignored_with_reasons(world) -> None:
    sender = make_partner(world.region_a, "State HAVE", ["have_send"])
    example = (examples() / "EDXL-HAVE1.xml").read_bytes()  # HAVE inside EDXL-DE 1.0
    response = post_xml(sender.client, "/api/v1/interop/de/", example)
    assert response.status_code == 200, response.content
    (result,) = response.json()["contents"]
    assert result["standard"] == "have" and result["outcome"] == "ignored"
    assert [h["name"] for h in result["hospitals"]] == ["Hospital 1", "Hospital 2"]
    assert "outside partner" in result["hospitals"][0]["reason"]
    # A partner configured by that name takes the report; it has no ED status in it.
    HospitalFactory(agency__region=world.region_a, exchange_id="Hospital 1", outside_partner=True)
    again = post_xml(sender.client, "/api/v1/interop/de/", example).json()["contents"][0]
    assert "no EMS traffic status" in again["hospitals"][0]["reason"]


def test_de_in_routes_the_shared_cap_example_and_refuses_what_it_cannot_read(
    world, sender_a
) -> None:
    example = (examples() / "edxl-de-2.0_wrapping_cap-1.2_SYNTHETIC.xml").read_bytes()
    assert validation_errors(parse(example)) == []
    response = post_xml(sender_a.client, "/api/v1/interop/de/", example)
    assert response.status_code == 200, response.content
    (result,) = response.json()["contents"]
    assert result["standard"] == "cap" and result["outcome"] == "opened"
    broken = example.replace(b"<distributionKind>Report", b"<distributionKind>Gossip")
    refused = post_xml(sender_a.client, "/api/v1/interop/de/", broken)
    assert refused.status_code == 400 and "distributionKind" in refused.json()["detail"]
    not_de = post_xml(sender_a.client, "/api/v1/interop/de/", b"<a/>")
    assert not_de.status_code == 400


def test_wrap_then_unwrap_gives_back_the_document(world) -> None:
    document = have.hospital_status(world.region_a)
    envelope = de.Envelope(
        distribution_id="d-1",
        sender_id="a@x",
        status="Actual",
        kind="Report",
        sender_role="Region A",
        recipient_roles=("Region B", "State EOC"),
    )
    wrapped = de.wrap(document, envelope, "America/New_York")
    assert validation_errors(wrapped) == []
    (content,) = de.contents(parse(etree.tostring(wrapped)))
    assert etree.QName(content).namespace == HAVE_NS
    assert CAP_NS not in etree.tostring(wrapped).decode()


def test_each_part_is_taken_only_when_newer_than_what_is_held(world) -> None:
    (partner,) = [partners_in_b(world)["A1 Hospital"]]
    hospital_update_status(actor=None, hospital=world.hospital_a1, ed_status=EdStatus.ADVISORY)
    hospital_update_status(
        actor=None, hospital=world.hospital_a1, capacity={"immediate": 1, "delayed": 1, "minor": 1}
    )
    document = have.hospital_status(world.region_a)
    later = timezone.now() + timedelta(minutes=1)
    # Region B's own later capacity report for the partner stays; the status is taken.
    hospital_update_status(
        actor=None,
        hospital=partner,
        capacity={"immediate": 9, "delayed": 9, "minor": 9},
        reported_at=later,
    )
    sender = make_partner(world.region_b, "Region A HAVE", ["have_send"])
    post_xml(sender.client, "/api/v1/interop/have/", document)
    partner.refresh_from_db()
    assert partner.ed_status == EdStatus.ADVISORY
    assert partner.capacity_immediate == 9 and partner.capacity_reported_at == later


def test_de_needs_a_key_and_each_content_the_scope_of_its_kind(world, reader_a) -> None:
    from rest_framework.test import APIClient

    example = (examples() / "edxl-de-2.0_wrapping_cap-1.2_SYNTHETIC.xml").read_bytes()
    assert post_xml(APIClient(), "/api/v1/interop/de/", example).status_code == 401
    assert post_xml(reader_a.client, "/api/v1/interop/de/", example).status_code == 403
