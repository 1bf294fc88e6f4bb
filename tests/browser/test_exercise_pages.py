"""The exercise, after-action report and corrective-action pages pass axe-core's WCAG 2.1
AA rules, for the emergency manager (desktop and phone) and an agency admin; screenshots go
to /tmp/h7-*.png for a look."""

from __future__ import annotations

import pytest
from django.urls import reverse

from readiness.services import exercises
from tests.readiness.conftest import adopt
from tests.readiness.exercise_fixtures import played_exercise, report_with_actions

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


class _RealTime:
    """play() moves a clock between steps; here the steps happen in real time."""

    def at(self, *_args: int) -> None:
        return None


def test_exercise_and_aar_pages(
    page, sign_in, assert_accessible, world, em_a, police_admin_a, dispatcher_a, nurse_a1
):
    adopt(world.region_a)
    exercise = played_exercise(world, _RealTime(), dispatcher_a, nurse_a1)
    exercises.objective_add(
        actor=None, exercise=exercise, text="Acknowledge in 5 min", capability="health_ems"
    )
    exercises.objective_rate(actor=None, objective=exercise.objectives.get(), rating="S")
    report = report_with_actions(world, exercise)

    sign_in(page, "em_a")
    pages = [
        ("index", reverse("exercises:index")),
        ("detail", reverse("exercises:detail", kwargs={"pk": exercise.pk})),
        ("report", reverse("exercises:report", kwargs={"pk": report.pk})),
        ("actions", reverse("exercises:actions") + "?status=overdue"),
    ]
    for name, url in pages:
        page.goto(url)
        assert_accessible(page, f"the {name} page")
        page.screenshot(path=f"/tmp/h7-{name}.png", full_page=True)
    page.set_viewport_size(PHONE)
    page.goto(reverse("exercises:report", kwargs={"pk": report.pk}))
    assert_accessible(page, "the AAR on a phone")
    page.screenshot(path="/tmp/h7-report-phone.png", full_page=True)

    page.context.clear_cookies()
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in(page, "police_admin_a")
    page.goto(reverse("exercises:actions"))
    assert_accessible(page, "the agency admin's corrective actions")
    page.screenshot(path="/tmp/h7-actions-agency-admin.png", full_page=True)
    assert page.get_by_role("link", name="Corrective actions").count() >= 1
