"""The permission matrix of the checklist, roles, templates and record endpoints.

Codes: 2xx allowed; 403 seen but not allowed; 404 not even seen (another region, a hospital
not on the incident, a role with no business on incidents); 400 where the persona passes
the permission check but names something it cannot have (another region's checklist).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from incidents.models import Incident
from readiness import services as readiness_services
from readiness.models import IncidentChecklistItem
from tests.incidents.conftest import declare
from tests.readiness.conftest import PLAN, adopt

pytestmark = pytest.mark.django_db

PERSONAS = [
    "dispatcher_a",
    "ems_a",
    "em_a",
    "responder_a",
    "nurse_a1",
    "nurse_a2",
    "official_a",
    "police_admin_a",
    "outsider_b",
]
NOT_ON_INCIDENT = {"nurse_a2": 404, "police_admin_a": 404, "outsider_b": 404}


def codes(
    dispatcher: int,
    ems: int,
    em: int,
    responder: int,
    nurse_a1: int,
    official: int,
    **others: int,
) -> dict[str, int]:
    return {
        "dispatcher_a": dispatcher,
        "ems_a": ems,
        "em_a": em,
        "responder_a": responder,
        "nurse_a1": nurse_a1,
        "official_a": official,
        **NOT_ON_INCIDENT,
        **others,
    }


@dataclass
class Row:
    name: str
    method: str
    path: str
    codes: dict[str, int]
    payload: dict[str, Any] | None = None
    setup: list[str] = field(default_factory=list)


VIEW = codes(200, 200, 200, 200, 200, 200)
ACT = codes(200, 200, 200, 403, 403, 403)
INC = "/api/v1/incidents/{id}"
TPL = "/api/v1/checklist-templates"
# Everyone of region A reads its checklist versions; only its emergency managers keep them.
REGION_A_READS = {**codes(200, 200, 200, 200, 200, 200), "nurse_a2": 200, "police_admin_a": 200}
KEEPERS = {**codes(403, 403, 200, 403, 403, 403), "nurse_a2": 403, "police_admin_a": 403}

ROWS = [
    Row("checklist", "get", INC + "/checklist/", VIEW),
    Row(
        "start checklist",
        "post",
        "/api/v1/incidents/{bare}/checklist/",
        codes(201, 201, 201, 403, 403, 403),
    ),
    Row(
        "check law item",
        "post",
        INC + "/checklist/items/{law}/check/",
        codes(200, 403, 200, 200, 403, 403),
    ),
    Row(
        "check fire/EMS item",
        "post",
        INC + "/checklist/items/{fire}/check/",
        codes(200, 200, 200, 403, 403, 403),
    ),
    Row(
        "check dispatch item",
        "post",
        INC + "/checklist/items/{dispatch}/check/",
        codes(200, 403, 200, 403, 403, 403),
    ),
    Row(
        "check hospital item",
        "post",
        INC + "/checklist/items/{hospital}/check/",
        codes(200, 403, 200, 403, 200, 403),
    ),
    Row(
        "check multi item",
        "post",
        INC + "/checklist/items/{multi}/check/",
        codes(200, 200, 200, 200, 403, 403),
    ),
    Row(
        "uncheck law item",
        "post",
        INC + "/checklist/items/{law}/uncheck/",
        codes(200, 403, 200, 200, 403, 403),
        setup=["checked"],
    ),
    Row("roles", "get", INC + "/roles/", VIEW),
    Row(
        "assign role",
        "post",
        INC + "/roles/",
        codes(201, 201, 201, 403, 403, 403),
        {"role": "staging", "name": "Capt. Lee", "agency_name": "A Fire"},
    ),
    Row(
        "relieve role",
        "post",
        INC + "/roles/{assignment}/relieve/",
        ACT,
        {"reason": "shift"},
        ["assigned"],
    ),
    Row("key figures", "get", INC + "/record/figures/", VIEW),
    Row("timeline csv", "get", INC + "/record/timeline.csv", VIEW),
    Row("record page", "get", "/record/incidents/{id}/", VIEW),
    Row("record pdf", "get", "/record/incidents/{id}.pdf", VIEW),
    Row("templates", "get", TPL + "/", {p: 200 for p in PERSONAS}),
    Row("template", "get", TPL + "/{plan}/", {**REGION_A_READS, "outsider_b": 404}),
    Row(
        "create draft",
        "post",
        TPL + "/",
        {**KEEPERS, "em_a": 201, "outsider_b": 400},
        {"region": "{region}"},
    ),
    Row(
        "edit draft",
        "patch",
        TPL + "/{draft}/",
        {**KEEPERS, "outsider_b": 404},
        {"name": "v2"},
        ["draft"],
    ),
    Row(
        "discard draft",
        "delete",
        TPL + "/{draft}/",
        {**KEEPERS, "em_a": 204, "outsider_b": 404},
        None,
        ["draft"],
    ),
    Row(
        "adopt draft",
        "post",
        TPL + "/{draft}/adopt/",
        {**KEEPERS, "outsider_b": 404},
        None,
        ["draft"],
    ),
    Row("export", "get", TPL + "/{plan}/export/", {**KEEPERS, "outsider_b": 404}),
    Row(
        "import",
        "post",
        TPL + "/import/",
        {**KEEPERS, "em_a": 201, "outsider_b": 400},
        {"region": "{region}", "document": PLAN},
    ),
]


@pytest.fixture
def scene(world, dispatcher_a) -> dict[str, Any]:
    """Region A: `bare`, declared before the plan was adopted (no checklist); then the plan;
    then the incident, which works it. Both have A1 on them."""
    world.region_a.hospitals_to_notify = 1
    world.region_a.save()
    bare = declare(world.region_a, dispatcher_a, title="Before the plan")
    plan = adopt(world.region_a)
    incident = declare(world.region_a, dispatcher_a)
    items = {
        i.text: i.pk for i in IncidentChecklistItem.objects.filter(checklist__incident=incident)
    }
    return {
        "id": incident.pk,
        "bare": bare.pk,
        "plan": plan.pk,
        "region": world.region_a.pk,
        "law": items["Contact team forms"],
        "fire": items["Fire and EMS stage"],
        "dispatch": items["Declare the MCI"],
        "hospital": items["Activate the surge plan"],
        "multi": items["Command post set up"],
    }


def _fill(value: Any, scene: dict[str, Any]) -> Any:
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return scene[value[1:-1]]
    if isinstance(value, list):
        return [_fill(v, scene) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, scene) for k, v in value.items()}
    return value


def _prepare(row: Row, scene: dict[str, Any], world, dispatcher_a, em_a) -> None:
    incident = Incident.objects.get(pk=scene["id"])
    if "checked" in row.setup:
        law = IncidentChecklistItem.objects.get(pk=scene["law"])
        readiness_services.checklist_item_check(actor=dispatcher_a, item=law)
    if "assigned" in row.setup:
        assignment = readiness_services.role_assign(
            actor=dispatcher_a, incident=incident, role="pio", name="Sam", agency_name="A EM"
        )
        scene["assignment"] = assignment.pk
    if "draft" in row.setup:
        draft = readiness_services.checklist_draft_create(actor=em_a, region=world.region_a)
        scene["draft"] = draft.pk


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("row", ROWS, ids=[r.name for r in ROWS])
def test_permission_matrix(request, api, scene, world, dispatcher_a, em_a, row: Row, persona):
    _prepare(row, scene, world, dispatcher_a, em_a)
    api.force_login(request.getfixturevalue(persona))
    path = row.path.format(**scene)
    response = getattr(api, row.method)(path, _fill(row.payload, scene), format="json")
    assert response.status_code == row.codes[persona], response.content[:300]


@pytest.mark.parametrize("row", ROWS, ids=[r.name for r in ROWS])
def test_anonymous_users_are_refused_everywhere(api, scene, world, dispatcher_a, em_a, row: Row):
    _prepare(row, scene, world, dispatcher_a, em_a)
    path = row.path.format(**scene)
    response = getattr(api, row.method)(path, _fill(row.payload, scene), format="json")
    if path.startswith("/record/"):
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    else:
        assert response.status_code in (401, 403)


def test_the_template_list_shows_only_the_regions_a_persona_belongs_to(
    api, scene, world, outsider_b, em_a
):
    adopt(world.region_b)
    api.force_login(outsider_b)
    regions = {t["region"] for t in api.get(TPL + "/").json()["results"]}
    assert regions == {world.region_b.pk}
    api.force_login(em_a)
    listed = api.get(TPL + "/", {"region": world.region_a.pk, "status": "adopted"}).json()
    assert [t["id"] for t in listed["results"]] == [scene["plan"]]
