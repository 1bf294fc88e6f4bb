"""People by name: everywhere a person appears (timeline, events API, board snapshot after a
reload, incident, updates, record) they appear by full name and agency, the same way."""

from __future__ import annotations

import csv
import io

from rest_framework.test import APIClient

from agencies.models import Role
from agencies.queries import person_label
from tests.factories import DistributionListFactory, user_with_roles
from tests.incidents.conftest import declare


def test_a_nurse_is_grace_okafor_of_a1_live_after_reload_and_in_the_record(world):
    world.region_a.hospitals_to_notify = 1
    world.region_a.save()
    dispatcher = user_with_roles(
        world.dispatch_a, Role.DISPATCHER, username="dispatch", first_name="Dana", last_name="Reyes"
    )
    nurse = user_with_roles(
        world.hospital_a1.agency,
        Role.HOSPITAL,
        username="nurse",
        first_name="Grace",
        last_name="Okafor",
    )
    em = user_with_roles(
        world.em_a, Role.EMERGENCY_MANAGER, username="em", first_name="Ines", last_name="Park"
    )
    incident = declare(world.region_a, dispatcher)
    grace, dana = "Grace Okafor (A1 Hospital)", "Dana Reyes (A 911)"
    assert person_label(nurse) == grace

    api = APIClient()
    api.force_authenticate(nurse)
    base = f"/api/v1/incidents/{incident.pk}"
    hid = world.hospital_a1.pk
    assert api.post(f"{base}/hospitals/{hid}/acknowledge/").status_code == 200
    answer = {"immediate": 2, "delayed": 4, "minor": 10}
    assert api.post(f"{base}/hospitals/{hid}/capacity/", answer, format="json").status_code == 200

    # What the live feed carried…
    feed = api.get(f"{base}/events/").json()["results"]
    acked = next(e for e in feed if e["kind"] == "hospital.acknowledged")
    answered = next(e for e in feed if e["kind"] == "hospital.capacity")
    assert (acked["actor"], acked["data"]["by"], answered["actor"]) == (grace, grace, grace)
    assert grace in acked["summary"] and "nurse" not in acked["summary"].replace(grace, "")
    # …is what a reload shows.
    api.force_authenticate(dispatcher)
    board = api.get(f"{base}/board/").json()
    (a1,) = board["hospitals"]
    assert (a1["acknowledged_by"], a1["capacity_answered_by"]) == (grace, grace)
    assert api.get(f"{base}/hospitals/").json()["results"][0]["acknowledged_by"] == grace
    assert board["incident"]["declared_by"] == dana
    assert api.get("/api/v1/incidents/").json()["results"][0]["declared_by"] == dana

    officials = DistributionListFactory(region=world.region_a, name="County officials")
    api.force_authenticate(em)
    posted = api.post(
        f"{base}/updates/", {"body": "Scene secure.", "audience": [officials.pk]}, format="json"
    )
    assert posted.status_code == 201, posted.content
    assert posted.json()["author"] == "Ines Park (A EM)"
    assert api.get(f"{base}/updates/").json()["results"][0]["author"] == "Ines Park (A EM)"

    rows = list(
        csv.DictReader(io.StringIO(api.get(f"{base}/record/timeline.csv").content.decode()))
    )
    ack_row = next(r for r in rows if r["kind"] == "hospital.acknowledged")
    assert (ack_row["actor"], ack_row["agency"]) == ("Grace Okafor", "A1 Hospital")
