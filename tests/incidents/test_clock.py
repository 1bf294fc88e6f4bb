"""One clock on the server: summaries, messages, the record, its PDF and the CSV read the
incident's region's time zone, not the server's TIME_ZONE (New York in these tests)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from agencies.models import Region
from incidents import services
from notifications.texts import context_for, render_texts
from tests.incidents.conftest import declare
from tests.readiness.test_record import parse_csv, pdf_text

CHICAGO = ZoneInfo("America/Chicago")
ETA = datetime(2026, 1, 15, 16, 41, tzinfo=UTC)  # 10:41 in Chicago, 11:41 in New York


@pytest.fixture
def chicago(world, settings):
    settings.TIME_ZONE = "America/New_York"
    world.region_a.time_zone = "America/Chicago"
    world.region_a.save()
    return world


def test_a_region_gets_the_default_zone_and_refuses_a_zone_that_does_not_exist(db, settings):
    region = Region(name="Lakes", code="lakes")
    assert region.time_zone == settings.TIME_ZONE
    region.time_zone = "America/Chicago"
    region.full_clean()
    region.time_zone = "Mars/Olympus_Mons"
    with pytest.raises(ValidationError) as error:
        region.full_clean()
    assert "is not a time zone" in str(error.value.message_dict["time_zone"])


def test_an_eta_in_a_timeline_summary_reads_the_regions_clock(chicago, dispatcher_a):
    incident = declare(chicago.region_a, dispatcher_a)
    (patient,) = services.patient_register(
        actor=dispatcher_a,
        incident=incident,
        patients=[{"tag_number": "T-1", "category": "delayed", "destination": chicago.hospital_a1}],
    )
    services.patients_transport(
        actor=dispatcher_a, incident=incident, patients=[patient], unit="Medic 1", eta=ETA
    )
    summary = incident.events.get(kind="patient.transported").summary
    assert summary.endswith("ETA 10:41"), summary


def test_a_message_template_reads_the_regions_clock(chicago, dispatcher_a):
    incident = declare(chicago.region_a, dispatcher_a)
    incident.declared_at = ETA
    _, texts = render_texts(
        kind="incident.declared",
        templates={"sms": "Declared at {{ incident.declared_at|time:'H:i' }}"},
        channels=["sms"],
        context=context_for(incident=incident),
        exercise=False,
    )
    assert texts["sms"] == "Declared at 10:41"


def test_the_snapshot_the_csv_the_record_and_its_pdf_name_the_regions_zone(
    api, chicago, dispatcher_a
):
    incident = declare(chicago.region_a, dispatcher_a)
    declared = incident.declared_at.astimezone(CHICAGO)
    api.force_login(dispatcher_a)
    base = f"/api/v1/incidents/{incident.pk}"

    assert api.get(f"{base}/board/").json()["incident"]["time_zone"] == "America/Chicago"

    (first, *_) = parse_csv(api.get(f"{base}/record/timeline.csv"))
    assert first["time"] == declared.isoformat(timespec="seconds")  # …-06:00 or -05:00

    page = api.get(f"/record/incidents/{incident.pk}/").content.decode()
    assert f"From {declared:%Y-%m-%d %H:%M} {declared.tzname()}" in page
    assert "All times America/Chicago" in page

    pdf = pdf_text(api.get(f"/record/incidents/{incident.pk}.pdf"))
    assert f"From {declared:%Y-%m-%d %H:%M} {declared.tzname()}" in pdf
    assert "All times America/Chicago" in pdf
