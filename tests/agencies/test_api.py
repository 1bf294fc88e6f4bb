"""The agencies API as a whole: authentication, the OpenAPI schema and docs, pagination, the
directory (regions, agencies) and its filters, and malformed requests.

The permission matrix is in test_api_permissions.py; rosters, hospitals and distribution lists
have their own modules.
"""

from __future__ import annotations

import secrets
from typing import Any

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from agencies.models import Discipline, Member
from tests.conftest import World, as_user
from tests.factories import PASSWORD, AgencyFactory, MemberFactory, RegionFactory


def names(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["name"] for row in response.json()["results"]]


# --- authentication ---------------------------------------------------------------------------


def test_anonymous_requests_are_refused_without_data(api: APIClient, world: World) -> None:
    MemberFactory(agency=world.police_a)
    for url in ("/api/v1/members/", "/api/v1/hospitals/", "/api/v1/regions/", "/api/v1/audit/"):
        response = api.get(url)
        assert response.status_code in (401, 403), url
        assert "results" not in response.json()


def test_a_cad_integration_reads_the_roster_with_a_token(
    api: APIClient, world: World, dispatcher_a: Any
) -> None:
    MemberFactory(agency=world.police_a, full_name="Pat Doe")
    token = Token.objects.create(user=dispatcher_a)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = api.get("/api/v1/members/")
    assert response.status_code == 200
    assert [row["full_name"] for row in response.json()["results"]] == ["Pat Doe"]


def test_a_token_writes_without_a_csrf_token_and_is_recorded_as_its_user(
    world: World, police_admin_a: Any
) -> None:
    client = APIClient(enforce_csrf_checks=True)
    token = Token.objects.create(user=police_admin_a)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = client.post(
        "/api/v1/members/", {"agency": world.police_a.pk, "full_name": "Kim Lee"}, format="json"
    )
    assert response.status_code == 201, response.content
    audit = client.get("/api/v1/audit/").json()["results"][0]
    assert (audit["actor_username"], audit["object_repr"]) == ("police_admin_a", "Kim Lee")


def test_an_unknown_token_is_refused(api: APIClient, world: World) -> None:
    api.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    response = api.get("/api/v1/regions/")
    assert response.status_code in (401, 403)
    assert "Invalid token" in response.json()["detail"]


def test_a_browser_session_must_send_the_csrf_token_to_change_anything(
    world: World, police_admin_a: Any
) -> None:
    client = APIClient(enforce_csrf_checks=True)
    assert client.login(username="police_admin_a", password=PASSWORD)
    payload = {"agency": world.police_a.pk, "full_name": "Kim Lee"}

    assert client.get("/api/v1/members/").status_code == 200
    refused = client.post("/api/v1/members/", payload, format="json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]

    csrf = secrets.token_hex(16)  # 32 characters: a valid unmasked secret
    client.cookies["csrftoken"] = csrf
    accepted = client.post("/api/v1/members/", payload, format="json", HTTP_X_CSRFTOKEN=csrf)
    assert accepted.status_code == 201
    assert Member.objects.filter(full_name="Kim Lee").count() == 1


# --- schema and docs --------------------------------------------------------------------------


def test_the_openapi_schema_documents_the_agencies_endpoints(
    client: Any, world: World, dispatcher_a: Any
) -> None:
    client.force_login(dispatcher_a)
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/v1/regions/",
        "/api/v1/agencies/",
        "/api/v1/hospitals/{id}/status/",
        "/api/v1/members/{id}/",
        "/api/v1/contact-points/",
        "/api/v1/distribution-lists/{id}/recipients/",
        "/api/v1/audit/",
    ):
        assert path in paths, path
    assert "patch" in paths["/api/v1/hospitals/{id}/status/"]
    assert "Deactivate" in paths["/api/v1/members/{id}/"]["delete"]["summary"]


def test_the_swagger_ui_opens_for_a_logged_in_user(
    client: Any, world: World, dispatcher_a: Any
) -> None:
    client.force_login(dispatcher_a)
    response = client.get("/api/docs/")
    assert response.status_code == 200
    assert b"swagger-ui" in response.content


# --- pagination -------------------------------------------------------------------------------


def test_lists_come_in_pages_of_fifty_with_count_and_next(
    api: APIClient, world: World, police_admin_a: Any
) -> None:
    MemberFactory.create_batch(60, agency=world.police_a)
    as_user(api, police_admin_a)

    first = api.get("/api/v1/members/").json()
    assert first["count"] == 60
    assert len(first["results"]) == 50
    assert first["previous"] is None
    assert "page=2" in first["next"]

    second = api.get(first["next"]).json()
    assert len(second["results"]) == 10
    assert second["next"] is None
    seen = {row["id"] for row in first["results"]} | {row["id"] for row in second["results"]}
    assert len(seen) == 60


def test_a_page_past_the_end_is_a_404_not_an_error(
    api: APIClient, world: World, police_admin_a: Any
) -> None:
    as_user(api, police_admin_a)
    assert api.get("/api/v1/members/", {"page": 9}).status_code == 404


# --- the directory ----------------------------------------------------------------------------


def test_a_dispatcher_sees_their_region_and_the_counties_below_it_but_no_other_region(
    api: APIClient, world: World, dispatcher_a: Any
) -> None:
    RegionFactory(name="A North County", parent=world.region_a)
    RegionFactory(name="B North County", parent=world.region_b)
    as_user(api, dispatcher_a)
    assert names(api.get("/api/v1/regions/")) == ["A North County", "Region A"]


def test_agencies_filter_by_discipline_and_show_their_hospital_profile(
    api: APIClient, world: World, dispatcher_a: Any
) -> None:
    as_user(api, dispatcher_a)
    response = api.get("/api/v1/agencies/", {"discipline": Discipline.HOSPITAL})
    assert names(response) == ["A1 Hospital", "A2 Hospital"]
    hospitals = {row["name"]: row["hospital"] for row in response.json()["results"]}
    assert hospitals == {"A1 Hospital": world.hospital_a1.pk, "A2 Hospital": world.hospital_a2.pk}
    police = api.get(f"/api/v1/agencies/{world.police_a.pk}/").json()
    assert police["hospital"] is None


def test_agencies_filter_by_region_and_active(
    api: APIClient, world: World, dispatcher_a: Any
) -> None:
    sub = RegionFactory(name="A North County", parent=world.region_a)
    AgencyFactory(region=sub, name="North Fire", discipline=Discipline.FIRE)
    AgencyFactory(region=sub, name="Old Fire", discipline=Discipline.FIRE, active=False)
    as_user(api, dispatcher_a)
    assert names(api.get("/api/v1/agencies/", {"region": sub.pk})) == ["North Fire", "Old Fire"]
    active = api.get("/api/v1/agencies/", {"region": sub.pk, "active": "false"})
    assert names(active) == ["Old Fire"]


def test_agencies_search_by_name_or_short_code(
    api: APIClient, world: World, dispatcher_a: Any
) -> None:
    AgencyFactory(region=world.region_a, name="Miami Valley Fire", short_code="MVF")
    as_user(api, dispatcher_a)
    assert names(api.get("/api/v1/agencies/", {"search": "valley"})) == ["Miami Valley Fire"]
    assert names(api.get("/api/v1/agencies/", {"search": "mvf"})) == ["Miami Valley Fire"]
    assert names(api.get("/api/v1/agencies/", {"search": "B Police"})) == []


def test_filtering_by_a_region_the_user_cannot_see_is_a_400_not_a_peek(
    api: APIClient, world: World, dispatcher_a: Any
) -> None:
    as_user(api, dispatcher_a)
    response = api.get("/api/v1/agencies/", {"region": world.region_b.pk})
    assert response.status_code == 400
    assert "region" in response.json()
    assert api.get("/api/v1/agencies/", {"discipline": "wizards"}).status_code == 400


# --- malformed requests -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ('{"full_name": ', "application/json"),
        ("[1, 2, 3]", "application/json"),
        ("full_name=Kim", "text/plain"),
    ],
    ids=["truncated-json", "json-array", "unsupported-content-type"],
)
def test_malformed_request_bodies_are_4xx_with_a_message_not_a_500(
    api: APIClient, world: World, police_admin_a: Any, body: str, content_type: str
) -> None:
    as_user(api, police_admin_a)
    response = api.post("/api/v1/members/", body, content_type=content_type)
    assert response.status_code in (400, 415)
    assert response.json()  # a message the client can show
    assert not Member.objects.exists()
