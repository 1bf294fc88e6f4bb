"""The record's first key figure: declaration → the first alert to a hospital accepted by the
provider (not the moment the hospital was put on the incident, which is the declaration's own
transaction). Through the fake Twilio, which answers only after a delay."""

from __future__ import annotations

import pytest

from incidents import events
from incidents.models import IncidentEvent
from readiness.record import build as record
from tests.incidents.conftest import declare
from tests.notifications.helpers import build_roster, rule

pytestmark = pytest.mark.django_db


def figure(incident, key: str) -> dict:
    return next(m for m in record.key_figures(incident)["milestones"] if m["key"] == key)


@pytest.fixture
def a1_alerted_by_sms(world, notify_settings, twilio_settings):
    world.region_a.hospitals_to_notify = 1
    world.region_a.save()
    roster = build_roster(world)
    rule(world, incident_hospitals_er=True)
    return roster


def test_first_hospital_notified_is_when_the_provider_accepted_its_alert(
    world, a1_alerted_by_sms, dispatcher_a, twilio_fake, on_commit, api
):
    twilio_fake.latency_ms = 1500  # Twilio takes 1.5 s to accept each message

    with on_commit():
        incident = declare(world.region_a, dispatcher_a)

    first = figure(incident, "first_hospital_notified")
    assert first["seconds"] >= 1 and first["elapsed"] != "0:00"  # the delay shows
    assert first["note"] == "A1 Hospital, by SMS"
    assert "hospital.notified" in first["source"]
    # Two ER contacts were alerted; the hospital was notified once, at the first acceptance.
    [notified] = IncidentEvent.objects.filter(incident=incident, kind=events.HOSPITAL_NOTIFIED)
    assert events.payload_errors(notified.kind, notified.data) == []
    assert notified.summary == "A1 Hospital notified: first alert SMS accepted by the provider"
    assert notified.at == first["at"]
    api.force_login(dispatcher_a)
    page = api.get(f"/record/incidents/{incident.pk}/").content.decode()
    assert "from incident.declared to first hospital.notified" in page
    body = api.get(f"/api/v1/incidents/{incident.pk}/record/figures/").json()
    assert body["milestones"][0]["source"] == first["source"]


def test_a_hospital_whose_alerts_were_all_refused_is_not_notified(
    world, a1_alerted_by_sms, dispatcher_a, twilio_fake, on_commit
):
    for member in a1_alerted_by_sms.er_a1:
        twilio_fake.fail_always(member.contact_points.get(channel="sms").address, 21211)

    with on_commit():
        incident = declare(world.region_a, dispatcher_a)

    first = figure(incident, "first_hospital_notified")
    assert (first["at"], first["note"]) == (None, "no alert accepted by a provider yet")
    assert incident.hospitals.count() == 1  # on the incident, but never reached
    assert not IncidentEvent.objects.filter(incident=incident, kind=events.HOSPITAL_NOTIFIED)
