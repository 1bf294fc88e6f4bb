"""Declaring an incident and every transition, legal and illegal."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from incidents import events, services
from incidents.models import Incident
from tests.incidents.conftest import declare


def kinds(incident: Incident) -> list[str]:
    return list(incident.events.order_by("seq").values_list("kind", flat=True))


def test_declaring_numbers_incidents_per_region_and_year(world, dispatcher_a, outsider_b):
    year = timezone.localdate().year
    first = declare(world.region_a, dispatcher_a)
    second = declare(world.region_a, dispatcher_a, title="Second")
    other_region = declare(world.region_b, outsider_b)
    assert (first.number, second.number) == (f"{year}-0001", f"{year}-0002")
    assert other_region.number == f"{year}-0001"


def test_declaring_puts_the_declaration_and_ranked_hospitals_on_the_timeline(world, dispatcher_a):
    incident = declare(world.region_a, dispatcher_a)
    # Both of region A's hospitals in range (B1 is 300 km away) go on the incident.
    assert kinds(incident) == [events.INCIDENT_DECLARED] + [events.HOSPITAL_ADDED] * 2
    declared = incident.events.get(seq=1)
    assert declared.public and declared.actor == dispatcher_a
    assert "Active shooter declared: Shooting at Central Mall" in declared.summary
    assert incident.last_seq == 3


def test_declaring_refuses_bad_details_with_field_errors(world, dispatcher_a):
    with pytest.raises(ValidationError) as error:
        declare(
            world.region_a,
            dispatcher_a,
            title=" ",
            kind="riot",
            latitude=95.0,
            estimated={"purple": 1, "immediate": -2},
            application="drill",
        )
    assert set(error.value.message_dict) >= {
        "title",
        "kind",
        "latitude",
        "estimated",
        "estimated_immediate",
        "application",
    }
    assert not Incident.objects.exists()


def test_an_exercise_is_flagged_and_kept_out_of_real_figures(world, dispatcher_a):
    exercise = declare(world.region_a, dispatcher_a, application=Incident.Application.EXERCISE)
    real = declare(world.region_a, dispatcher_a, title="Real")
    assert exercise.is_exercise and not real.is_exercise
    assert list(Incident.objects.real()) == [real]
    assert exercise.events.get(seq=1).summary.startswith("EXERCISE: ")


def test_update_changes_details_and_records_what_changed(incident, dispatcher_a):
    updated = services.incident_update(
        actor=dispatcher_a,
        incident=incident,
        changes={"title": "Shooting at Mall, north entrance", "estimated_immediate": 6},
    )
    assert updated.title == "Shooting at Mall, north entrance"
    event = updated.events.order_by("-seq").first()
    assert event.kind == events.INCIDENT_UPDATED
    assert event.data["changes"]["estimated_immediate"] == [2, 6]


def test_update_with_no_real_change_adds_no_event(incident, dispatcher_a):
    before = incident.last_seq
    services.incident_update(
        actor=dispatcher_a, incident=incident, changes={"title": incident.title}
    )
    incident.refresh_from_db()
    assert incident.last_seq == before


def test_update_refuses_fields_fixed_at_declaration(incident, dispatcher_a):
    with pytest.raises(ValidationError) as error:
        services.incident_update(
            actor=dispatcher_a, incident=incident, changes={"application": "exercise"}
        )
    assert "application" in error.value.message_dict


def test_deescalate_then_close_then_reopen(incident, dispatcher_a):
    incident = services.incident_deescalate(actor=dispatcher_a, incident=incident)
    assert incident.status == Incident.Status.DEESCALATED and incident.deescalated_at
    incident = services.incident_close(
        actor=dispatcher_a, incident=incident, summary="All patients at hospitals."
    )
    assert incident.status == Incident.Status.CLOSED
    assert incident.closing_summary == "All patients at hospitals."
    incident = services.incident_reopen(actor=dispatcher_a, incident=incident)
    assert incident.status == Incident.Status.ACTIVE and incident.closed_at is None
    assert [k for k in kinds(incident) if k.startswith("incident.")][-3:] == [
        events.INCIDENT_DEESCALATED,
        events.INCIDENT_CLOSED,
        events.INCIDENT_REOPENED,
    ]


def test_an_active_incident_can_be_closed_directly(incident, dispatcher_a):
    closed = services.incident_close(actor=dispatcher_a, incident=incident, summary="False alarm")
    assert closed.status == Incident.Status.CLOSED
    assert closed.events.get(kind=events.INCIDENT_CLOSED).data["previous"] == "active"


@pytest.mark.parametrize(
    ("status", "transition", "message"),
    [
        ("deescalated", "deescalate", "An incident that is de-escalated cannot be de-escalated."),
        ("closed", "deescalate", "An incident that is closed cannot be de-escalated."),
        ("closed", "close", "An incident that is closed cannot be closed again."),
        ("active", "reopen", "An incident that is active cannot be reopened."),
        ("deescalated", "reopen", "An incident that is de-escalated cannot be reopened."),
        ("closed", "update", "is closed: it cannot be updated."),
    ],
)
def test_illegal_transitions_are_refused_with_a_clear_message(
    incident, dispatcher_a, status, transition, message
):
    if status in ("deescalated", "closed"):
        services.incident_deescalate(actor=dispatcher_a, incident=incident)
    if status == "closed":
        services.incident_close(actor=dispatcher_a, incident=incident, summary="Done")
    incident.refresh_from_db()
    seq_before = incident.last_seq
    call = {
        "deescalate": lambda: services.incident_deescalate(actor=dispatcher_a, incident=incident),
        "close": lambda: services.incident_close(
            actor=dispatcher_a, incident=incident, summary="x"
        ),
        "reopen": lambda: services.incident_reopen(actor=dispatcher_a, incident=incident),
        "update": lambda: services.incident_update(
            actor=dispatcher_a, incident=incident, changes={"title": "New"}
        ),
    }[transition]
    with pytest.raises(ValidationError) as error:
        call()
    assert message in " ".join(error.value.messages)
    incident.refresh_from_db()
    assert incident.status == status and incident.last_seq == seq_before


def test_closing_requires_a_summary(incident, dispatcher_a):
    with pytest.raises(ValidationError) as error:
        services.incident_close(actor=dispatcher_a, incident=incident, summary="  ")
    assert error.value.message_dict == {"summary": ["Write a short closing summary."]}


def test_reopening_is_refused_after_the_grace_period(incident, dispatcher_a):
    services.incident_close(actor=dispatcher_a, incident=incident, summary="Done")
    Incident.objects.filter(pk=incident.pk).update(
        closed_at=timezone.now() - services.REOPEN_GRACE - timedelta(minutes=1)
    )
    with pytest.raises(ValidationError) as error:
        services.incident_reopen(actor=dispatcher_a, incident=incident)
    assert "within 24 h of closing" in error.value.messages[0]


def test_reopening_within_the_grace_period_is_allowed(incident, dispatcher_a):
    services.incident_close(actor=dispatcher_a, incident=incident, summary="Done")
    Incident.objects.filter(pk=incident.pk).update(
        closed_at=timezone.now() - services.REOPEN_GRACE + timedelta(minutes=5)
    )
    assert services.incident_reopen(actor=dispatcher_a, incident=incident).status == "active"
