"""The API accepts what its OpenAPI schema says, and nothing more (asim/api.py, asim/openapi.py).

Fast, in-process companions of test_schemathesis.py: each names one kind of request the
schema does not allow and that the API used to take quietly.
"""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from agencies.models import DistributionList, Member
from tests.conftest import World, as_user
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def test_a_misspelt_filter_is_a_400_not_an_unfiltered_list(
    api: APIClient, dispatcher_a, world: World
) -> None:
    as_user(api, dispatcher_a)
    assert api.get("/api/v1/incidents/", {"status": "active"}).status_code == 200
    response = api.get("/api/v1/incidents/", {"stauts": "active"})
    assert response.status_code == 400
    assert "stauts" in response.json()
    assert "status" in response.json()["stauts"][0]  # it says which names it takes


def test_a_query_parameter_on_an_operation_that_takes_none_is_a_400(
    api: APIClient, dispatcher_a, world: World
) -> None:
    as_user(api, dispatcher_a)
    url = f"/api/v1/regions/{world.region_a.pk}/"
    assert api.get(url).status_code == 200
    assert api.get(url, {"debug": "1"}).status_code == 400


def test_the_boards_page_size_is_honoured_and_a_bad_one_refused(
    api: APIClient, police_admin_a, world: World
) -> None:
    MemberFactory.create_batch(60, agency=world.police_a)
    as_user(api, police_admin_a)
    page = api.get("/api/v1/members/", {"page_size": 100}).json()
    assert len(page["results"]) == Member.objects.filter(agency=world.police_a).count() >= 60
    assert len(api.get("/api/v1/members/").json()["results"]) == 50
    for bad in ("null", "0", "501", "ten"):
        assert api.get("/api/v1/members/", {"page_size": bad}).status_code == 400, bad


@pytest.mark.parametrize("value", ["null", "maybe", "yes"])
def test_a_boolean_filter_takes_true_or_false_only(
    api: APIClient, police_admin_a, world: World, value: str
) -> None:
    MemberFactory(agency=world.police_a, active=False)
    MemberFactory(agency=world.police_a, active=True)
    as_user(api, police_admin_a)
    active = api.get("/api/v1/members/", {"active": "true"}).json()["results"]
    assert active and all(m["active"] for m in active)
    response = api.get("/api/v1/members/", {"active": value})
    assert response.status_code == 400
    assert "active" in response.json()


def test_a_number_for_a_text_field_is_a_400_and_nothing_is_saved(
    api: APIClient, em_a, world: World
) -> None:
    as_user(api, em_a)
    body = {"region": world.region_a.pk, "name": 0}
    response = api.post("/api/v1/distribution-lists/", body, format="json")
    assert response.status_code == 400
    assert response.json() == {"name": ["Expected string."]}
    assert not DistributionList.objects.exists()
    body["name"] = "County officials"
    assert api.post("/api/v1/distribution-lists/", body, format="json").status_code == 201


def test_false_for_a_number_is_a_400(api: APIClient, dispatcher_a, world: World) -> None:
    as_user(api, dispatcher_a)
    body = {"title": "Drill", "latitude": 39.7, "longitude": False}
    response = api.post("/api/v1/incidents/", body, format="json")
    assert response.status_code == 400
    assert response.json() == {"longitude": ["Expected number or null."]}


def test_an_unknown_api_address_answers_json(api: APIClient, dispatcher_a) -> None:
    as_user(api, dispatcher_a)
    response = api.get("/api/v1/incidents/not-a-number/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}
