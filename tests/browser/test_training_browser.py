"""The training pages pass axe-core as the people who use them see them: the EM's overview
with coverage and refreshers due, the course and session forms, a session whose sign-in sheet
had bad rows, my training (with records and empty)."""

from __future__ import annotations

from pathlib import Path

import pytest

from readiness.services import training
from tests.readiness.training_fixtures import build_training

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shot(page, name: str) -> None:
    page.screenshot(path=str(Path("/tmp") / f"h6-{name}.png"), full_page=True)


def test_training_pages_are_accessible(
    page, sign_in, assert_accessible, world, em_a, responder_a, ems_a
):
    data = build_training(world, responder_a)
    training.attendance_record(actor=None, session=data.session, member=data.alice)
    training.attendance_record(actor=None, session=data.session, member=data.teacher)

    sign_in(page, "em_a")
    page.goto("/readiness/training/")
    assert page.locator("#coverage-table").is_visible()
    assert_accessible(page, "EM training overview")
    _shot(page, "training-overview")

    page.goto("/readiness/training/courses/new/")
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector(".errorlist")
    assert_accessible(page, "add a course, with errors")
    _shot(page, "training-course-form-errors")

    page.goto("/readiness/training/sessions/new/")
    assert_accessible(page, "add a session")
    _shot(page, "training-session-form")

    page.goto(f"/readiness/training/sessions/{data.session.pk}/")
    sheet = "full_name,email\nGhost,ghost@x.test\nBad,not-an-email\n"
    page.set_input_files(
        "input[type=file]",
        files=[{"name": "sheet.csv", "mimeType": "text/csv", "buffer": sheet.encode()}],
    )
    page.get_by_role("button", name="Check and record").click()
    page.wait_for_selector("#row-errors")
    assert_accessible(page, "session with sign-in sheet errors")
    _shot(page, "training-session-errors")

    page.context.clear_cookies()
    sign_in(page, "responder_a")
    page.goto("/readiness/my-training/")
    assert page.locator("#my-records").is_visible()
    assert_accessible(page, "my training")
    _shot(page, "my-training")

    page.context.clear_cookies()
    sign_in(page, "medic_a")
    page.goto("/readiness/my-training/")
    assert_accessible(page, "my training, empty")
    _shot(page, "my-training-empty")
