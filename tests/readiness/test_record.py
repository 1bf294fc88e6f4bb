"""The incident record: key figures on a scripted incident, the CSV, the page and the PDF."""

from __future__ import annotations

import base64
import csv
import io
import re
import zlib
from typing import Any

import pytest

from incidents import services
from incidents.models import Incident
from readiness import services as readiness_services
from readiness.record import build as record
from tests.incidents.conftest import declare
from tests.readiness.conftest import item

pytestmark = pytest.mark.django_db


@pytest.fixture
def scripted(world, plan, clock, dispatcher_a, em_a, nurse_a1, nurse_a2) -> Incident:
    """An MCI with known times (minutes:seconds after 14:00 declaration):

    0:00 declared, A1 notified · 1:30 A1 acknowledges · 2:00, 5:00 two checklist items
    · 3:00 A2 added · 6:00 T-1 (red → A1), T-2 (yellow → A2), T-3 (green) registered
    · 8:00 T-1 leaves · 9:00 T-2 leaves · 12:00 a green walk-in at A1 · 15:00 T-1 arrives
    · 21:30 T-2 arrives. A2 acknowledges at 25:00 (after the patient!). T-3 stays on scene.
    """
    world.region_a.hospitals_to_notify = 1
    world.region_a.save()
    incident = declare(world.region_a, dispatcher_a)
    row_a1 = incident.hospitals.get(hospital=world.hospital_a1)
    clock.at(1, 30)
    services.hospital_acknowledge(actor=nurse_a1, incident_hospital=row_a1)
    clock.at(2)
    readiness_services.checklist_item_check(
        actor=dispatcher_a, item=item(incident, "Declare the MCI")
    )
    clock.at(3)
    row_a2 = services.incident_hospital_add(
        actor=dispatcher_a, incident=incident, hospital=world.hospital_a2
    )
    clock.at(5)
    readiness_services.checklist_item_check(actor=em_a, item=item(incident, "Fire and EMS stage"))
    clock.at(6)
    t1, t2, _t3 = services.patient_register(
        actor=dispatcher_a,
        incident=incident,
        patients=[
            {"tag_number": "T-1", "category": "immediate", "destination": world.hospital_a1},
            {"tag_number": "T-2", "category": "delayed", "destination": world.hospital_a2},
            {"tag_number": "T-3", "category": "minor"},
        ],
    )
    clock.at(8)
    services.patients_transport(actor=dispatcher_a, incident=incident, patients=[t1], unit="M1")
    clock.at(9)
    services.patients_transport(actor=dispatcher_a, incident=incident, patients=[t2], unit="M2")
    clock.at(12)
    services.walkin_register(
        actor=nurse_a1, incident=incident, hospital=world.hospital_a1, category="minor"
    )
    clock.at(15)
    services.patient_arrive(actor=nurse_a1, patient=t1)
    clock.at(21, 30)
    services.patient_arrive(actor=nurse_a2, patient=t2)
    clock.at(25)
    services.hospital_acknowledge(actor=nurse_a2, incident_hospital=row_a2)
    readiness_services.role_assign(
        actor=dispatcher_a, incident=incident, role="triage", name="Medic Ana", agency_name="A EMS"
    )
    return Incident.objects.get(pk=incident.pk)


def milestones(figures: dict[str, Any]) -> dict[str, tuple[int | None, str]]:
    return {m["key"]: (m["seconds"], m["elapsed"]) for m in figures["milestones"]}


def test_key_figures_of_a_scripted_incident(scripted, world):
    figures = record.key_figures(scripted)
    assert milestones(figures) == {
        "first_hospital_notified": (None, ""),  # no alert was sent: nobody was notified
        "first_hospital_acknowledged": (90, "1:30"),
        "all_hospitals_acknowledged": (1500, "25:00"),
        "first_patient_transported": (480, "8:00"),
        "last_patient_arrived": (1290, "21:30"),
    }
    notes = {m["key"]: m["note"] for m in figures["milestones"]}
    assert notes["first_hospital_acknowledged"] == "A1 Hospital"
    assert notes["last_patient_arrived"] == "so far: 0 in transport, 1 on scene"
    patients = figures["patients"]
    assert patients["total"] == 4 and patients["walk_ins"] == 1
    assert patients["by_category"] == {
        "immediate": 1,
        "delayed": 1,
        "minor": 2,
        "expectant": 0,
        "deceased": 0,
    }
    by_hospital = {h["hospital"]: h for h in patients["by_hospital"]}
    assert by_hospital["A1 Hospital"]["by_category"]["immediate"] == 1
    assert by_hospital["A1 Hospital"]["by_category"]["minor"] == 1
    assert (by_hospital["A1 Hospital"]["total"], by_hospital["A1 Hospital"]["arrived"]) == (2, 2)
    assert (by_hospital["A2 Hospital"]["total"], by_hospital["A2 Hospital"]["arrived"]) == (1, 1)
    first_phase = figures["checklist"]["phases"][0]
    assert (first_phase["done"], first_phase["total"]) == (2, 3)
    assert (first_phase["first_elapsed"], first_phase["last_elapsed"]) == ("2:00", "5:00")
    assert figures["checklist"]["phases"][1]["first_checked_at"] is None
    assert figures["label"] == "" and figures["is_exercise"] is False


def test_all_acknowledged_waits_for_every_notified_hospital(world, plan, clock, dispatcher_a):
    world.region_a.hospitals_to_notify = 2
    world.region_a.save()
    incident = declare(world.region_a, dispatcher_a)
    clock.at(0, 40)
    a1 = incident.hospitals.get(hospital=world.hospital_a1)
    services.hospital_acknowledge(actor=dispatcher_a, incident_hospital=a1)
    figures = milestones(record.key_figures(incident))
    assert figures["first_hospital_acknowledged"] == (40, "0:40")
    assert figures["all_hospitals_acknowledged"] == (None, "")
    notes = {m["key"]: m["note"] for m in record.key_figures(incident)["milestones"]}
    assert notes["all_hospitals_acknowledged"] == "1 of 2; waiting for A2 Hospital"
    assert figures["first_patient_transported"] == (None, "")


def test_an_exercise_is_labelled_on_its_figures_csv_and_record(api, world, plan, dispatcher_a):
    incident = declare(world.region_a, dispatcher_a, application="exercise")
    assert record.key_figures(incident)["label"] == "EXERCISE"
    api.force_login(dispatcher_a)
    csv_response = api.get(f"/api/v1/incidents/{incident.pk}/record/timeline.csv")
    assert (
        f'filename="EXERCISE-incident-{incident.number}-timeline.csv"'
        in (csv_response["Content-Disposition"])
    )
    page = api.get(f"/record/incidents/{incident.pk}/").content.decode()
    assert "EXERCISE EXERCISE EXERCISE" in page
    assert "EXERCISE EXERCISE EXERCISE" in pdf_text(api.get(f"/record/incidents/{incident.pk}.pdf"))


def test_the_figures_api_answers_any_viewer(api, scripted, official_a):
    api.force_authenticate(official_a)
    body = api.get(f"/api/v1/incidents/{scripted.pk}/record/figures/").json()
    assert milestones(body)["last_patient_arrived"] == (1290, "21:30")


# --- the CSV -----------------------------------------------------------------------------------


def parse_csv(response) -> list[dict[str, str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_the_csv_parses_and_matches_the_timeline(api, scripted, dispatcher_a):
    api.force_authenticate(dispatcher_a)
    base = f"/api/v1/incidents/{scripted.pk}"
    rows = parse_csv(api.get(f"{base}/record/timeline.csv"))
    timeline = api.get(f"{base}/events/", {"after": 0, "limit": 1000}).json()["results"]
    assert list(rows[0]) == ["seq", "time", "actor", "agency", "kind", "summary"]
    assert [(int(r["seq"]), r["kind"], r["summary"]) for r in rows] == [
        (e["seq"], e["kind"], e["summary"]) for e in timeline
    ]
    assert [int(r["seq"]) for r in rows] == list(range(1, scripted.last_seq + 1))
    arrived = [r for r in rows if r["kind"] == "patient.arrived"]
    assert [r["time"] for r in arrived] == [
        "2026-03-14T14:15:00-04:00",
        "2026-03-14T14:21:30-04:00",
    ]
    assert {(r["actor"], r["agency"]) for r in arrived} == {
        ("nurse_a1", "A1 Hospital"),
        ("nurse_a2", "A2 Hospital"),
    }


def test_the_csv_is_scoped_like_the_events_api(api, scripted, official_a, nurse_a2):
    base = f"/api/v1/incidents/{scripted.pk}"
    for persona in (official_a, nurse_a2):
        api.force_authenticate(persona)
        rows = parse_csv(api.get(f"{base}/record/timeline.csv"))
        timeline = api.get(f"{base}/events/", {"after": 0, "limit": 1000}).json()["results"]
        assert [int(r["seq"]) for r in rows] == [e["seq"] for e in timeline]
    api.force_authenticate(official_a)
    rows = parse_csv(api.get(f"{base}/record/timeline.csv"))
    assert not any(r["kind"].startswith("patient.") for r in rows)
    assert not any("T-1" in r["summary"] for r in rows)


def test_the_csv_is_served_to_a_client_that_asks_for_csv(api, scripted, dispatcher_a):
    api.force_authenticate(dispatcher_a)
    path = f"/api/v1/incidents/{scripted.pk}/record/timeline.csv"
    assert parse_csv(api.get(path, HTTP_ACCEPT="text/csv"))
    missing = api.get(path.replace(str(scripted.pk), "999999"), HTTP_ACCEPT="text/csv")
    assert missing.status_code == 404


# --- the printable page and the PDF ------------------------------------------------------------


def pdf_text(response) -> str:
    """The text drawn in a PDF: every content stream, inflated, its string operands joined."""
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    data = response.content
    assert data.startswith(b"%PDF-")
    chunks = []
    for stream in re.findall(rb"stream\r?\n(.*?)\s*endstream", data, re.S):
        stream = stream.strip()
        if stream.endswith(b"~>"):  # reportlab wraps its streams in ASCII85, then Flate
            stream = base64.a85decode(stream[:-2].replace(b"\n", b""))
        try:
            chunks.append(zlib.decompress(stream))
        except zlib.error:
            chunks.append(stream)
    strings = re.findall(rb"\(((?:\\.|[^\\)])*)\)\s*Tj", b"\n".join(chunks))
    return " ".join(s.decode("latin-1").replace("\\(", "(").replace("\\)", ")") for s in strings)


def test_the_record_page_is_an_ics_214_activity_log(api, scripted, em_a):
    api.force_login(em_a)
    response = api.get(f"/record/incidents/{scripted.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    for words in (
        "Activity log (ICS 214)",
        scripted.number,
        scripted.title,
        "Operational period",
        "Prepared by",
        "Resources assigned",
        "Medic Ana",
        "A1 Hospital acknowledged",
        "@media print",
    ):
        assert words in page, words
    assert page.count('<tr data-seq="') == scripted.last_seq
    assert re.search(r'data-key="last_patient_arrived">.*?21:30', page, re.S)


def test_the_record_pdf_holds_the_incident_number_figures_and_log(api, scripted, dispatcher_a):
    api.force_login(dispatcher_a)
    response = api.get(f"/record/incidents/{scripted.pk}.pdf")
    text = pdf_text(response)
    assert f"incident-{scripted.number}-record.pdf" in response["Content-Disposition"]
    for words in (
        scripted.number,
        "Activity log (ICS 214)",
        "Last patient arrived",
        "21:30",
        "Medic Ana",
        "A2 Hospital acknowledged",
        "PREPARED BY: NAME dispatcher_a",
    ):
        assert words in text, words


def test_an_official_prints_the_public_record_only(api, scripted, official_a):
    api.force_login(official_a)
    page = api.get(f"/record/incidents/{scripted.pk}/").content.decode()
    assert "Shown: the public record." in page
    assert "T-1" not in page and "patient.registered" not in page
    assert "T-1" not in pdf_text(api.get(f"/record/incidents/{scripted.pk}.pdf"))


def test_the_csv_neutralises_cells_a_spreadsheet_would_run(api, world, plan, dispatcher_a):
    dispatcher_a.first_name, dispatcher_a.last_name = '=HYPERLINK("http://x.example")', ""
    dispatcher_a.save()
    incident = declare(world.region_a, dispatcher_a, title="@SUM(1+1)")
    services.incident_close(actor=dispatcher_a, incident=incident, summary="-done")
    api.force_authenticate(dispatcher_a)
    base = f"/api/v1/incidents/{incident.pk}"
    rows = parse_csv(api.get(f"{base}/record/timeline.csv"))
    assert {r["actor"] for r in rows} == {'\'=HYPERLINK("http://x.example")'}
    assert all(not r[column].startswith(("=", "+", "-", "@")) for r in rows for column in r)
    # The timeline itself keeps the name as it was written.
    events = api.get(f"{base}/events/", {"after": 0}).json()["results"]
    assert events[0]["actor"] == '=HYPERLINK("http://x.example") (A 911)'


def test_the_pdf_prints_markup_in_names_as_written(api, world, plan, dispatcher_a):
    # reportlab's Paragraph parses markup: a name must never become a tag, a link or an image.
    hospital = world.hospital_a1.agency
    hospital.name = "A1 <img src='/etc/passwd'/> Hospital"
    hospital.save()
    world.region_a.hospitals_to_notify = 1
    world.region_a.save()
    title = "Drill <font size=60 color=red>BIG</font> & <b>bold</b>"
    incident = declare(world.region_a, dispatcher_a, title=title)
    readiness_services.role_assign(
        actor=dispatcher_a,
        incident=incident,
        role="triage",
        name='<a href="http://x.example">Medic</a>',
        agency_name="A EMS",
    )
    api.force_login(dispatcher_a)

    response = api.get(f"/record/incidents/{incident.pk}.pdf")

    # The PDF draws a line in pieces; compare without the spaces between them.
    drawn = "".join(pdf_text(response).split())
    for words in (title, "A1 <img src='/etc/passwd'/> Hospital", '<a href="http://x.example">'):
        assert "".join(words.split()) in drawn, words
    assert b"/URI" not in response.content  # no live link in the document
