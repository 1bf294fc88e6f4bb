"""Exercise and AAR pages: the schedule and progressive path, the exercise, the printable
AAR and its PDF (figures from the played exercise incident), corrective actions and CSV."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from readiness.services import after_action, exercises
from tests.readiness.exercise_fixtures import played_exercise, report_with_actions, tabletop
from tests.readiness.test_record import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def exercise(world, plan, clock, dispatcher_a, nurse_a1):
    return played_exercise(world, clock, dispatcher_a, nurse_a1)


@pytest.fixture
def report(world, exercise):
    report = report_with_actions(world, exercise)
    exercises.objective_add(
        actor=None,
        exercise=exercise,
        text="Hospitals acknowledge in 5 min",
        capability="health_ems",
    )
    exercises.objective_rate(actor=None, objective=exercise.objectives.get(), rating="P")
    return report


def test_the_schedule_and_progressive_path(api, world, exercise, em_a, official_a):
    held = tabletop(world, name="Old TTX", planned_on=date(2025, 5, 1))
    exercises.exercise_hold(actor=None, exercise=held, held_on=date(2025, 5, 1))
    api.force_login(official_a)
    assert api.get("/readiness/exercises/").status_code == 404
    api.force_login(em_a)
    page = api.get("/readiness/exercises/").content.decode()
    assert "Mall functional exercise" in page and "Old TTX" in page
    assert 'id="schedule-2026"' in page and 'id="schedule-2025"' in page
    assert "Tabletop exercise 2025" in page and "Functional exercise 2026" in page
    assert "Next: a full-scale exercise." in page  # police and EMS did TTX then FE
    assert "Start with a seminar or a tabletop exercise." in page  # e.g. A 911 did none


def test_empty_states(api, world, em_a, police_admin_a):
    api.force_login(em_a)
    assert "No exercises yet" in api.get("/readiness/exercises/").content.decode()
    api.force_login(police_admin_a)
    assert "No corrective actions" in api.get("/readiness/corrective-actions/").content.decode()


def test_the_exercise_page_shows_ratings_and_the_incidents_figures(api, report, exercise, em_a):
    api.force_login(em_a)
    page = api.get(f"/readiness/exercises/{exercise.pk}/").content.decode()
    assert "Hospitals acknowledge in 5 min" in page and "<strong>P</strong>" in page
    assert "14:30" in page  # last patient arrived
    assert f"/readiness/after-action-reports/{report.pk}/" in page


def test_the_aar_page_and_pdf_in_hseep_layout(api, report, exercise, em_a, official_a):
    api.force_login(em_a)
    page = api.get(f"/readiness/after-action-reports/{report.pk}/").content.decode()
    for words in (
        "Exercise overview",
        "Objectives, core capabilities and ratings",
        "Key figures against targets",
        "Strengths",
        "Areas for improvement",
        "Improvement plan",
        "EXERCISE EXERCISE EXERCISE",
        "overdue",
        "<svg",
    ):
        assert words in page, words
    text = pdf_text(api.get(f"/readiness/after-action-reports/{report.pk}.pdf"))
    (incident,) = exercise.incidents.all()
    for words in (
        "Mall functional exercise after-action report",
        incident.number,
        "First hospital acknowledgement",
        "2:00",
        "14:30",
        "Fast hospital acknowledgement",
        "A Police action",
        "Hospitals acknowledge in 5 min",
    ):
        assert words in text, words
    assert "(OVERDUE)" in "".join(text.split())
    # Officials read the issued report, without the improvement plan.
    api.force_login(official_a)
    assert api.get(f"/readiness/after-action-reports/{report.pk}/").status_code == 404
    after_action.aar_issue(actor=None, report=report)
    page = api.get(f"/readiness/after-action-reports/{report.pk}/").content.decode()
    assert "Strengths" in page and "A Police action" not in page


def test_the_pdf_prints_markup_as_written(api, world, exercise, em_a):
    report = after_action.aar_draft_for_exercise(actor=None, exercise=exercise)
    after_action.aar_update(
        actor=None, report=report, strengths="<font size=60>BIG</font> & <b>bold</b>"
    )
    api.force_login(em_a)
    response = api.get(f"/readiness/after-action-reports/{report.pk}.pdf")
    # The PDF draws a line in pieces; compare without the spaces between them.
    drawn = "".join(pdf_text(response).split())
    assert "<fontsize=60>BIG</font>&<b>bold</b>" in drawn


def test_corrective_actions_filter_and_csv(api, world, report, em_a, police_admin_a, outsider_b):
    api.force_login(police_admin_a)
    page = api.get("/readiness/corrective-actions/").content.decode()
    assert "A Police action" in page and "A EMS action" not in page and "overdue" in page
    api.force_login(em_a)
    page = api.get("/readiness/corrective-actions/", {"status": "overdue"}).content.decode()
    assert "A Police action" in page and "A EMS action" not in page
    page = api.get("/readiness/corrective-actions/", {"agency": world.ems_a.pk}).content.decode()
    assert "A EMS action" in page and "A Police action" not in page
    response = api.get("/readiness/corrective-actions.csv", {"status": "open"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(r["agency"], r["overdue"]) for r in rows] == [("A Police", "yes"), ("A EMS", "")]
    api.force_login(outsider_b)
    assert "A Police action" not in api.get("/readiness/corrective-actions/").content.decode()
