"""The demo region's checklist: a default active-shooter / hostile-event plan.

Written for ASIM in our own words from the common shape of regional active-shooter plans
(contact team, rescue task forces, casualty collection point, unified command, MCI medical
branch, joint information, reunification). Regions adopt it as a starting point and edit
their own. `seed_demo_checklist()` is idempotent: it adopts version 1 only when the demo
county has no checklist at all, so an emergency manager's later versions are never touched.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from agencies.demo import COUNTY_CODE
from agencies.models import Agency, Discipline, Hospital, Member, Region
from incidents import services as incident_services
from incidents.models import Incident
from readiness.models import (
    ChecklistTemplate,
    Course,
    Exercise,
    TrainingRecord,
    TrainingSession,
)
from readiness.services import after_action, exercises, training
from readiness.services.checklist import checklist_adopt, checklist_import
from readiness.template_json import FORMAT

LAW, FIRE_EMS, DISPATCH, EM, HOSPITAL, MULTI = (
    "law",
    "fire_ems",
    "dispatch",
    "em",
    "hospital",
    "multi",
)


def _item(text: str, *disciplines: str, owner: str = "") -> dict[str, Any]:
    return {"text": text, "disciplines": list(disciplines), "owner_role": owner}


DEFAULT_PLAN: dict[str, Any] = {
    "format": FORMAT,
    "name": "Active shooter / hostile event",
    "description": (
        "Twin Rivers County's shared plan for an active-shooter or hostile event with "
        "casualties. One list for law, fire, EMS, dispatch, emergency management and the "
        "hospitals: each item says who it concerns and, where it has one, which role owns it."
    ),
    "phases": [
        {
            "title": "First arriving units and contact team",
            "items": [
                _item(
                    "Announce arrival with a short size-up: where you are, what you see or "
                    "hear, where the threat is heading",
                    LAW,
                ),
                _item(
                    "Form a contact team from the first officers and move to the threat; do "
                    "not wait for a full team",
                    LAW,
                ),
                _item(
                    "Broadcast the suspect description, weapons and last known location to "
                    "every responding unit",
                    DISPATCH,
                ),
                _item("Open a dedicated talk-group for the incident and announce it", DISPATCH),
                _item(
                    "Pass callers' reports of victims and people hiding, with locations, to "
                    "the contact team",
                    DISPATCH,
                ),
                _item("Declare the MCI in ASIM and confirm the hospitals are alerted", DISPATCH),
                _item(
                    "Fire and EMS units stage out of the line of fire and report in; nobody "
                    "enters before a rescue task force is formed",
                    FIRE_EMS,
                    owner="staging",
                ),
                _item(
                    "Log the times of first report, first unit on scene and threat stopped",
                    LAW,
                    DISPATCH,
                ),
            ],
        },
        {
            "title": "Command post, unified command and staging",
            "items": [
                _item(
                    "Set up a command post out of the line of fire where the law and fire/EMS "
                    "leads work side by side",
                    MULTI,
                    owner="unified_command",
                ),
                _item(
                    "Establish unified command: name the law and fire/EMS commanders and "
                    "announce it on the radio",
                    LAW,
                    FIRE_EMS,
                    owner="unified_command",
                ),
                _item(
                    "Pick a staging area with separate ways in and out, and name a staging manager",
                    FIRE_EMS,
                    LAW,
                    owner="staging",
                ),
                _item(
                    "Set an ambulance exchange point away from the hot zone and keep its route "
                    "clear",
                    FIRE_EMS,
                    owner="transport",
                ),
                _item(
                    "Set inner and outer perimeters and control traffic in and out",
                    LAW,
                    owner="law_command",
                ),
                _item(
                    "Ask for mutual aid early (law, EMS, fire, air medical) and log what was "
                    "asked for and when",
                    DISPATCH,
                    EM,
                ),
                _item(
                    "Assign a scribe to keep the command post's activity log",
                    MULTI,
                    owner="unified_command",
                ),
                _item(
                    "Brief arriving resources at staging; nobody self-deploys to the scene",
                    MULTI,
                    owner="staging",
                ),
            ],
        },
        {
            "title": "Warm zone: rescue task forces and casualty collection point",
            "items": [
                _item(
                    "Define the hot, warm and cold zones, announce the boundaries and update "
                    "them as the threat moves",
                    LAW,
                    FIRE_EMS,
                    owner="unified_command",
                ),
                _item(
                    "Form rescue task forces: medics in protective gear with a law enforcement "
                    "escort",
                    LAW,
                    FIRE_EMS,
                    owner="rescue_task_force",
                ),
                _item(
                    "Give each rescue task force a number, an entry point and an area to work",
                    FIRE_EMS,
                    owner="fire_ems_command",
                ),
                _item(
                    "In the warm zone, stop bleeding and open airways, then move on; full "
                    "assessments wait",
                    FIRE_EMS,
                    owner="rescue_task_force",
                ),
                _item(
                    "Open a casualty collection point in a protected spot with a clear way out "
                    "for transport",
                    FIRE_EMS,
                    owner="casualty_collection_point",
                ),
                _item(
                    "Keep the corridor from the casualty collection point to the ambulance "
                    "exchange point secured",
                    LAW,
                ),
                _item(
                    "Track which areas each team has cleared of casualties",
                    FIRE_EMS,
                    LAW,
                    owner="rescue_task_force",
                ),
                _item(
                    "Report casualty counts by colour to command every 10 to 15 minutes",
                    FIRE_EMS,
                    owner="casualty_collection_point",
                ),
            ],
        },
        {
            "title": "Triage, treatment and transport",
            "items": [
                _item(
                    "Name the triage, treatment and transport supervisors",
                    FIRE_EMS,
                    owner="fire_ems_command",
                ),
                _item(
                    "Triage every patient, attach a numbered tag and enter the tag in ASIM",
                    FIRE_EMS,
                    owner="triage",
                ),
                _item(
                    "Set up red, yellow and green treatment areas near the loading zone",
                    FIRE_EMS,
                    owner="treatment",
                ),
                _item(
                    "Gather the walking wounded in a supervised green area; they still need a "
                    "tag and a destination",
                    FIRE_EMS,
                    owner="treatment",
                ),
                _item(
                    "Re-triage patients who are waiting and update their colour in ASIM",
                    FIRE_EMS,
                    owner="treatment",
                ),
                _item(
                    "Send red patients first, to trauma centres, following ASIM's destination "
                    "guidance so no emergency room is flooded",
                    FIRE_EMS,
                    owner="transport",
                ),
                _item(
                    "Record unit, destination and departure for each patient before the "
                    "ambulance leaves",
                    FIRE_EMS,
                    owner="transport",
                ),
                _item(
                    "Leave the deceased in place and the scene undisturbed for investigators",
                    LAW,
                    FIRE_EMS,
                ),
            ],
        },
        {
            "title": "Hospital coordination",
            "items": [
                _item(
                    "Check every notified hospital has acknowledged; phone the ones that have not",
                    DISPATCH,
                    owner="hospital_liaison",
                ),
                _item(
                    "Get each receiving hospital's capacity by colour and ask again as it changes",
                    DISPATCH,
                    HOSPITAL,
                    owner="hospital_liaison",
                ),
                _item(
                    "Activate the hospital's mass-casualty plan and staff the emergency "
                    "department entrance",
                    HOSPITAL,
                ),
                _item(
                    "Control access to the hospital; expect families and media at the doors",
                    HOSPITAL,
                ),
                _item(
                    "Register self-transported patients (walk-ins) against the incident",
                    HOSPITAL,
                ),
                _item("Mark each patient arrived in ASIM as they come in", HOSPITAL),
                _item(
                    "Tell the hospitals when the last patient has left the scene",
                    DISPATCH,
                    FIRE_EMS,
                    owner="transport",
                ),
            ],
        },
        {
            "title": "Communications, PIO and joint information",
            "items": [
                _item(
                    "Name a lead PIO and agree who speaks for which agency",
                    MULTI,
                    owner="pio",
                ),
                _item(
                    "Open a joint information centre away from the command post",
                    EM,
                    owner="pio",
                ),
                _item(
                    "Put out a first public message: the area to avoid, where families should "
                    "go, where official updates will appear",
                    EM,
                    owner="pio",
                ),
                _item("Set a schedule for media briefings and keep to it", EM, owner="pio"),
                _item(
                    "Clear every public statement with unified command; no names of victims "
                    "before their families are told",
                    MULTI,
                    owner="pio",
                ),
                _item(
                    "Watch social media for rumours to correct and for tips for investigators",
                    EM,
                    LAW,
                    owner="pio",
                ),
                _item(
                    "Send situation updates to officials from ASIM's distribution lists",
                    EM,
                    owner="em_liaison",
                ),
            ],
        },
        {
            "title": "Reunification",
            "items": [
                _item(
                    "Open a reunification centre away from the scene and announce its address",
                    EM,
                    LAW,
                    owner="reunification",
                ),
                _item(
                    "Bus uninjured people from the scene to the reunification centre, with a "
                    "list of who boarded",
                    LAW,
                    owner="reunification",
                ),
                _item(
                    "Sign in families and evacuees, and check identity before anyone is "
                    "released to a family",
                    EM,
                    LAW,
                    owner="reunification",
                ),
                _item(
                    "Match family enquiries against hospital patient lists and the evacuee list",
                    EM,
                    HOSPITAL,
                    owner="reunification",
                ),
                _item(
                    "Bring in mental-health and victim-advocate support",
                    EM,
                    owner="reunification",
                ),
                _item(
                    "Prepare a private room and a team for notifying next of kin",
                    LAW,
                    EM,
                    owner="reunification",
                ),
            ],
        },
        {
            "title": "Demobilisation and recovery",
            "items": [
                _item(
                    "Confirm the threat is over and declare the scene secure",
                    LAW,
                    owner="law_command",
                ),
                _item(
                    "Confirm every patient has reached a hospital and close transport",
                    FIRE_EMS,
                    owner="transport",
                ),
                _item("De-escalate the incident in ASIM so every party is told", DISPATCH, EM),
                _item(
                    "Release resources through staging and account for every team",
                    FIRE_EMS,
                    LAW,
                    owner="staging",
                ),
                _item(
                    "Hand the scene to investigators with the log of who went in",
                    LAW,
                ),
                _item(
                    "Offer responders and dispatchers a defusing session before they go off duty",
                    MULTI,
                ),
                _item(
                    "Collect activity logs and the ASIM record for the after-action review",
                    EM,
                    owner="em_liaison",
                ),
                _item(
                    "Hold a hot wash within 72 hours and schedule the after-action review",
                    EM,
                ),
                _item("Close the incident in ASIM with a closing summary", DISPATCH, EM),
            ],
        },
    ],
}


def seed_demo_checklist() -> str:
    """Adopt DEFAULT_PLAN as version 1 of the demo county's checklist when the county has
    none yet; a second run changes nothing. Returns one line for the seed command's output."""
    region = Region.objects.filter(code=COUNTY_CODE).first()
    if region is None:
        return "Checklist: no demo county to give one to."
    with transaction.atomic():
        existing = ChecklistTemplate.objects.filter(region=region).order_by("-version").first()
        if existing is not None:
            return f"Checklist: {region.name} already has {existing}; nothing changed."
        draft = checklist_import(actor=None, region=region, document=DEFAULT_PLAN)
        adopted = checklist_adopt(actor=None, template=draft)
    items = sum(len(phase["items"]) for phase in DEFAULT_PLAN["phases"])
    return (
        f"Checklist: adopted {adopted.name} v{adopted.version} for {region.name} "
        f"({len(DEFAULT_PLAN['phases'])} phases, {items} items)."
    )


# --- training: a catalogue and two years of sessions with uneven coverage ----------------------

DEMO_COURSES: list[dict[str, Any]] = [
    {
        "code": "ASIM-B",
        "name": "ASIM Basic: integrated response to an active shooter",
        "kind": "asim_basic",
        "disciplines": ["law", "fire", "ems", "dispatch", "em"],
        "hours": 8,
        "refresher_months": 24,
        "required": True,
    },
    {
        "code": "ASIM-A",
        "name": "ASIM Advanced: rescue task force operations",
        "kind": "asim_advanced",
        "disciplines": ["law", "fire", "ems"],
        "hours": 16,
        "refresher_months": 36,
        "required": True,
    },
    {
        "code": "ASIM-TTT",
        "name": "ASIM Train-the-Trainer",
        "kind": "train_the_trainer",
        "disciplines": ["law", "fire", "ems"],
        "hours": 24,
        "refresher_months": 36,
        "required": False,
    },
    {
        "code": "ICS-100",
        "name": "IS-100.C Introduction to the Incident Command System",
        "kind": "nims_ics",
        "disciplines": [],
        "hours": 3,
        "refresher_months": None,
        "required": True,
    },
    {
        "code": "ICS-300",
        "name": "ICS-300 Intermediate ICS for expanding incidents",
        "kind": "nims_ics",
        "disciplines": ["law", "fire", "ems", "em"],
        "hours": 21,
        "refresher_months": None,
        "required": False,
    },
]

# Share of each agency's roster that attends a session it is invited to: uneven on purpose.
ATTENDANCE_RATE = {
    "TRCSO": 0.8,
    "RPD": 0.65,
    "MPD": 0.3,
    "RFD": 0.75,
    "MFD": 0.45,
    "HTFD": 0.2,
    "CCFD": 0.1,
    "TREMS": 0.85,
    "TR911": 0.55,
    "TREMA": 1.0,
}

# (course, days ago, place, attending agencies, instructor agencies)
DEMO_SESSIONS: list[tuple[str, int, str, tuple[str, ...], tuple[str, ...]]] = [
    ("ASIM-TTT", 700, "State fire academy", ("TRCSO", "RFD", "TREMS"), ()),
    ("ASIM-B", 690, "Riverton High School", ("TRCSO", "RPD", "RFD", "TREMS"), ("TRCSO",)),
    ("ICS-100", 660, "Online, proctored at EOC", ("TR911", "TREMA", "MPD", "MFD"), ("TREMA",)),
    ("ASIM-B", 600, "Millbrook Fire Station 1", ("MPD", "MFD", "HTFD", "TR911"), ("RFD",)),
    ("ASIM-A", 520, "Old Riverton Mall", ("TRCSO", "RPD", "RFD", "TREMS"), ("TREMS",)),
    ("ICS-300", 430, "County EOC", ("TREMA", "TRCSO", "RFD", "TREMS"), ("TREMA",)),
    ("ASIM-B", 300, "Cedar Creek Middle School", ("CCFD", "HTFD", "TR911", "TREMA"), ("TRCSO",)),
    ("ICS-100", 200, "Online, proctored at EOC", ("RPD", "RFD", "TREMS", "HTFD"), ("TREMA",)),
    ("ASIM-A", 120, "Twin Rivers Community College", ("MPD", "MFD", "TREMS"), ("RFD",)),
    ("ASIM-B", 40, "Riverton Regional 911 training room", ("RPD", "TR911", "TREMS"), ("TREMS",)),
]


def seed_demo_training(today: Any = None) -> int:
    """The demo county's course catalogue and, the first time only, two years of sessions with
    attendance (uneven per agency). Written in bulk, as the agencies demo writes its rosters:
    a fixed handful of queries whatever the roster size. Returns how many rows it created; a
    second run creates nothing."""
    region = Region.objects.filter(code=COUNTY_CODE).first()
    if region is None:
        return 0
    today = today or timezone.localdate()
    created = 0
    courses = {c.code: c for c in Course.objects.filter(region=region)}
    with transaction.atomic():
        missing = [
            Course(region=region, **spec) for spec in DEMO_COURSES if spec["code"] not in courses
        ]
        for course in Course.objects.bulk_create(missing):
            courses[course.code] = course
        created += len(missing)
        if region.training_sessions.exists():
            return created
        agencies = {a.short_code: a for a in Agency.objects.filter(region=region)}
        roster: dict[str, list[Member]] = {}
        members = Member.objects.filter(agency__region=region, active=True)
        code_of = {agency.pk: code for code, agency in agencies.items()}
        for member in members.order_by("pk"):
            roster.setdefault(code_of[member.agency_id], []).append(member)
        sessions = TrainingSession.objects.bulk_create(
            TrainingSession(
                region=region,
                course=courses[code],
                date=today - timedelta(days=days_ago),
                place=place,
            )
            for code, days_ago, place, _attending, _teaching in DEMO_SESSIONS
        )
        chance = random.Random(20240601)
        agency_links, instructor_links, records = [], [], []
        for session, (_code, _days, _place, attending, teaching) in zip(
            sessions, DEMO_SESSIONS, strict=True
        ):
            present = [agencies[a] for a in attending if a in agencies]
            instructors = [roster[a][0] for a in teaching if roster.get(a)]
            agency_links += [
                TrainingSession.agencies.through(trainingsession=session, agency=agency)
                for agency in present
            ]
            instructor_links += [
                TrainingSession.instructors.through(trainingsession=session, member=member)
                for member in instructors
            ]
            records += [
                TrainingRecord(
                    member=member,
                    course=session.course,
                    completed_on=session.date,
                    expires_on=training.expiry(session.course, session.date),
                    session=session,
                    source=TrainingRecord.Source.SESSION,
                )
                for agency in present
                for member in roster.get(agency.short_code, [])
                if member in instructors
                or chance.random() < ATTENDANCE_RATE.get(agency.short_code, 0.5)
            ]
        TrainingSession.agencies.through.objects.bulk_create(agency_links)
        TrainingSession.instructors.through.objects.bulk_create(instructor_links)
        TrainingRecord.objects.bulk_create(records)
    return created + len(sessions) + len(records)


def seed_demo_exercises() -> str:
    """The demo county's exercise programme: a held and rated tabletop, a functional exercise
    played as an exercise incident (declared, a hospital acknowledging, a patient transported
    and arrived, closed), and its after-action report with one closed and one open corrective
    action. Once only: a county that has exercises is left as it is."""
    region = Region.objects.filter(code=COUNTY_CODE).first()
    if region is None:
        return "Exercises: no demo county."
    if Exercise.objects.filter(region=region).exists():
        return f"Exercises: {region.name} already has its exercises; nothing changed."
    agencies = {a.discipline: a for a in Agency.objects.filter(region=region).order_by("-name")}
    taking_part = [
        agencies[d] for d in (Discipline.LAW, Discipline.EMS, Discipline.DISPATCH) if d in agencies
    ]
    hospital = Hospital.objects.filter(agency__region=region).select_related("agency").first()
    if hospital is None or not taking_part:
        return "Exercises: the demo county has no agencies to exercise."
    today = timezone.localdate()
    with transaction.atomic():
        ttx = exercises.exercise_create(
            actor=None,
            region=region,
            name="Mall active-shooter tabletop",
            type="tabletop",
            planned_on=today - timedelta(days=400),
            scenario="A shooter at the county mall; walk through the first hour.",
            agencies=taking_part,
        )
        exercises.exercise_hold(actor=None, exercise=ttx, held_on=ttx.planned_on)
        for text, capability, rating in (
            ("Unified command named within 10 minutes", "operational_coordination", "S"),
            ("Hospitals told of the MCI within 5 minutes", "health_ems", "P"),
            ("A reunification site chosen within an hour", "mass_care", "M"),
        ):
            objective = exercises.objective_add(
                actor=None, exercise=ttx, text=text, capability=capability
            )
            exercises.objective_rate(actor=None, objective=objective, rating=rating)

        incident = incident_services.incident_declare(
            actor=None,
            region=region,
            title="Functional exercise: school shooting",
            kind=Incident.Kind.ACTIVE_SHOOTER,
            location_text="County high school",
            latitude=hospital.agency.latitude,
            longitude=hospital.agency.longitude,
            application=Incident.Application.EXERCISE,
            estimated={"immediate": 1},
        )
        row = incident.hospitals.filter(
            hospital=hospital
        ).first() or incident_services.incident_hospital_add(
            actor=None, incident=incident, hospital=hospital
        )
        incident_services.hospital_acknowledge(actor=None, incident_hospital=row)
        (patient,) = incident_services.patient_register(
            actor=None,
            incident=incident,
            patients=[{"tag_number": "FE-1", "category": "immediate", "destination": hospital}],
        )
        incident_services.patients_transport(
            actor=None, incident=incident, patients=[patient], unit="Medic 1"
        )
        incident_services.patient_arrive(actor=None, patient=patient)
        incident_services.incident_close(actor=None, incident=incident, summary="Exercise ended.")

        fe = exercises.exercise_create(
            actor=None,
            region=region,
            name="School functional exercise",
            type="functional",
            planned_on=today - timedelta(days=30),
            scenario="A shooting at the county high school, played live on ASIM.",
            agencies=taking_part,
        )
        exercises.exercise_link_incident(actor=None, exercise=fe, incident=incident)
        exercises.exercise_hold(actor=None, exercise=fe, held_on=fe.planned_on)
        objective = exercises.objective_add(
            actor=None,
            exercise=fe,
            text="First transport within 20 minutes",
            capability="health_ems",
        )
        exercises.objective_rate(actor=None, objective=objective, rating="P")
        exercises.exercise_create(
            actor=None,
            region=region,
            name="County full-scale exercise",
            type="full_scale",
            planned_on=today + timedelta(days=200),
            agencies=taking_part,
        )

        report = after_action.aar_draft_for_exercise(actor=None, exercise=fe)
        after_action.aar_update(
            actor=None,
            report=report,
            strengths="Hospitals acknowledged quickly; transport started without delay.",
            areas_for_improvement="Radio handover between dispatch and EMS command was unclear.",
        )
        closed = after_action.action_add(
            actor=None,
            report=report,
            issue="Unclear radio handover",
            action="Write a handover script for the dispatch-to-EMS command channel",
            element="planning",
            agency=taking_part[-1],
            start_on=today - timedelta(days=25),
            due_on=today - timedelta(days=5),
        )
        after_action.action_close(
            actor=None, action=closed, evidence="Script adopted at the monthly dispatch meeting."
        )
        after_action.action_add(
            actor=None,
            report=report,
            issue="Few officers trained in casualty care",
            action="Train every patrol shift in Stop the Bleed",
            element="training",
            agency=taking_part[0],
            start_on=today - timedelta(days=25),
            due_on=today - timedelta(days=1),
        )
        after_action.aar_issue(actor=None, report=report)
    return f"Exercises: 3 exercises, 1 after-action report for {region.name}."
