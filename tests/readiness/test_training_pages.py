"""Training pages per role, the sign-in sheet import form and the CSV exports."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from readiness.models import Course, TrainingRecord, TrainingSession
from readiness.services import training
from tests.readiness.training_fixtures import Training

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_overview_per_role(trained: Training, em_a, official_a, police_admin_a, ems_a):
    training.attendance_record(actor=None, session=trained.session, member=trained.alice)
    assert client_for(ems_a).get("/readiness/training/").status_code == 403
    page = client_for(em_a).get("/readiness/training/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="catalogue"' in html and "ASIM-TTT" in html
    assert "50% <span" in html  # police: 1 of 2 responders
    assert 'href="/readiness/training/sessions/' in html
    official = client_for(official_a).get("/readiness/training/").content.decode()
    assert 'id="coverage"' in official and 'id="catalogue"' not in official
    admin = client_for(police_admin_a).get("/readiness/training/").content.decode()
    assert "A Police" in admin and "A EMS" not in admin.split('id="sessions"')[0]


def test_navigation_shows_training_to_the_roles_that_use_it(em_a, ems_a):
    assert (
        'href="/readiness/training/"'
        in client_for(em_a).get("/readiness/my-training/").content.decode()
    )
    medic = client_for(ems_a).get("/readiness/my-training/").content.decode()
    assert 'href="/readiness/training/"' not in medic and 'href="/readiness/my-training/"' in medic


def test_exports_are_csv(trained: Training, em_a, ems_a):
    training.attendance_record(actor=None, session=trained.session, member=trained.alice)
    for what, first in (
        ("sessions", "date,course"),
        ("coverage", "agency,discipline,responders,ASIM-B"),
        ("refreshers", "member,agency"),
    ):
        response = client_for(em_a).get(f"/readiness/training/{what}.csv")
        assert response["Content-Type"].startswith("text/csv")
        assert response.content.decode().startswith(first)
    assert client_for(ems_a).get("/readiness/training/coverage.csv").status_code == 403
    session = f"/readiness/training/sessions/{trained.session.pk}/?export=csv"
    assert "Alice Adams" in client_for(em_a).get(session).content.decode()


def test_session_page_imports_the_sheet_row_by_row(
    trained: Training, responder_a, police_admin_a, ems_a
):
    url = f"/readiness/training/sessions/{trained.session.pk}/"
    assert client_for(ems_a).get(url).status_code == 404
    sheet = "full_name,email\nAlice,alice@apd.test\nGhost,ghost@x.test\n"
    upload = SimpleUploadedFile("sheet.csv", sheet.encode(), content_type="text/csv")
    assert client_for(police_admin_a).post(url, {"file": upload}).status_code == 403
    upload = SimpleUploadedFile("sheet.csv", sheet.encode(), content_type="text/csv")
    page = client_for(responder_a).post(url, {"file": upload})
    assert page.status_code == 400
    html = page.content.decode()
    assert "Nothing was recorded" in html and "no roster member" in html
    assert not TrainingRecord.objects.exists()
    upload = SimpleUploadedFile("sheet.csv", sheet.replace("Ghost,ghost@x.test\n", "").encode())
    page = client_for(responder_a).post(url, {"file": upload})
    assert page.status_code == 200 and "1 new record" in page.content.decode()
    assert "Alice Adams" in client_for(police_admin_a).get(url).content.decode()


def test_my_training_and_its_empty_state(trained: Training, responder_a, ems_a):
    assert (
        "No training recorded for you yet"
        in client_for(ems_a).get("/readiness/my-training/").content.decode()
    )
    training.attendance_record(actor=None, session=trained.session, member=trained.teacher)
    html = client_for(responder_a).get("/readiness/my-training/").content.decode()
    assert "ASIM-B" in html and "Mar 1, 2028" in html
    # the instructor finds the sessions they teach here
    assert f'href="/readiness/training/sessions/{trained.session.pk}/"' in html


def test_an_em_adds_a_course_and_a_session_from_the_pages(
    world, trained: Training, em_a, police_admin_a
):
    assert client_for(police_admin_a).get("/readiness/training/courses/new/").status_code == 403
    em = client_for(em_a)
    bad = em.post(
        "/readiness/training/courses/new/",
        {"name": "Again", "code": "asim-b", "kind": "other", "hours": "2"},
    )
    assert bad.status_code == 400 and "already has a course ASIM-B" in bad.content.decode()
    added = em.post(
        "/readiness/training/courses/new/",
        {"name": "ICS-100", "code": "ics100", "kind": "nims_ics", "hours": "3", "required": "on"},
    )
    assert added.status_code == 302
    course = Course.objects.get(code="ICS100")
    assert course.required and course.refresher_months is None and course.disciplines == []
    assert client_for(police_admin_a).get("/readiness/training/sessions/new/").status_code == 403
    response = em.post(
        "/readiness/training/sessions/new/",
        {
            "course": course.pk,
            "date": "2026-05-02",
            "place": "EOC",
            "agencies": [world.police_a.pk, world.ems_a.pk],
            "instructors": [trained.teacher.pk],
        },
    )
    session = TrainingSession.objects.get(course=course)
    assert response.status_code == 302 and response["Location"].endswith(f"/sessions/{session.pk}/")
    assert set(session.agencies.all()) == {world.police_a, world.ems_a}
    foreign = em.post(
        "/readiness/training/sessions/new/",
        {"course": course.pk, "date": "2026-05-02", "agencies": [world.police_b.pk]},
    )
    assert foreign.status_code == 400
