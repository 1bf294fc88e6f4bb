"""Stand-down: a hospital taken off an incident (or whose incident is de-escalated or closed) is
told so over the channels that alerted it, sees a card on its ER board until someone there
acknowledges it, and — when removed — can still read the incident up to its removal."""

from __future__ import annotations

import pytest
from django.utils import timezone

from agencies.models import RosterRole
from incidents import events, services
from incidents.models import HospitalStandDown, IncidentEvent
from notifications.delivery.transports.console import console_outbox
from notifications.demo import RULES
from notifications.models import Notification
from tests.conftest import as_user
from tests.incidents.conftest import declare
from tests.notifications.helpers import person, rule

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_hospitals(world, dispatcher_a, notify_settings, no_twilio_settings, on_commit):
    """An MCI with A1 and A2 on it; each has one ER contact; the region has the demo county's
    alert and stand-down rules (SMS)."""
    world.region_a.hospitals_to_notify = 2
    world.region_a.save()
    dispatcher_a.first_name, dispatcher_a.last_name = "Dana", "Reyes"
    dispatcher_a.save()
    er = [RosterRole.ER_CONTACT]
    contacts = {
        "a1": person(world.hospital_a1.agency, roles=er, channels=("sms",)),
        "a2": person(world.hospital_a2.agency, roles=er, channels=("sms",)),
    }
    rule(world, incident_hospitals_er=True, channels=["sms"])
    [standdown_spec] = [r for r in RULES if r.trigger == events.HOSPITAL_STOOD_DOWN]
    rule(
        world,
        trigger=standdown_spec.trigger,
        incident_hospitals_er=standdown_spec.incident_hospitals_er,
        channels=list(standdown_spec.channels),
    )
    with on_commit():
        incident = declare(world.region_a, dispatcher_a)
    return incident, contacts


def texts_to(member) -> list[str]:
    number = member.contact_points.get(channel="sms").address
    return [m.text for m in console_outbox() if m.message.to == number]


def remove_a2(incident, world, dispatcher_a, on_commit):
    with on_commit():
        services.incident_hospital_remove(
            actor=dispatcher_a, incident_hospital=incident.hospitals.get(hospital=world.hospital_a2)
        )


def test_the_demo_county_answers_a_stand_down_on_the_channels_that_alerted_the_er():
    [alert] = [
        r for r in RULES if r.trigger == events.INCIDENT_DECLARED and r.incident_hospitals_er
    ]
    [standdown] = [r for r in RULES if r.trigger == events.HOSPITAL_STOOD_DOWN]
    assert standdown.incident_hospitals_er and standdown.channels == alert.channels


def test_a_removed_hospital_is_told_to_stand_down_and_only_it(
    two_hospitals, world, dispatcher_a, on_commit
):
    incident, contacts = two_hospitals
    assert any("MCI" in t or "ALERT" in t for t in texts_to(contacts["a2"]))  # it was alerted

    remove_a2(incident, world, dispatcher_a, on_commit)

    [text] = [t for t in texts_to(contacts["a2"]) if "STAND DOWN" in t]
    assert "A2 Hospital" in text and "removed from the incident" in text
    assert incident.number in text
    assert not [t for t in texts_to(contacts["a1"]) if "STAND DOWN" in t]
    [row] = HospitalStandDown.objects.filter(incident=incident)
    assert (row.hospital, row.reason, row.by_label) == (
        world.hospital_a2,
        "removed",
        "Dana Reyes (A 911)",
    )
    event = IncidentEvent.objects.get(incident=incident, kind=events.HOSPITAL_STOOD_DOWN)
    assert event.seq == row.seq and events.payload_errors(event.kind, event.data) == []


def test_a_removed_hospital_still_reads_the_incident_up_to_its_removal(
    two_hospitals, world, dispatcher_a, nurse_a2, api, on_commit
):
    incident, _ = two_hospitals
    remove_a2(incident, world, dispatcher_a, on_commit)
    services.incident_update(actor=dispatcher_a, incident=incident, changes={"title": "Later"})
    as_user(api, nurse_a2)

    assert api.get(f"/api/v1/incidents/{incident.pk}/").status_code == 200
    kinds = [
        e["kind"] for e in api.get(f"/api/v1/incidents/{incident.pk}/events/").json()["results"]
    ]
    assert kinds[0] == "incident.declared"
    assert "hospital.removed" in kinds and kinds[-1] == "hospital.stood_down"
    assert "incident.updated" not in kinds  # after its removal
    # while dispatch sees the later change in the same timeline
    dispatch_kinds = [
        e["kind"]
        for e in as_user(api, dispatcher_a)
        .get(f"/api/v1/incidents/{incident.pk}/events/")
        .json()["results"]
    ]
    assert "incident.updated" in dispatch_kinds
    # it may no longer act for the incident
    as_user(api, nurse_a2)
    answer = api.post(
        f"/api/v1/incidents/{incident.pk}/hospitals/{world.hospital_a2.pk}/acknowledge/"
    )
    assert answer.status_code == 404


def test_the_record_says_when_and_by_whom_the_hospital_was_removed(
    two_hospitals, world, dispatcher_a, nurse_a2, client, on_commit
):
    incident, _ = two_hospitals
    remove_a2(incident, world, dispatcher_a, on_commit)
    client.force_login(nurse_a2)

    page = client.get(f"/record/incidents/{incident.pk}/")

    assert page.status_code == 200
    html = page.content.decode()
    row = HospitalStandDown.objects.get(incident=incident)
    assert f"removed at {timezone.localtime(row.at):%H:%M} by Dana Reyes" in html


def test_the_stand_down_card_stays_until_the_er_acknowledges_it(
    two_hospitals, world, dispatcher_a, nurse_a1, nurse_a2, api, on_commit
):
    incident, _ = two_hospitals
    remove_a2(incident, world, dispatcher_a, on_commit)

    as_user(api, nurse_a1)
    assert api.get("/api/v1/standdowns/").json()["results"] == []
    [card] = (
        as_user(api, nurse_a2)
        .get(f"/api/v1/standdowns/?hospital={world.hospital_a2.pk}")
        .json()["results"]
    )
    assert (card["incident"]["number"], card["reason_text"], card["by"]) == (
        incident.number,
        "removed from the incident",
        "Dana Reyes (A 911)",
    )
    # another hospital's staff cannot acknowledge it
    as_user(api, nurse_a1)
    assert api.post(f"/api/v1/standdowns/{card['id']}/acknowledge/").status_code == 404

    as_user(api, nurse_a2)
    answer = api.post(f"/api/v1/standdowns/{card['id']}/acknowledge/")

    assert answer.status_code == 200 and answer.json()["acknowledged_at"]
    assert api.get("/api/v1/standdowns/").json()["results"] == []
    event = IncidentEvent.objects.get(kind=events.HOSPITAL_STANDDOWN_ACKNOWLEDGED)
    assert event.hospital == world.hospital_a2
    kinds = [
        e["kind"] for e in api.get(f"/api/v1/incidents/{incident.pk}/events/").json()["results"]
    ]
    assert kinds[-1] == "hospital.standdown_acknowledged"


def test_de_escalation_stands_down_the_hospitals_nobody_is_headed_to(
    two_hospitals, world, dispatcher_a, on_commit
):
    incident, contacts = two_hospitals
    services.patient_register(
        actor=dispatcher_a,
        incident=incident,
        patients=[{"tag_number": "T-1", "category": "immediate", "destination": world.hospital_a1}],
    )
    with on_commit():
        services.incident_deescalate(actor=dispatcher_a, incident=incident)

    assert list(HospitalStandDown.objects.values_list("hospital", "reason")) == [
        (world.hospital_a2.pk, "deescalated")
    ]
    assert [t for t in texts_to(contacts["a2"]) if "STAND DOWN" in t]
    assert not [t for t in texts_to(contacts["a1"]) if "STAND DOWN" in t]

    with on_commit():
        services.incident_close(actor=dispatcher_a, incident=incident, summary="done", confirm=True)

    # closing stands down the rest, once each
    assert sorted(HospitalStandDown.objects.values_list("hospital", "reason")) == sorted(
        [(world.hospital_a2.pk, "deescalated"), (world.hospital_a1.pk, "closed")]
    )
    assert len([t for t in texts_to(contacts["a1"]) if "STAND DOWN" in t]) == 1
    assert Notification.objects.filter(kind=events.HOSPITAL_STOOD_DOWN).count() == 2


def test_a_hospital_removed_and_put_back_is_stood_down_again_when_the_incident_closes(
    two_hospitals, world, dispatcher_a, on_commit
):
    incident, _ = two_hospitals
    remove_a2(incident, world, dispatcher_a, on_commit)
    services.incident_hospital_add(
        actor=dispatcher_a, incident=incident, hospital=world.hospital_a2
    )

    services.incident_close(actor=dispatcher_a, incident=incident, summary="done")

    assert sorted(
        HospitalStandDown.objects.filter(hospital=world.hospital_a2).values_list(
            "reason", flat=True
        )
    ) == ["closed", "removed"]
