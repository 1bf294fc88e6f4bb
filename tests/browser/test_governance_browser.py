"""The governance pages pass axe-core as their users see them: the EM's governance page with
a meeting missing a discipline and an expiring agreement, the agreement form with errors,
the printable channel plan, and an official's governance page with nothing recorded."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from readiness.models import CommitteeMeeting, FundingLine, MutualAidAgreement, RadioChannel
from readiness.services import governance

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shot(page, name: str) -> None:
    page.screenshot(path=str(Path("/tmp") / f"h10-{name}.png"), full_page=True)


def test_governance_pages_are_accessible(page, sign_in, assert_accessible, world, em_a, official_a):
    sign_in(page, "official_a")
    page.goto("/readiness/governance/")
    assert page.get_by_text("No committee meeting recorded in the last 12 months.").is_visible()
    assert_accessible(page, "official governance, empty")
    _shot(page, "governance-empty")
    page.context.clear_cookies()

    today = timezone.localdate()
    region = world.region_a
    governance.create(
        actor=None,
        model=CommitteeMeeting,
        region=region,
        date=today - timedelta(days=40),
        place="County EOC",
        disciplines_present=["law", "em", "ems"],
        decisions="Adopt the ICS 205 plan",
    )
    governance.create(
        actor=None,
        model=MutualAidAgreement,
        region=region,
        title="Police-EMS compact",
        signed_on=today - timedelta(days=1000),
        expires_on=today + timedelta(days=30),
        agencies=[world.police_a, world.ems_a],
    )
    governance.create(
        actor=None, model=FundingLine, region=region, program="empg", grant_year=2026, amount=5000
    )
    governance.create(
        actor=None,
        model=RadioChannel,
        region=region,
        function="Unified command",
        discipline="law",
        channel_name="CMD 1",
        talk_group="TG 4001",
        frequency_zone="Zone 2",
    )

    sign_in(page, "em_a")
    page.goto("/readiness/governance/")
    assert page.locator("#meetings-table").get_by_text("Missing:").is_visible()
    assert page.get_by_text("Expires within 90 days").is_visible()
    assert_accessible(page, "EM governance")
    _shot(page, "governance-em")

    page.goto("/readiness/governance/mutual-aid/new/")
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector(".errorlist")
    assert_accessible(page, "add an agreement, with errors")
    _shot(page, "agreement-form-errors")

    page.goto("/readiness/interoperability/")
    assert page.locator("#channels-table").get_by_text("TG 4001").is_visible()
    assert_accessible(page, "interoperability plan")
    _shot(page, "interoperability")
