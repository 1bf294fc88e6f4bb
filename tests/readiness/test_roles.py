"""ICS / ASIM roles: one holder per role (rescue task forces several), hand-over, relief."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from incidents import events, services
from incidents.models import IncidentEvent
from readiness import events as readiness_events
from readiness import services as readiness_services
from readiness.checklists import org_chart
from readiness.models import RoleAssignment
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def chief(world):
    return MemberFactory(agency=world.police_a, full_name="Chief Dana Ortiz", title="Chief")


def assign(incident, actor, role, **holder):
    return readiness_services.role_assign(actor=actor, incident=incident, role=role, **holder)


def holders(incident, role: str) -> list[str]:
    chart = org_chart(incident)
    (entry,) = [r for r in chart["roles"] if r["role"] == role]
    return [h["name"] for h in entry["holders"]]


def test_a_roster_member_is_assigned_with_their_agency_on_the_timeline(
    incident, dispatcher_a, chief
):
    assignment = assign(incident, dispatcher_a, "law_command", member=chief)
    assert (assignment.name, assignment.agency_name) == ("Chief Dana Ortiz", "A Police")
    event = IncidentEvent.objects.filter(incident=incident).last()
    assert event.kind == readiness_events.ROLE_ASSIGNED and event.public
    assert event.summary == "Law enforcement command: Chief Dana Ortiz (A Police) assigned"
    assert event.data["member_id"] == chief.pk and event.data["replaces_id"] is None
    assert events.payload_errors(event.kind, event.data) == []


def test_a_free_text_name_needs_an_agency(incident, dispatcher_a, world):
    with pytest.raises(ValidationError) as error:
        assign(incident, dispatcher_a, "staging", name="Capt. Lee")
    assert "agency_name" in error.value.message_dict
    assignment = assign(
        incident, dispatcher_a, "staging", name="Capt. Lee", agency_name="Clark County Fire"
    )
    assert assignment.agency_name == "Clark County Fire" and assignment.member is None
    directory = assign(incident, dispatcher_a, "pio", name="Sam Reyes", agency=world.em_a)
    assert directory.agency_name == "A EM"


def test_a_held_role_has_one_holder_until_it_is_handed_over(incident, dispatcher_a, chief):
    first = assign(incident, dispatcher_a, "triage", name="Medic Ana", agency_name="A EMS")
    with pytest.raises(ValidationError) as error:
        assign(incident, dispatcher_a, "triage", name="Medic Ben", agency_name="A EMS")
    message = " ".join(error.value.message_dict["role"])
    assert "Triage is held by Medic Ana (A EMS)" in message and f"replaces: {first.pk}" in message
    assert holders(incident, "triage") == ["Medic Ana"]


def test_reassigning_relieves_the_holder_and_assigns_the_new_one_in_one_go(incident, dispatcher_a):
    first = assign(incident, dispatcher_a, "triage", name="Medic Ana", agency_name="A EMS")
    second = assign(
        incident,
        dispatcher_a,
        "triage",
        name="Medic Ben",
        agency_name="A EMS",
        replaces=first,
    )
    first.refresh_from_db()
    assert first.relieved_at is not None and first.relieved_reason == "handed over to Medic Ben"
    assert holders(incident, "triage") == ["Medic Ben"]
    relieved, assigned = IncidentEvent.objects.filter(incident=incident).order_by("-seq")[:2][::-1]
    assert (relieved.kind, assigned.kind) == (
        readiness_events.ROLE_RELIEVED,
        readiness_events.ROLE_ASSIGNED,
    )
    assert assigned.data["replaces_id"] == first.pk
    assert "takes over from Medic Ana" in assigned.summary
    chart = org_chart(incident)
    assert [h["name"] for h in chart["history"]] == ["Medic Ana"]
    assert second.current


def test_a_stale_hand_over_is_refused(incident, dispatcher_a):
    first = assign(incident, dispatcher_a, "transport", name="Ana", agency_name="A EMS")
    assign(incident, dispatcher_a, "transport", name="Ben", agency_name="A EMS", replaces=first)
    with pytest.raises(ValidationError) as error:  # someone else already replaced Ana
        assign(incident, dispatcher_a, "transport", name="Cy", agency_name="A EMS", replaces=first)
    assert "no longer current" in " ".join(error.value.message_dict["replaces"])
    assert holders(incident, "transport") == ["Ben"]


def test_several_rescue_task_forces_work_at_once(incident, dispatcher_a):
    for n in (1, 2, 3):
        assign(
            incident,
            dispatcher_a,
            "rescue_task_force",
            name=f"RTF {n} lead",
            agency_name="A Fire",
            note=f"RTF {n}",
        )
    assert holders(incident, "rescue_task_force") == ["RTF 1 lead", "RTF 2 lead", "RTF 3 lead"]
    with pytest.raises(ValidationError, match="already holds"):
        assign(incident, dispatcher_a, "rescue_task_force", name="rtf 2 LEAD", agency_name="a fire")


def test_the_same_member_cannot_hold_a_role_twice_but_may_hold_two_roles(
    incident, dispatcher_a, chief
):
    assign(incident, dispatcher_a, "unified_command", member=chief)
    with pytest.raises(ValidationError, match="already holds Unified command"):
        assign(incident, dispatcher_a, "unified_command", member=chief)
    assign(incident, dispatcher_a, "law_command", member=chief)
    assert holders(incident, "law_command") == ["Chief Dana Ortiz"]


def test_a_member_of_another_region_is_refused(incident, dispatcher_a, world):
    outsider = MemberFactory(agency=world.police_b, full_name="Officer B")
    with pytest.raises(ValidationError) as error:
        assign(incident, dispatcher_a, "law_command", member=outsider)
    assert "not of this incident's region" in " ".join(error.value.message_dict["member"])
    assert not RoleAssignment.objects.exists()


def test_an_inactive_member_is_refused(incident, dispatcher_a, world):
    gone = MemberFactory(agency=world.police_a, full_name="Retired Officer", active=False)
    with pytest.raises(ValidationError, match="no longer on the roster"):
        assign(incident, dispatcher_a, "staging", member=gone)


def test_relieving_ends_the_assignment_once(incident, dispatcher_a, em_a):
    pio = assign(incident, dispatcher_a, "pio", name="Sam Reyes", agency_name="A EM")
    relieved = readiness_services.role_relieve(actor=em_a, assignment=pio, reason="end of shift")
    assert relieved.relieved_by == em_a and holders(incident, "pio") == []
    event = IncidentEvent.objects.filter(incident=incident).last()
    assert event.summary == "Public information officer: Sam Reyes (A EM) relieved (end of shift)"
    assert events.payload_errors(event.kind, event.data) == []
    with pytest.raises(ValidationError, match="already relieved"):
        readiness_services.role_relieve(actor=em_a, assignment=pio)
    # the role is free again
    assign(incident, dispatcher_a, "pio", name="Jo Kim", agency_name="A EM")
    assert holders(incident, "pio") == ["Jo Kim"]


def test_roles_of_a_closed_incident_are_final(incident, dispatcher_a):
    pio = assign(incident, dispatcher_a, "pio", name="Sam Reyes", agency_name="A EM")
    services.incident_close(actor=dispatcher_a, incident=incident, summary="Done")
    with pytest.raises(ValidationError, match="closed"):
        readiness_services.role_relieve(actor=dispatcher_a, assignment=pio)
    with pytest.raises(ValidationError, match="closed"):
        assign(incident, dispatcher_a, "staging", name="X", agency_name="Y")


def test_the_org_chart_lists_every_role_in_order_with_where_it_reports(incident, dispatcher_a):
    assign(incident, dispatcher_a, "treatment", name="Nurse Pat", agency_name="A EMS")
    chart = org_chart(incident)
    roles = [r["role"] for r in chart["roles"]]
    assert roles[0] == "unified_command" and len(roles) == 13
    by_role = {r["role"]: r for r in chart["roles"]}
    assert by_role["treatment"]["reports_to"] == "fire_ems_command"
    assert by_role["rescue_task_force"]["multiple"] and not by_role["triage"]["multiple"]
    (holder,) = by_role["treatment"]["holders"]
    assert holder["assigned_by"] == "dispatcher_a (A 911)" and holder["assigned_at"] is not None


@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_assigning_one_role_at_once_leave_one_holder(world, dispatcher_a, em_a):
    import threading

    from django.db import connection

    from tests.incidents.conftest import declare

    incident = declare(world.region_a, dispatcher_a)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def attempt(actor, name: str) -> None:
        try:
            barrier.wait()
            assign(incident, actor, "triage", name=name, agency_name="A EMS")
            outcomes.append("assigned")
        except ValidationError as error:
            outcomes.append(" ".join(error.messages))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=attempt, args=(dispatcher_a, "Medic Ana")),
        threading.Thread(target=attempt, args=(em_a, "Medic Ben")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("assigned") == 1
    (refused,) = [o for o in outcomes if o != "assigned"]
    assert "Triage is held by" in refused
    assert RoleAssignment.objects.filter(incident=incident, relieved_at__isnull=True).count() == 1
