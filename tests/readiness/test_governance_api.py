"""The governance API and its permission matrix: every refusal is paired with the allowed
user getting the same thing in the same test."""

from __future__ import annotations

from datetime import date

import pytest

from readiness.models import CommitteeMeeting, FundingLine, MutualAidAgreement, RadioChannel
from readiness.services import governance

pytestmark = pytest.mark.django_db
BASE = "/api/v1/readiness"


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


@pytest.fixture
def records(world):
    make = governance.create
    return {
        "channel": make(
            actor=None,
            model=RadioChannel,
            region=world.region_a,
            function="Staging",
            discipline="fire",
            channel_name="FG 3",
        ),
        "agreement": make(
            actor=None,
            model=MutualAidAgreement,
            region=world.region_a,
            title="Police-EMS",
            signed_on=date(2024, 1, 1),
            agencies=[world.police_a, world.ems_a],
        ),
        "other_agreement": make(
            actor=None,
            model=MutualAidAgreement,
            region=world.region_a,
            title="EMS-911",
            signed_on=date(2024, 1, 1),
            agencies=[world.dispatch_a, world.ems_a],
        ),
        "meeting": make(
            actor=None, model=CommitteeMeeting, region=world.region_a, date=date(2026, 5, 1)
        ),
        "funding": make(
            actor=None, model=FundingLine, region=world.region_a, program="empg", grant_year=2026
        ),
    }


def test_em_adds_changes_and_deletes_through_the_api(api, world, em_a, police_admin_a):
    api.force_authenticate(em_a)
    created = api.post(
        f"{BASE}/mutual-aid/",
        {
            "region": world.region_a.pk,
            "title": "County compact",
            "signed_on": "2025-01-01",
            "expires_on": "2030-01-01",
            "agencies": [world.police_a.pk, world.ems_a.pk],
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["state"] == "current" and sorted(body["agencies"]) == sorted(
        [world.police_a.pk, world.ems_a.pk]
    )
    pk = body["id"]
    api.force_authenticate(police_admin_a)
    assert api.patch(f"{BASE}/mutual-aid/{pk}/", {"title": "X"}, format="json").status_code == 403
    assert api.delete(f"{BASE}/mutual-aid/{pk}/").status_code == 403
    api.force_authenticate(em_a)
    changed = api.patch(f"{BASE}/mutual-aid/{pk}/", {"title": "Compact"}, format="json")
    assert changed.status_code == 200 and changed.json()["title"] == "Compact"
    assert api.delete(f"{BASE}/mutual-aid/{pk}/").status_code == 204
    assert not MutualAidAgreement.objects.filter(pk=pk).exists()


def test_bad_input_is_400_with_field_errors(api, world, em_a, official_a):
    api.force_authenticate(em_a)
    one = api.post(
        f"{BASE}/mutual-aid/",
        {
            "region": world.region_a.pk,
            "title": "Alone",
            "signed_on": "2025-01-01",
            "expires_on": "2024-01-01",
            "agencies": [world.police_a.pk],
        },
        format="json",
    )
    assert one.status_code == 400 and "agencies" in one.json()
    backwards = api.post(
        f"{BASE}/mutual-aid/",
        {
            "region": world.region_a.pk,
            "title": "Backwards",
            "signed_on": "2025-01-01",
            "expires_on": "2024-01-01",
            "agencies": [world.police_a.pk, world.ems_a.pk],
        },
        format="json",
    )
    assert backwards.status_code == 400 and "expires_on" in backwards.json()
    meeting = {"region": world.region_a.pk, "date": "2026-05-01", "disciplines_present": ["x"]}
    bad = api.post(f"{BASE}/meetings/", meeting, format="json")
    assert bad.status_code == 400 and "disciplines_present" in bad.json()
    meeting["disciplines_present"] = ["law", "em"]
    api.force_authenticate(official_a)
    refused = api.post(f"{BASE}/meetings/", meeting, format="json")
    assert refused.status_code == 400 and "region" in refused.json()
    api.force_authenticate(em_a)
    assert api.post(f"{BASE}/meetings/", meeting, format="json").status_code == 201
    funding = {"region": world.region_a.pk, "program": "lottery", "grant_year": 2026}
    assert "program" in api.post(f"{BASE}/funding/", funding, format="json").json()


def test_who_sees_what(
    api, world, records, em_a, official_a, police_admin_a, responder_a, outsider_b
):
    everything = {
        "radio-channels": [records["channel"].pk],
        "mutual-aid": sorted([records["agreement"].pk, records["other_agreement"].pk]),
        "meetings": [records["meeting"].pk],
        "funding": [records["funding"].pk],
    }
    api.force_authenticate(em_a)
    for path, expected in everything.items():
        assert sorted(ids(api.get(f"{BASE}/{path}/"))) == expected
    api.force_authenticate(official_a)
    assert ids(api.get(f"{BASE}/meetings/")) == everything["meetings"]
    assert ids(api.get(f"{BASE}/funding/")) == everything["funding"]
    assert ids(api.get(f"{BASE}/mutual-aid/")) == []
    assert ids(api.get(f"{BASE}/radio-channels/")) == []
    api.force_authenticate(police_admin_a)
    assert ids(api.get(f"{BASE}/mutual-aid/")) == [records["agreement"].pk]
    assert ids(api.get(f"{BASE}/radio-channels/")) == everything["radio-channels"]
    assert ids(api.get(f"{BASE}/meetings/")) == []
    assert api.get(f"{BASE}/mutual-aid/{records['other_agreement'].pk}/").status_code == 404
    for user in (responder_a, outsider_b):
        api.force_authenticate(user)
        for path in everything:
            assert ids(api.get(f"{BASE}/{path}/")) == []
        assert api.get(f"{BASE}/meetings/{records['meeting'].pk}/").status_code == 404
    api.force_authenticate(em_a)
    assert api.get(f"{BASE}/meetings/{records['meeting'].pk}/").status_code == 200
    api.force_authenticate(None)
    assert api.get(f"{BASE}/meetings/").status_code in (401, 403)


def test_officials_read_but_do_not_change_governance(api, world, records, em_a, official_a):
    url = f"{BASE}/funding/{records['funding'].pk}/"
    api.force_authenticate(official_a)
    assert api.get(url).status_code == 200
    assert api.patch(url, {"amount": "5.00"}, format="json").status_code == 403
    api.force_authenticate(em_a)
    assert api.patch(url, {"amount": "5.00"}, format="json").json()["amount"] == "5.00"


def test_funding_of_another_regions_session_is_refused(api, world, trained, outsider_b, em_a):
    line = {
        "program": "local",
        "grant_year": 2026,
        "sessions": [trained.session.pk],
    }
    api.force_authenticate(outsider_b)
    foreign = api.post(f"{BASE}/funding/", {**line, "region": world.region_b.pk}, format="json")
    assert foreign.status_code == 400 and "sessions" in foreign.json()
    api.force_authenticate(em_a)
    own = api.post(f"{BASE}/funding/", {**line, "region": world.region_a.pk}, format="json")
    assert own.status_code == 201 and own.json()["sessions"] == [trained.session.pk]
