"""The demo county's governance records: the ICS 205 channel plan, three committee meetings
(one missing a discipline), the plan's adoption, an agreement expiring soon and funding lines
paying for the demo sessions and exercises. Bulk writes; once only (a county with committee
meetings is left as it is)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from agencies.demo import COUNTY_CODE
from agencies.models import Agency, Discipline, Region
from readiness.governance_queries import region_disciplines
from readiness.models import (
    ChecklistTemplate,
    CommitteeMeeting,
    Exercise,
    FundingLine,
    MutualAidAgreement,
    PlanAdoption,
    RadioChannel,
    TrainingSession,
)

CHANNELS = [
    ("Unified command", Discipline.EM, "CMD 1", "TG 4001", "Zone 1 / 1"),
    ("Law enforcement command", Discipline.LAW, "LAW TAC 2", "TG 4102", "Zone 2 / 2"),
    ("Fire / EMS command", Discipline.FIRE, "FG 3", "TG 4203", "Zone 3 / 3"),
    ("Staging", Discipline.EMS, "EMS STAGE", "TG 4304", "Zone 3 / 4"),
    ("Transport to hospitals", Discipline.HOSPITAL, "MED 8", "TG 4408", "Zone 4 / 8"),
    ("Dispatch", Discipline.DISPATCH, "DISP MAIN", "TG 4000", "Zone 1 / 0"),
]


def seed_demo_governance() -> str:
    region = Region.objects.filter(code=COUNTY_CODE).first()
    if region is None:
        return "Governance: no demo county."
    if CommitteeMeeting.objects.filter(region=region).exists():
        return f"Governance: {region.name} already has its committee; nothing changed."
    today = timezone.localdate()
    everyone = region_disciplines(region.pk)
    agencies = list(Agency.objects.filter(region=region, active=True).order_by("name")[:3])
    with transaction.atomic():
        RadioChannel.objects.bulk_create(
            RadioChannel(
                region=region,
                function=function,
                discipline=discipline,
                channel_name=name,
                talk_group=group,
                frequency_zone=zone,
                assignment="All units on the incident",
            )
            for function, discipline, name, group, zone in CHANNELS
        )
        CommitteeMeeting.objects.bulk_create(
            [
                CommitteeMeeting(
                    region=region,
                    date=today - timedelta(days=days),
                    place="County EOC",
                    disciplines_present=present,
                    attendees="Committee members of each discipline",
                    decisions=decisions,
                )
                for days, present, decisions in (
                    (300, everyone, "Adopt the ASIM plan and submit it to the commissioners."),
                    (180, everyone, "Schedule the school functional exercise."),
                    (60, [d for d in everyone if d != Discipline.HOSPITAL], "Renew mutual aid."),
                )
            ]
        )
        plan = ChecklistTemplate.objects.filter(region=region, status="adopted").first()
        if plan is not None:
            PlanAdoption.objects.create(
                region=region,
                checklist=plan,
                body="Board of County Commissioners",
                resolution_number=f"{today.year - 1}-042",
                adopted_on=today - timedelta(days=270),
            )
        if len(agencies) >= 2:
            agreement = MutualAidAgreement.objects.create(
                region=region,
                title="County-wide mutual aid compact",
                signed_on=today - timedelta(days=5 * 365 - 45),
                expires_on=today + timedelta(days=45),
            )
            agreement.agencies.set(agencies)
        grant, local = FundingLine.objects.bulk_create(
            [
                FundingLine(
                    region=region,
                    program="hsgp_shsp",
                    grant_year=today.year - 1,
                    reference=f"EMW-{today.year - 1}-SS-00042",
                    amount=Decimal("48000"),
                ),
                FundingLine(
                    region=region, program="empg", grant_year=today.year, amount=Decimal("12500")
                ),
            ]
        )
        grant.sessions.set(TrainingSession.objects.filter(region=region).order_by("-date")[:4])
        local.exercises.set(Exercise.objects.filter(region=region))
    return f"Governance: channel plan, committee, adoption and funding for {region.name}."
