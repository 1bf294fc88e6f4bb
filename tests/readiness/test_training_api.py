"""The training API per role: each refusal is paired with the allowed user succeeding."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from agencies.models import AuditEntry, Role
from readiness.models import Course, TrainingRecord
from readiness.services import training
from tests.conftest import as_user
from tests.factories import MemberFactory, user_with_roles
from tests.readiness.training_fixtures import Training

pytestmark = pytest.mark.django_db

API = "/api/v1/readiness"


def test_catalogue_read_by_region_kept_by_its_ems(
    api, world, trained: Training, em_a, ems_a, outsider_b
):
    body = {"region": world.region_a.pk, "name": "ICS-100", "code": "ICS100", "kind": "nims_ics"}
    assert as_user(api, ems_a).post(f"{API}/courses/", body, format="json").status_code == 403
    # outsider_b is an EM, of region B: a 400 on region
    response = as_user(api, outsider_b).post(f"{API}/courses/", body, format="json")
    assert response.status_code == 400 and "region" in response.json()
    response = as_user(api, em_a).post(f"{API}/courses/", body, format="json")
    assert response.status_code == 201 and response.json()["code"] == "ICS100"
    codes = [c["code"] for c in as_user(api, ems_a).get(f"{API}/courses/").json()["results"]]
    assert codes == ["ASIM-B", "ASIM-TTT", "ICS100"]
    assert as_user(api, outsider_b).get(f"{API}/courses/").json()["results"] == []
    url = f"{API}/courses/{trained.basic.pk}/"
    assert as_user(api, outsider_b).patch(url, {"hours": 4}, format="json").status_code == 404
    assert as_user(api, ems_a).patch(url, {"hours": 4}, format="json").status_code == 403
    assert as_user(api, em_a).patch(url, {"hours": 4}, format="json").status_code == 200
    assert Course.objects.get(pk=trained.basic.pk).hours == 4


def test_course_400s_name_the_fields(api, world, em_a, trained: Training):
    bad = {"region": world.region_a.pk, "name": "", "code": "asim-b", "disciplines": ["pirates"]}
    response = as_user(api, em_a).post(f"{API}/courses/", bad, format="json")
    assert response.status_code == 400
    assert {"name", "disciplines"} <= set(response.json())
    bad = {"region": world.region_a.pk, "name": "Again", "code": "asim-b"}
    response = as_user(api, em_a).post(f"{API}/courses/", bad, format="json")
    assert response.status_code == 400 and "code" in response.json()
    response = as_user(api, em_a).get(f"{API}/courses/?kind=x")
    assert response.status_code == 400 and "kind" in response.json()


def test_sessions_by_role(
    api, world, trained: Training, em_a, police_admin_a, responder_a, ems_a, official_a
):
    body = {
        "course": trained.basic.pk,
        "date": "2026-04-02",
        "place": "Fire academy",
        "agencies": [world.police_a.pk],
        "instructors": [trained.teacher.pk],
    }
    assert (
        as_user(api, police_admin_a).post(f"{API}/sessions/", body, format="json").status_code
        == 403
    )
    response = as_user(api, em_a).post(f"{API}/sessions/", body, format="json")
    assert response.status_code == 201, response.json()
    new = response.json()["id"]
    bad = as_user(api, em_a).post(
        f"{API}/sessions/", {**body, "agencies": [world.police_b.pk]}, format="json"
    )
    assert bad.status_code == 400 and "agencies" in bad.json()

    def listed(user) -> set[int]:
        return {s["id"] for s in as_user(api, user).get(f"{API}/sessions/").json()["results"]}

    assert listed(em_a) == {trained.session.pk, new}
    assert listed(police_admin_a) == {trained.session.pk, new}  # police attended both
    assert listed(responder_a) == {trained.session.pk, new}  # teaches both
    assert listed(ems_a) == set() and listed(official_a) == set()
    url = f"{API}/sessions/{new}/"
    assert as_user(api, ems_a).get(url).status_code == 404
    assert as_user(api, responder_a).patch(url, {"place": "X"}, format="json").status_code == 403
    assert as_user(api, em_a).patch(url, {"place": "X"}, format="json").json()["place"] == "X"


def test_attendance_by_role(
    api, world, trained: Training, em_a, police_admin_a, responder_a, ems_a
):
    url = f"{API}/sessions/{trained.session.pk}/attendance/"
    # an agency admin records their own agency's people, not another agency's
    refused = as_user(api, police_admin_a).post(url, {"member": trained.carol.pk}, format="json")
    assert refused.status_code == 400 and "member" in refused.json()
    ok = as_user(api, police_admin_a).post(url, {"member": trained.alice.pk}, format="json")
    assert ok.status_code == 201 and ok.json()["expires_on"] == "2028-03-01"
    # the session's instructor records anyone who attended
    assert (
        as_user(api, responder_a).post(url, {"member": trained.carol.pk}, format="json").status_code
        == 201
    )
    # a medic who neither teaches nor keeps records: the session is not theirs
    assert (
        as_user(api, ems_a).post(url, {"member": trained.bob.pk}, format="json").status_code == 404
    )
    assert (
        as_user(api, em_a).post(url, {"member": trained.bob.pk}, format="json").status_code == 201
    )
    names = lambda user: [r["member_name"] for r in as_user(api, user).get(url).json()]  # noqa: E731
    assert names(em_a) == ["Alice Adams", "Bob Brown", "Carol Cole"]
    assert names(police_admin_a) == ["Alice Adams", "Bob Brown"]
    carol = TrainingRecord.objects.get(member=trained.carol)
    assert as_user(api, police_admin_a).delete(f"{url}{carol.pk}/").status_code == 404
    assert as_user(api, responder_a).delete(f"{url}{carol.pk}/").status_code == 204
    assert (
        AuditEntry.objects.filter(object_type="trainingrecord", action="delete").get().actor
        == responder_a
    )


def _sheet(text: str) -> dict:
    return {"file": SimpleUploadedFile("sheet.csv", text.encode(), content_type="text/csv")}


def test_attendance_import_rows_and_roles(api, trained: Training, police_admin_a, responder_a):
    url = f"{API}/sessions/{trained.session.pk}/attendance/import/"
    sheet = "full_name,email\nAlice,alice@apd.test\nGhost,ghost@x.test\nCarol Cole,\n"
    assert (
        as_user(api, police_admin_a).post(url, _sheet(sheet), format="multipart").status_code == 403
    )
    response = as_user(api, responder_a).post(url, _sheet(sheet), format="multipart")
    assert response.status_code == 400
    assert response.json()["rows"][0]["line"] == 3
    assert "no roster member" in response.json()["rows"][0]["reasons"][0]
    assert not TrainingRecord.objects.exists()
    fixed = sheet.replace("Ghost,ghost@x.test\n", "")
    response = as_user(api, responder_a).post(url, _sheet(fixed), format="multipart")
    assert response.status_code == 200 and response.json() == {"recorded": 2, "unchanged": 0}
    bad = as_user(api, responder_a).post(url, _sheet("nope\n1\n"), format="multipart")
    assert bad.status_code == 400 and "full_name" in bad.json()["file"][0]


def test_coverage_for_ems_officials_and_admins(
    api, world, trained: Training, em_a, official_a, police_admin_a, ems_a
):
    training.attendance_record(actor=None, session=trained.session, member=trained.alice)
    assert as_user(api, ems_a).get(f"{API}/coverage/").status_code == 403
    body = as_user(api, official_a).get(f"{API}/coverage/").json()
    police = next(r for r in body["rows"] if r["agency_name"] == "A Police")
    assert police["cells"] == [
        {"course": trained.basic.pk, "trained": 1, "responders": 2, "percent": 50}
    ]
    assert body["instructors"] == [{"discipline": "EMS", "members": ["Tess Teacher"]}]
    assert as_user(api, em_a).get(f"{API}/coverage/").json()["rows"] == body["rows"]
    admin_rows = as_user(api, police_admin_a).get(f"{API}/coverage/").json()["rows"]
    assert [r["agency_name"] for r in admin_rows] == ["A Police"]


def test_my_training_is_ones_own(api, world, trained: Training, responder_a):
    training.attendance_record(actor=None, session=trained.session, member=trained.teacher)
    training.attendance_record(actor=None, session=trained.session, member=trained.alice)
    alice_user = user_with_roles(world.police_a, Role.RESPONDER, username="alice")
    MemberFactory(agency=world.police_a, user=alice_user, full_name="Alice elsewhere")
    mine = as_user(api, responder_a).get(f"{API}/my-training/").json()
    assert [r["member_name"] for r in mine] == ["Tess Teacher"]
    assert as_user(api, alice_user).get(f"{API}/my-training/").json() == []
