"""The checklist on an incident: copied at declaration, checked and un-checked on the timeline."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from incidents import events, services
from incidents.models import Incident, IncidentEvent
from readiness import events as readiness_events
from readiness import services as readiness_services
from readiness.checklists import CheckPowers, ItemFilter, checklist_overview
from tests.incidents.conftest import declare
from tests.readiness.conftest import adopt, item

pytestmark = pytest.mark.django_db


def kinds(incident) -> list[str]:
    return list(IncidentEvent.objects.filter(incident=incident).values_list("kind", flat=True))


def test_a_declared_incident_gets_the_adopted_checklist_on_its_timeline(incident, plan):
    checklist = incident.checklist
    assert checklist.template == plan
    assert [(i.phase_position, i.position, i.text) for i in checklist.items.all()] == [
        (1, 1, "Contact team forms"),
        (1, 2, "Fire and EMS stage"),
        (1, 3, "Declare the MCI"),
        (2, 1, "Activate the surge plan"),
        (2, 2, "Command post set up"),
    ]
    started = IncidentEvent.objects.get(incident=incident, kind=readiness_events.CHECKLIST_STARTED)
    assert started.data["template"] == plan.name and started.data["items"] == 5
    assert started.public and "version 1" in started.summary
    assert events.payload_errors(started.kind, started.data) == []


def test_the_checklist_starts_after_the_declaration_and_its_hospitals(incident):
    assert kinds(incident) == ["incident.declared", "hospital.added", "checklist.started"]
    actor_labels = IncidentEvent.objects.filter(incident=incident).values_list("actor_label")
    assert len(set(actor_labels)) == 1


def test_a_checklist_that_cannot_start_rolls_the_declaration_back(
    world, dispatcher_a, plan, monkeypatch
):
    def refuse(**kwargs):
        raise ValidationError("no checklist")

    monkeypatch.setattr("readiness.subscribers.incident_checklist_start", refuse)
    with pytest.raises(ValidationError, match="no checklist"):
        declare(world.region_a, dispatcher_a)
    assert not Incident.objects.exists() and not IncidentEvent.objects.exists()


def test_an_incident_of_a_region_without_a_plan_has_no_checklist_until_one_is_started(
    world, dispatcher_a
):
    incident = declare(world.region_a, dispatcher_a)
    assert readiness_events.CHECKLIST_STARTED not in kinds(incident)
    assert (
        readiness_services.incident_checklist_start(actor=dispatcher_a, incident=incident) is None
    )
    adopt(world.region_a)
    checklist = readiness_services.incident_checklist_start(actor=dispatcher_a, incident=incident)
    assert checklist.items.count() == 5
    with pytest.raises(ValidationError, match="already works"):
        readiness_services.incident_checklist_start(actor=dispatcher_a, incident=incident)


def test_checking_an_item_records_who_and_when_and_goes_on_the_timeline(
    incident, responder_a, django_capture_on_commit_callbacks
):
    seen: list[IncidentEvent] = []
    stop = events.subscribe(seen.append)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            checked = readiness_services.checklist_item_check(
                actor=responder_a, item=item(incident, "Contact team forms")
            )
    finally:
        stop()
    assert checked.done and checked.checked_by == responder_a and checked.checked_at
    (event,) = seen
    assert event.kind == readiness_events.CHECKLIST_CHECKED and event.actor == responder_a
    assert event.summary == "Checked: Contact team forms (First units, 1/3)"
    assert event.data["phase_done"] == 1 and event.data["total_done"] == 1
    assert event.data["total"] == 5 and event.data["disciplines"] == ["law"]
    assert events.payload_errors(event.kind, event.data) == []


def test_unchecking_clears_the_check_and_keeps_both_on_the_timeline(incident, dispatcher_a, em_a):
    entry = item(incident, "Declare the MCI")
    readiness_services.checklist_item_check(actor=dispatcher_a, item=entry)
    unchecked = readiness_services.checklist_item_uncheck(actor=em_a, item=entry)
    assert not unchecked.done and unchecked.checked_at is None and unchecked.checked_by is None
    assert unchecked.changed_by_label == "em_a (A EM)"
    assert kinds(incident)[-2:] == [
        readiness_events.CHECKLIST_CHECKED,
        readiness_events.CHECKLIST_UNCHECKED,
    ]
    last = IncidentEvent.objects.filter(incident=incident).last()
    assert last.summary.startswith("Un-checked: Declare the MCI") and last.data["done"] is False
    assert events.payload_errors(last.kind, last.data) == []


def test_checking_an_item_twice_says_who_checked_it(incident, dispatcher_a, em_a):
    entry = item(incident, "Declare the MCI")
    readiness_services.checklist_item_check(actor=dispatcher_a, item=entry)
    with pytest.raises(ValidationError, match=r"Already checked by dispatcher_a \(A 911\) at"):
        readiness_services.checklist_item_check(actor=em_a, item=entry)
    with pytest.raises(ValidationError, match="not checked"):
        readiness_services.checklist_item_uncheck(
            actor=em_a, item=item(incident, "Contact team forms")
        )


def test_a_closed_incidents_checklist_is_final(incident, dispatcher_a):
    services.incident_close(actor=dispatcher_a, incident=incident, summary="Done")
    with pytest.raises(ValidationError, match="closed"):
        readiness_services.checklist_item_check(
            actor=dispatcher_a, item=item(incident, "Declare the MCI")
        )


def test_progress_per_phase_counts_done_items_with_first_and_last_check(
    incident, dispatcher_a, clock
):
    clock.at(minutes=2)
    readiness_services.checklist_item_check(
        actor=dispatcher_a, item=item(incident, "Fire and EMS stage")
    )
    clock.at(minutes=5)
    readiness_services.checklist_item_check(
        actor=dispatcher_a, item=item(incident, "Declare the MCI")
    )
    overview = checklist_overview(incident, CheckPowers(everything=True))
    first, second = overview["phases"]
    assert (first["done"], first["total"], first["percent"]) == (2, 3, 67)
    assert first["first_checked_at"] == clock.start.replace(minute=2)
    assert first["last_checked_at"] == clock.start.replace(minute=5)
    assert (second["done"], second["first_checked_at"]) == (0, None)
    assert overview["progress"] == {"done": 2, "total": 5, "percent": 40}


def test_filters_keep_items_by_discipline_role_state_and_what_i_may_check(incident, dispatcher_a):
    readiness_services.checklist_item_check(
        actor=dispatcher_a, item=item(incident, "Declare the MCI")
    )
    law = CheckPowers(disciplines=frozenset({"law", "multi"}))

    def shown(item_filter: ItemFilter, powers: CheckPowers = law) -> list[str]:
        overview = checklist_overview(incident, powers, item_filter)
        return [i["text"] for phase in overview["phases"] for i in phase["items"]]

    assert shown(ItemFilter(disciplines=frozenset({"law", "multi"}))) == [
        "Contact team forms",
        "Command post set up",
    ]
    assert shown(ItemFilter(roles=frozenset({"staging"}))) == ["Fire and EMS stage"]
    assert shown(ItemFilter(roles=frozenset({"none"}))) == [
        "Declare the MCI",
        "Activate the surge plan",
    ]
    assert shown(ItemFilter(done=True)) == ["Declare the MCI"]
    assert shown(ItemFilter(checkable=True)) == ["Contact team forms", "Command post set up"]
    # progress stays over the whole phase whatever the filter
    overview = checklist_overview(incident, law, ItemFilter(done=False))
    assert overview["phases"][0]["done"] == 1 and overview["phases"][0]["total"] == 3
