"""The OpenAPI schema tells the truth: schemathesis against a live server, per role.

The demo county is seeded, a dispatcher declares an exercise MCI with patients, an
emergency manager posts an update and assigns a role, and the county gets a CAD key; then
`st run` (all checks, positive and negative data, a fixed seed and a bounded number of
examples) runs against pytest-django's live server once for each of a dispatcher, an ER
nurse, an emergency manager and an agency admin, each with their own API token (and the CAD
key for CAD intake). Path ids point at the seeded records, so detail operations answer with
real bodies rather than 404s.

Expected: no server error, no response outside the schema (body, status code, content
type), no schema-violating request accepted, no schema-valid request refused — except a 400
where the schema cannot say what the service judges (see `_positive_may_refuse`).
The JUnit report and the full output of each run are kept in test-artifacts/schemathesis/.
"""

from __future__ import annotations

import json
import logging
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from agencies.models import ContactPoint, DistributionList, Hospital, Member, Region
from incidents.services.tokens import cad_token_create
from interop.models import ExchangePartner
from interop.services import partner_create
from notifications.models import Delivery, MessageTemplate, Notification, NotificationRule
from readiness.models import IncidentChecklistItem, RoleAssignment, TrainingRecord

pytestmark = [pytest.mark.schemathesis, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "schemathesis"
ST = Path(sys.executable).parent / "st"
SEED = 20261201
MAX_EXAMPLES = 5
# Demo logins (agencies/demo.py), one per role, and the phases each runs. The coverage phase
# (every boundary and every kind of invalid value, deterministic) is the long one: it runs
# for the emergency manager, who may write the most; the others fuzz every operation.
ROLES = {
    "dispatcher": ("dispatcher", "fuzzing,stateful"),
    "er_nurse": ("nurse", "fuzzing,stateful"),
    "emergency_manager": ("em", "coverage,fuzzing,stateful"),
    "agency_admin": ("police_admin", "fuzzing,stateful"),
}
# Query filters that take the id of a record the user must be able to see: an unknown or
# foreign id is a 400 by design (agencies/filters.py), which no schema can express.
ID_FILTERS = {"region", "agency", "member", "incident", "situation_update", "destination"}
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def _positive_may_refuse(method: str, query_names: set[str]) -> bool:
    """Whether a schema-valid request may still be a 400 here. Writes are judged by the
    services on state and references (a closed incident, an id of another region, a
    duplicate name, both coordinates or neither); reads only through id filters."""
    return method in WRITE_METHODS or bool(query_names & ID_FILTERS)


def _seed(api: APIClient) -> dict[str, Any]:
    """The demo county with one live exercise incident; returns the ids the paths use."""
    call_command("seed_demo", stdout=StringIO())
    usernames = [username for username, _ in ROLES.values()]
    users = {u.username: u for u in get_user_model().objects.filter(username__in=usernames)}
    county = Region.objects.get(code="twin-rivers")
    nurse_hospital = Hospital.objects.get(agency__memberships__user=users["nurse"])

    api.force_authenticate(users["dispatcher"])
    incident = api.post(
        "/api/v1/incidents/",
        {
            "title": "Schema exercise",
            "kind": "active_shooter",
            "location_text": "Riverton High School",
            "latitude": 39.76,
            "longitude": -84.19,
            "application": "exercise",
            "estimated": {"immediate": 3, "delayed": 5, "minor": 10},
        },
        format="json",
    )
    assert incident.status_code == 201, incident.content
    incident_id = incident.json()["id"]
    base = f"/api/v1/incidents/{incident_id}"
    on_incident = {row["hospital_id"] for row in api.get(f"{base}/hospitals/").json()["results"]}
    if nurse_hospital.pk not in on_incident:
        api.post(f"{base}/hospitals/", {"hospital": nurse_hospital.pk}, format="json")
    patients = api.post(
        f"{base}/patients/",
        {
            "patients": [
                {"tag_number": f"SX-{n}", "category": c, "destination": nurse_hospital.pk}
                for n, c in enumerate(["immediate", "delayed", "minor"], start=1)
            ]
        },
        format="json",
    )
    assert patients.status_code == 201, patients.content
    patient_ids = [p["id"] for p in patients.json()["results"]]
    moved = api.post(
        f"{base}/patients/transport/",
        {"patients": patient_ids[:2], "unit": "Medic 12", "destination": nurse_hospital.pk},
        format="json",
    )
    assert moved.status_code == 200, moved.content

    api.force_authenticate(users["em"])
    county_lists = DistributionList.objects.filter(region=county).order_by("id")
    update = api.post(
        f"{base}/updates/",
        {"body": "Exercise: perimeter set.", "audience": [county_lists[0].pk]},
        format="json",
    )
    assert update.status_code == 201, update.content
    drill = api.post(
        "/api/v1/readiness/drills/",
        {
            "region": county.pk,
            "audience": "distribution_list",
            "distribution_list": county_lists[0].pk,
        },
        format="json",
    )
    assert drill.status_code == 201, drill.content
    pio = {"role": "pio", "name": "Pat Doyle", "agency_name": "TREMA"}
    role = api.post(f"{base}/roles/", pio, format="json")
    assert role.status_code == 201, role.content
    api.force_authenticate(None)

    police_member = Member.objects.filter(agency__memberships__user=users["police_admin"]).first()
    _, cad_key = cad_token_create(region=county, name="Schema CAD")
    _, interop_key = partner_create(
        region=county, name="Schema exchange", scopes=ExchangePartner.Scope.values
    )
    return {
        "cad_key": cad_key,
        "interop_key": interop_key,
        "incident": incident_id,
        "hospital_on_incident": nurse_hospital.pk,
        "patient": patient_ids[0],
        "checklist_item": IncidentChecklistItem.objects.filter(checklist__incident_id=incident_id)
        .order_by("id")
        .values_list("id", flat=True)
        .first(),
        "assignment": RoleAssignment.objects.filter(incident_id=incident_id).first().pk,
        "region": county.pk,
        "drill": drill.json()["id"],
        "agency": police_member.agency_id,
        "hospital": nurse_hospital.pk,
        "member": police_member.pk,
        "contact_point": ContactPoint.objects.filter(member=police_member).first().pk,
        "distribution_list": county_lists[0].pk,
        "notification": Notification.objects.filter(incident_id=incident_id).first().pk,
        "rule": NotificationRule.objects.filter(region=county).first().pk,
        "message_template": MessageTemplate.objects.filter(region=county).first().pk,
        "training_record": TrainingRecord.objects.filter(session__region=county)
        .order_by("-completed_on", "id")
        .first(),
        "checklist_template": IncidentChecklistItem.objects.filter(
            checklist__incident_id=incident_id
        )
        .values_list("checklist__template_id", flat=True)
        .first(),
    }


def _path_ids(path: str, ids: dict[str, Any], inbox: int) -> dict[str, int]:
    """The seeded record each path parameter of `path` names."""
    if path.startswith("/api/v1/incidents/{id}"):
        return {
            "id": ids["incident"],
            "hid": ids["hospital_on_incident"],
            "pid": ids["patient"],
            "item_id": ids["checklist_item"],
            "assignment_id": ids["assignment"],
        }
    if path.startswith("/api/v1/interop/cap/{id}"):
        return {"id": ids["incident"], "seq": 1}
    if path.startswith("/api/v1/readiness/sessions/{id}"):
        record = ids["training_record"]
        return {"id": record.session_id, "record_id": record.pk}
    if path.startswith("/api/v1/readiness/drills/{id}"):
        return {"id": ids["drill"]}
    if path.startswith("/api/v1/readiness/courses/{id}"):
        return {"id": ids["training_record"].course_id}
    resource = path.split("/")[3]
    key = {
        "regions": "region",
        "agencies": "agency",
        "hospitals": "hospital",
        "members": "member",
        "contact-points": "contact_point",
        "distribution-lists": "distribution_list",
        "notifications": "notification",
        "notification-rules": "rule",
        "message-templates": "message_template",
        "checklist-templates": "checklist_template",
    }.get(resource)
    if resource == "inbox":
        return {"id": inbox}
    return {"id": ids[key]} if key else {}


def _config(schema: dict[str, Any], ids: dict[str, Any], inbox: int) -> str:
    """schemathesis.toml: one [[operations]] entry per operation (ids, allowed refusals)."""
    lines = [
        "[generation]",
        'database = "none"',
        "",
        # Fuzzing draws valid and invalid data for every role. The coverage phase adds each
        # kind of invalid value systematically (wrong types, unknown parameters, bounds);
        # its valid half repeats what fuzzing does, so only the negative half runs.
        "[phases.coverage.generation]",
        'mode = "negative"',
        "",
    ]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method.upper() not in {"GET", *WRITE_METHODS}:
                continue
            names = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
            wanted = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            values = {k: v for k, v in _path_ids(path, ids, inbox).items() if k in wanted}
            settings = []
            if path == "/api/v1/cad/incidents/":  # the CAD system's own key, not a user's token
                settings.append(f'headers = {{ Authorization = "Bearer {ids["cad_key"]}" }}')
            if path.startswith("/api/v1/interop/"):  # an exchange partner's key
                key = ids["interop_key"]
                settings.append(f'headers = {{ Authorization = "Bearer {key}" }}')
            if values:
                pairs = ", ".join(f'"path.{k}" = {v}' for k, v in values.items())
                settings.append(f"parameters = {{ {pairs} }}")
            if _positive_may_refuse(method.upper(), names):
                statuses = json.dumps(["2xx", "400", "401", "403", "404", "409"])
                settings.append(f"checks.positive_data_acceptance.expected-statuses = {statuses}")
            if settings:
                name = json.dumps(f"{method.upper()} {path}")
                lines += ["[[operations]]", f"include-name = {name}", *settings, ""]
    return "\n".join(lines)


@pytest.fixture
def seeded(live_server) -> dict[str, Any]:
    return _seed(APIClient())


@pytest.fixture(autouse=True)
def _quiet_client_errors() -> Iterator[None]:
    """Thousands of deliberate 4xx answers: log only server errors while schemathesis runs."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)


@pytest.mark.parametrize("role", sorted(ROLES))
def test_schema_holds_for_every_answer(role: str, live_server, seeded: dict[str, Any]) -> None:
    username, phases = ROLES[role]
    user = get_user_model().objects.get(username=username)
    token = Token.objects.create(user=user).key
    inbox = (
        Delivery.objects.filter(user=user, channel="in_app").values_list("id", flat=True).first()
        or 1
    )
    schema = json.loads(
        APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").content
    )
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    config = ARTIFACTS / f"{role}.toml"
    config.write_text(_config(schema, seeded, inbox))
    started = time.monotonic()
    run = subprocess.run(
        [
            str(ST),
            "--no-color",
            "--config-file",
            str(config),
            "run",
            f"{live_server.url}/api/schema/",
            "--header",
            f"Authorization: Token {token}",
            "--checks",
            "all",
            "--mode",
            "all",
            "--phases",
            phases,
            "--max-examples",
            str(MAX_EXAMPLES),
            "--seed",
            str(SEED),
            "--no-shrink",
            "--workers",
            "1",  # Hypothesis describes strategies with `ast`, which is not thread-safe in 3.11
            "--request-timeout",
            "60",  # a busy CI machine is slow, not wrong
            "--report",
            "junit",
            "--report-junit-path",
            str(ARTIFACTS / f"{role}.xml"),
        ],
        capture_output=True,
        text=True,
        timeout=1500,
        cwd=ARTIFACTS,
    )
    elapsed = time.monotonic() - started
    output = run.stdout + run.stderr
    (ARTIFACTS / f"{role}.txt").write_text(output)
    figures = re.search(r"Test cases:\s*\n\s*(.+)", output)
    summary = f"{role}: {figures.group(1).strip() if figures else '?'} in {elapsed:.0f} s"
    print(summary)
    failures = output[output.find("FAILURES") :] if "FAILURES" in output else output[-3000:]
    assert run.returncode == 0, f"{summary}\n{failures[:20000]}"
