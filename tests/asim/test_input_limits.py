"""JSON from outside is bounded in size and nesting before it is parsed (asim/input_limits.py),
and every API error is JSON — never a 500, never an HTML page."""

from __future__ import annotations

import json

import pytest
from django.http import HttpResponseBadRequest, HttpResponseNotAllowed, HttpResponseServerError
from rest_framework.test import APIClient

from agencies.models import Member
from asim.middleware import ApiErrorsAsJsonMiddleware
from incidents.models import Incident
from incidents.services.tokens import cad_token_create
from tests.conftest import as_user

pytestmark = pytest.mark.django_db

DEEP = "[" * 3000 + "]" * 3000


def post_raw(client: APIClient, url: str, body: str | bytes):
    return client.generic("POST", url, body, content_type="application/json")


def assert_json_error(response, status: int) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    return response.json()


@pytest.fixture
def cad(world) -> APIClient:
    _, key = cad_token_create(region=world.region_a, name="County CAD")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def test_a_deeply_nested_incident_is_refused_with_a_clear_400(api, dispatcher_a):
    body = assert_json_error(post_raw(as_user(api, dispatcher_a), "/api/v1/incidents/", DEEP), 400)
    assert "nested too deeply" in body["detail"]
    assert not Incident.objects.exists()
    # The same client still declares a normal incident.
    ok = post_raw(api, "/api/v1/incidents/", json.dumps({"title": "Shots fired"}))
    assert ok.status_code == 201, ok.content


def test_a_deeply_nested_member_is_refused_with_a_clear_400(api, police_admin_a, world):
    body = assert_json_error(post_raw(as_user(api, police_admin_a), "/api/v1/members/", DEEP), 400)
    assert "nested too deeply" in body["detail"]
    assert not Member.objects.filter(agency=world.police_a).exists()


def test_a_deep_value_inside_an_object_is_refused_too(api, dispatcher_a):
    nested = '{"title": "x", "estimated": ' + "[" * 3000 + "]" * 3000 + "}"
    response = post_raw(as_user(api, dispatcher_a), "/api/v1/incidents/", nested)
    assert "nested too deeply" in assert_json_error(response, 400)["detail"]


def test_brackets_inside_strings_do_not_count_as_nesting(api, dispatcher_a):
    title = "[[[[" * 20 + '\\"{{{' * 10
    response = post_raw(
        as_user(api, dispatcher_a), "/api/v1/incidents/", '{"title": "' + title + '"}'
    )
    assert response.status_code == 201, response.content
    assert Incident.objects.get().title.startswith("[[[[")


def test_cad_intake_refuses_deeply_nested_json_with_a_clear_400(cad):
    body = assert_json_error(post_raw(cad, "/api/v1/cad/incidents/", DEEP), 400)
    assert "nested too deeply" in body["detail"]


def test_a_body_over_the_upload_limit_gets_a_json_413(api, dispatcher_a, settings):
    big = json.dumps({"title": "x", "notes": "a" * (10 * 1024 * 1024)})
    response = post_raw(as_user(api, dispatcher_a), "/api/v1/incidents/", big)
    body = assert_json_error(response, 413)
    assert "too large" in body["detail"]
    assert not Incident.objects.exists()


def test_an_oversized_cad_call_gets_a_json_413(cad):
    big = json.dumps({"cad_number": "C-1", "title": "x" * (10 * 1024 * 1024)})
    assert (
        "too large"
        in assert_json_error(post_raw(cad, "/api/v1/cad/incidents/", big), 413)["detail"]
    )


def test_an_unknown_api_url_gets_a_json_404(api, dispatcher_a):
    body = assert_json_error(as_user(api, dispatcher_a).get("/api/v1/no-such-thing/"), 404)
    assert body["detail"]
    assert_json_error(APIClient().get("/api/nothing-here"), 404)


def test_a_wrong_method_under_the_api_gets_a_json_405(api, dispatcher_a):
    response = as_user(api, dispatcher_a).delete("/api/v1/incidents/")
    assert "not allowed" in assert_json_error(response, 405)["detail"]


def test_pages_outside_the_api_keep_their_html_error_pages(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    ("page", "status", "detail"),
    [
        (HttpResponseServerError("<h1>Server Error (500)</h1>"), 500, "Server error"),
        (HttpResponseNotAllowed(["GET"]), 405, 'Method "POST" not allowed.'),
        (HttpResponseBadRequest("<h1>Bad Request (400)</h1>"), 400, "Bad request."),
    ],
)
def test_django_error_pages_under_the_api_become_json(rf, page, status, detail):
    middleware = ApiErrorsAsJsonMiddleware(lambda request: page)
    response = middleware(rf.post("/api/v1/anything/"))
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content)["detail"].startswith(detail)
    if status == 405:
        assert response["Allow"] == "GET"
    # Outside the API the page is left as it is.
    assert ApiErrorsAsJsonMiddleware(lambda request: page)(rf.post("/incidents/x")) is page


def test_an_oversized_form_body_under_the_api_gets_a_json_413(api, dispatcher_a):
    body = "title=x&notes=" + "a" * (10 * 1024 * 1024)
    response = as_user(api, dispatcher_a).generic(
        "POST", "/api/v1/incidents/", body, content_type="application/x-www-form-urlencoded"
    )
    assert "too large" in assert_json_error(response, 413)["detail"]
    assert not Incident.objects.exists()
    ok = api.post("/api/v1/incidents/", {"title": "Shots fired"})  # a form post still works
    assert ok.status_code == 201, ok.content
