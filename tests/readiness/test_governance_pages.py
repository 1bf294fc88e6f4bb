"""Governance and interoperability pages: who sees them, what they show, the EM's forms."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from readiness.models import CommitteeMeeting, FundingLine, MutualAidAgreement, RadioChannel
from readiness.services import governance

pytestmark = pytest.mark.django_db


@pytest.fixture
def recorded(world):
    today = timezone.localdate()
    governance.create(
        actor=None,
        model=CommitteeMeeting,
        region=world.region_a,
        date=today - timedelta(days=30),
        disciplines_present=["law", "em"],
        decisions="Adopt the ICS 205 plan",
    )
    governance.create(
        actor=None,
        model=MutualAidAgreement,
        region=world.region_a,
        title="Fire-EMS compact",
        signed_on=today - timedelta(days=900),
        expires_on=today + timedelta(days=20),
        agencies=[world.police_a, world.ems_a],
    )
    governance.create(
        actor=None,
        model=RadioChannel,
        region=world.region_a,
        function="Unified command",
        discipline="law",
        channel_name="CMD 1",
        talk_group="TG 4001",
    )


def test_em_sees_everything_officials_governance_only(client, world, recorded, em_a, official_a):
    client.force_login(official_a)
    page = client.get("/readiness/governance/").content.decode()
    assert "Adopt the ICS 205 plan" in page and "Missing: EMS" in page
    assert "Fire-EMS compact" not in page and "Add a meeting" not in page
    assert 'href="/readiness/governance/"' in page  # navigation
    client.force_login(em_a)
    page = client.get("/readiness/governance/").content.decode()
    assert "Fire-EMS compact" in page and "Expires within 90 days" in page
    assert "Add a meeting" in page


def test_interoperability_plan_for_em_and_agency_admins(
    client, world, recorded, police_admin_a, responder_a
):
    client.force_login(responder_a)
    assert client.get("/readiness/interoperability/").status_code == 403
    assert client.get("/readiness/governance/").status_code == 403
    client.force_login(police_admin_a)
    page = client.get("/readiness/interoperability/")
    assert page.status_code == 200 and "TG 4001" in page.content.decode()
    assert client.get("/readiness/governance/").status_code == 403


def test_empty_states(client, world, em_a):
    client.force_login(em_a)
    page = client.get("/readiness/governance/").content.decode()
    assert "No committee meeting recorded in the last 12 months." in page
    assert "No mutual-aid agreements recorded yet." in page
    assert "No radio channels" in client.get("/readiness/interoperability/").content.decode()


def test_em_adds_a_meeting_an_agreement_and_a_funding_line(client, world, em_a, official_a):
    client.force_login(official_a)
    assert client.get("/readiness/governance/meetings/new/").status_code == 403
    client.force_login(em_a)
    meeting = {"date": "2026-05-01", "disciplines_present": ["law", "ems"], "decisions": "Go"}
    assert client.post("/readiness/governance/meetings/new/", meeting).status_code == 302
    assert CommitteeMeeting.objects.get().disciplines_present == ["ems", "law"]
    alone = {"title": "Solo", "signed_on": "2025-01-01", "agencies": [world.police_a.pk]}
    refused = client.post("/readiness/governance/mutual-aid/new/", alone)
    assert refused.status_code == 400 and "two or more agencies" in refused.content.decode()
    pair = {**alone, "agencies": [world.police_a.pk, world.ems_a.pk]}
    assert client.post("/readiness/governance/mutual-aid/new/", pair).status_code == 302
    line = {"program": "empg", "grant_year": 2026, "amount": "1000"}
    assert client.post("/readiness/governance/funding/new/", line).status_code == 302
    assert FundingLine.objects.get().program == "empg"
