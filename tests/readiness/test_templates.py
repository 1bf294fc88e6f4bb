"""Checklist versions: drafts, adoption, immutability, incidents keep theirs, JSON in and out."""

from __future__ import annotations

import copy

import pytest
from django.core.exceptions import ValidationError

from agencies.models import AuditEntry
from readiness import services as readiness_services
from readiness.demo import DEFAULT_PLAN, seed_demo_checklist
from readiness.models import ChecklistDiscipline, ChecklistTemplate, IcsRole, IncidentChecklist
from readiness.template_json import parse_content, template_document
from tests.factories import RegionFactory
from tests.incidents.conftest import declare
from tests.readiness.conftest import PLAN, adopt

pytestmark = pytest.mark.django_db
Status = ChecklistTemplate.Status


def texts(template: ChecklistTemplate) -> list[list[str]]:
    return [[i.text for i in phase.items.order_by("position")] for phase in template.phases.all()]


def test_a_new_draft_copies_the_adopted_version_with_the_next_number(world, em_a, plan):
    draft = readiness_services.checklist_draft_create(actor=em_a, region=world.region_a)
    assert (draft.version, draft.status, draft.based_on) == (2, Status.DRAFT, plan)
    assert texts(draft) == texts(plan)
    assert draft.created_by == em_a


def test_a_region_without_a_plan_starts_an_empty_named_draft(world, em_a):
    with pytest.raises(ValidationError) as error:
        readiness_services.checklist_draft_create(actor=em_a, region=world.region_a)
    assert "name the new one" in str(error.value)
    draft = readiness_services.checklist_draft_create(
        actor=em_a, region=world.region_a, name="Our plan"
    )
    assert (draft.version, draft.name, draft.phases.count()) == (1, "Our plan", 0)


def test_a_region_has_one_draft_at_a_time(world, em_a, plan):
    readiness_services.checklist_draft_create(actor=em_a, region=world.region_a)
    with pytest.raises(ValidationError, match="already has a draft"):
        readiness_services.checklist_draft_create(actor=em_a, region=world.region_a)


def test_editing_a_draft_replaces_its_phases_and_is_audited(world, em_a, plan):
    draft = readiness_services.checklist_draft_create(actor=em_a, region=world.region_a)
    document = copy.deepcopy(PLAN)
    document["phases"][0]["items"].reverse()
    document["phases"].append(
        {"title": "Recovery", "items": [{"text": "Hot wash", "disciplines": ["em"]}]}
    )
    readiness_services.checklist_draft_update(
        actor=em_a, template=draft, content=parse_content({**document, "name": "v2"})
    )
    draft.refresh_from_db()
    assert draft.name == "v2"
    assert texts(draft) == [
        ["Declare the MCI", "Fire and EMS stage", "Contact team forms"],
        ["Activate the surge plan", "Command post set up"],
        ["Hot wash"],
    ]
    assert texts(plan)[0][0] == "Contact team forms"  # the adopted version did not move
    entry = AuditEntry.objects.filter(object_type="checklisttemplate", actor=em_a).first()
    assert entry.action == AuditEntry.Action.UPDATE and entry.changes["phases"] == [5, 6]


def test_adopting_a_draft_retires_the_previous_plan_and_records_who(world, em_a, plan):
    draft = readiness_services.checklist_draft_create(actor=em_a, region=world.region_a)
    readiness_services.checklist_adopt(actor=em_a, template=draft)
    plan.refresh_from_db()
    draft.refresh_from_db()
    assert (plan.status, draft.status) == (Status.RETIRED, Status.ADOPTED)
    assert plan.retired_at is not None and draft.adopted_at is not None
    assert draft.adopted_by == em_a
    assert texts(plan) == texts(draft)  # retired versions stay readable


@pytest.mark.parametrize("status", ["adopted", "retired"])
def test_adopted_and_retired_versions_cannot_change(world, em_a, plan, status):
    if status == "retired":
        draft = readiness_services.checklist_draft_create(actor=em_a, region=world.region_a)
        readiness_services.checklist_adopt(actor=em_a, template=draft)
        plan.refresh_from_db()
    content = parse_content({"name": "Changed"}, require_all=False)
    with pytest.raises(ValidationError, match=f"Version 1 is {status}"):
        readiness_services.checklist_draft_update(actor=em_a, template=plan, content=content)
    with pytest.raises(ValidationError, match="only a draft can be adopted"):
        readiness_services.checklist_adopt(actor=em_a, template=plan)
    with pytest.raises(ValidationError, match="only a draft can be discarded"):
        readiness_services.checklist_draft_discard(actor=em_a, template=plan)
    plan.refresh_from_db()
    assert plan.name == PLAN["name"]


def test_an_empty_draft_cannot_be_adopted(world, em_a):
    draft = readiness_services.checklist_draft_create(
        actor=em_a, region=world.region_a, name="Empty"
    )
    with pytest.raises(ValidationError, match="at least one phase"):
        readiness_services.checklist_adopt(actor=em_a, template=draft)


def test_incidents_keep_the_version_they_started_with(world, dispatcher_a, em_a, plan):
    first = declare(world.region_a, dispatcher_a)
    document = copy.deepcopy(PLAN)
    document["phases"][0]["items"][0]["text"] = "Contact team forms and enters"
    draft = readiness_services.checklist_import(
        actor=em_a, region=world.region_a, document=document
    )
    readiness_services.checklist_adopt(actor=em_a, template=draft)
    second = declare(world.region_a, dispatcher_a, title="Second")

    assert first.checklist.template == plan
    assert second.checklist.template == draft
    first_texts = list(first.checklist.items.values_list("text", flat=True))
    assert "Contact team forms" in first_texts
    assert "Contact team forms and enters" in second.checklist.items.values_list("text", flat=True)


def test_a_county_without_a_plan_follows_the_plan_of_the_region_above(world, dispatcher_a):
    state = RegionFactory(name="State")
    world.region_a.parent = state
    world.region_a.save()
    state_plan = adopt(state)
    incident = declare(world.region_a, dispatcher_a)
    assert IncidentChecklist.objects.get(incident=incident).template == state_plan


def test_a_draft_cannot_copy_another_regions_version(world, em_a, plan):
    other = adopt(world.region_b)
    with pytest.raises(ValidationError) as error:
        readiness_services.checklist_draft_create(actor=em_a, region=world.region_a, based_on=other)
    assert "based_on" in error.value.message_dict
    assert plan.region == world.region_a


def test_export_then_import_gives_the_same_checklist(world, em_a, plan):
    document = template_document(plan)
    assert document["format"] == "asim.checklist/1" and document["version"] == 1
    imported = readiness_services.checklist_import(
        actor=em_a, region=world.region_b, document=document
    )
    assert imported.status == Status.DRAFT and imported.region == world.region_b
    assert template_document(imported)["phases"] == document["phases"]


@pytest.mark.parametrize(
    ("document", "path", "says"),
    [
        ({"phases": PLAN["phases"]}, "name", "required"),
        ({"name": " ", "phases": PLAN["phases"]}, "name", "blank"),
        ({"name": "X", "phases": []}, "phases", "at least one phase"),
        ({"name": "X", "phases": [{"title": "P", "items": []}]}, "phases[0].items", "one item"),
        (
            {"name": "X", "phases": [{"title": "P", "items": [{"text": "t", "disciplines": []}]}]},
            "phases[0].items[0].disciplines",
            "one or more disciplines",
        ),
        (
            {
                "name": "X",
                "phases": [{"title": "P", "items": [{"text": "t", "disciplines": ["police"]}]}],
            },
            "phases[0].items[0].disciplines",
            "Unknown discipline 'police'",
        ),
        (
            {
                "name": "X",
                "phases": [
                    {
                        "title": "P",
                        "items": [{"text": "t", "disciplines": ["law"], "owner_role": "sheriff"}],
                    }
                ],
            },
            "phases[0].items[0].owner_role",
            "Unknown role 'sheriff'",
        ),
        (
            {"name": "X", "phases": [{"title": "P", "items": [{"txt": "t"}]}]},
            "phases[0].items[0].txt",
            "Unknown field",
        ),
        ({"name": "X", "format": "other/2", "phases": PLAN["phases"]}, "format", "Unsupported"),
        ({"name": "X" * 161, "phases": PLAN["phases"]}, "name", "160 characters"),
    ],
)
def test_an_invalid_document_is_refused_saying_where_and_what(world, em_a, document, path, says):
    with pytest.raises(ValidationError) as error:
        readiness_services.checklist_import(actor=em_a, region=world.region_a, document=document)
    messages = error.value.message_dict
    assert path in messages, messages
    assert says in " ".join(messages[path])
    assert not ChecklistTemplate.objects.exists()


# --- the demo region's default plan ------------------------------------------------------------


def test_the_default_plan_covers_the_eight_phases_practically():
    content = parse_content(DEFAULT_PLAN)  # it validates
    titles = [phase.title.lower() for phase in content.phases]
    for words in (
        "first arriving",
        "unified command",
        "rescue task forces",
        "triage",
        "hospital",
        "pio",
        "reunification",
        "demobilisation",
    ):
        assert any(words in title for title in titles), words
    assert all(6 <= len(phase.items) <= 10 for phase in content.phases)
    used = {d for phase in content.phases for item in phase.items for d in item.disciplines}
    assert used == set(ChecklistDiscipline.values)
    owners = {item.owner_role for phase in content.phases for item in phase.items} - {""}
    assert owners <= set(IcsRole.values) and len(owners) >= 10


def test_seeding_the_demo_checklist_adopts_it_once():
    from agencies.demo import seed_demo_region

    seed_demo_region()
    assert "adopted" in seed_demo_checklist()
    assert "nothing changed" in seed_demo_checklist()
    (template,) = ChecklistTemplate.objects.all()
    assert (template.version, template.status) == (1, Status.ADOPTED)
    assert template.region.code == "twin-rivers"


def test_a_platform_admin_reads_versions_and_exports_one_from_the_admin(
    client, plan, django_user_model
):
    admin_user = django_user_model.objects.create_superuser("root", "root@example.org", "pw")
    client.force_login(admin_user)
    listing = client.get("/admin/readiness/checklisttemplate/")
    assert listing.status_code == 200 and PLAN["name"] in listing.content.decode()
    assert client.get(f"/admin/readiness/checklisttemplate/{plan.pk}/change/").status_code == 200
    exported = client.post(
        "/admin/readiness/checklisttemplate/",
        {"action": "export_json", "_selected_action": [plan.pk]},
    )
    assert exported.status_code == 200
    assert exported.json()["phases"] == template_document(plan)["phases"]
