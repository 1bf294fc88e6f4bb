"""Drill pages: the EM previews the audience per agency and starts a drill; results per
agency; agency admins read their agency's; others are refused."""

from __future__ import annotations

import pytest

from agencies.models import Role, RosterRole
from readiness.models import CommunicationsDrill
from readiness.services import drills
from tests.factories import user_with_roles
from tests.notifications.helpers import person

pytestmark = pytest.mark.django_db


@pytest.fixture
def roster(world):
    return [
        person(world.hospital_a1.agency, roles=[RosterRole.ER_CONTACT]),
        person(world.hospital_a1.agency, roles=[RosterRole.ER_CONTACT]),
        person(world.hospital_a2.agency, roles=[RosterRole.ER_CONTACT]),
    ]


def test_em_previews_then_starts_a_drill(
    client, world, roster, em_a, django_capture_on_commit_callbacks
):
    client.force_login(em_a)
    assert "Start a drill" in client.get("/readiness/drills/").content.decode()
    preview = client.post("/readiness/drills/new/", {"audience": "er_contacts", "preview": "1"})
    body = preview.content.decode()
    assert preview.status_code == 200
    assert "3 members" in body and "A1 Hospital" in body and "Start the drill" in body
    assert not CommunicationsDrill.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(
            "/readiness/drills/new/", {"audience": "er_contacts", "start": "1", "message": "Hi"}
        )
    drill = CommunicationsDrill.objects.get()
    assert started.status_code == 302 and started.url == f"/readiness/drills/{drill.pk}/"
    page = client.get(started.url).content.decode()
    assert "0% <span" in page and "A2 Hospital" in page


def test_errors_and_who_sees_what(client, world, roster, em_a):
    client.force_login(em_a)
    empty = client.post("/readiness/drills/new/", {"audience": "duty_officers", "preview": "1"})
    assert empty.status_code == 400 and "Nobody on the roster" in empty.content.decode()
    drill = drills.drill_start(actor=em_a, region=world.region_a, audience="er_contacts")

    admin = user_with_roles(world.hospital_a1.agency, Role.AGENCY_ADMIN)
    client.force_login(admin)
    assert client.get("/readiness/drills/new/").status_code == 403
    index = client.get("/readiness/drills/").content.decode()
    assert "Start a drill" not in index and "Drills" in index
    detail = client.get(f"/readiness/drills/{drill.pk}/").content.decode()
    assert "A1 Hospital" in detail and "A2 Hospital" not in detail

    client.force_login(user_with_roles(world.dispatch_a, Role.DISPATCHER))
    assert client.get("/readiness/drills/").status_code == 403
    assert client.get(f"/readiness/drills/{drill.pk}/").status_code == 404
    client.force_login(em_a)
    assert client.get(f"/readiness/drills/{drill.pk}/").status_code == 200
