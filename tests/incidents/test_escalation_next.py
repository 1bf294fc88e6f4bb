"""The board snapshot says, per hospital that has not acknowledged, when its next escalation
step comes and who is called then — and nothing once it acknowledged or the incident closed."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from incidents import services
from tests.conftest import as_user

pytestmark = pytest.mark.django_db


def hospital_row(api, incident, hospital_id):
    board = api.get(f"/api/v1/incidents/{incident.pk}/board/").json()
    return next(h for h in board["hospitals"] if h["hospital_id"] == hospital_id)


def test_the_snapshot_counts_down_to_the_next_escalation_step(
    api, incident, world, dispatcher_a, nurse_a1
):
    world.region_a.ack_timeout_seconds = 90
    world.region_a.save()
    as_user(api, dispatcher_a)

    row = hospital_row(api, incident, world.hospital_a1.pk)

    step = row["escalation_next"]
    assert (step["level"], step["who"]) == (1, "ER contacts not yet called")
    due = datetime.fromisoformat(step["at"]) - datetime.fromisoformat(row["notified_at"])
    assert due == timedelta(seconds=90)

    services.hospital_acknowledge(actor=nurse_a1, incident_hospital=incident.hospitals.get())
    assert hospital_row(api, incident, world.hospital_a1.pk)["escalation_next"] is None


def test_a_closed_incident_escalates_nobody(api, incident, world, dispatcher_a):
    services.incident_close(actor=dispatcher_a, incident=incident, summary="False alarm")
    row = hospital_row(as_user(api, dispatcher_a), incident, world.hospital_a1.pk)
    assert row["ack_outstanding"] and row["escalation_next"] is None
