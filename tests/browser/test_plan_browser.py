"""The plan pages pass axe-core as the people who use them see them: the EM's empty plan,
the plan with an overdue document and uneven alignment, the document form with errors, and
the agency admin's alignment form."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from readiness.services import plan as services
from tests.readiness.conftest import adopt

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shot(page, name: str) -> None:
    page.screenshot(path=str(Path("/tmp") / f"h8-{name}.png"), full_page=True)


def test_plan_pages_are_accessible(page, sign_in, assert_accessible, world, em_a, police_admin_a):
    sign_in(page, "em_a")
    page.goto("/readiness/plan/")
    assert page.get_by_text("No plan documents yet").is_visible()
    assert_accessible(page, "EM plan, empty")
    _shot(page, "plan-empty")

    adopt(world.region_a)
    services.plan_document_add(
        actor=None,
        region=world.region_a,
        kind="eop_annex",
        title="Hostile event annex",
        url="https://plans.test/annex.pdf",
        version="2.1",
        review_due=date(2020, 1, 1),
    )
    services.alignment_set(
        actor=None,
        agency=world.police_a,
        status="adopted",
        signed_by_name="Jo Chief",
        signed_by_title="Chief of Police",
    )
    services.alignment_set(actor=None, agency=world.ems_a, status="own_plan")
    page.goto("/readiness/plan/")
    assert page.locator("#alignment-table").is_visible()
    assert page.get_by_text("Review overdue").is_visible()
    assert_accessible(page, "EM plan with documents and alignment")
    _shot(page, "plan-overview")

    page.goto("/readiness/plan/documents/new/")
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector(".errorlist")
    assert_accessible(page, "add a plan document, with errors")
    _shot(page, "plan-document-errors")

    page.context.clear_cookies()
    sign_in(page, "police_admin_a")
    page.goto("/readiness/plan/alignment/")
    assert_accessible(page, "agency admin's alignment form")
    _shot(page, "plan-alignment-form")
