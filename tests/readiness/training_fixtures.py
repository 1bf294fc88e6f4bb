"""Training fixtures: region A's catalogue, a session for police and EMS, roster members."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from agencies.models import Channel, Member, RosterRole
from readiness.models import Course, CourseKind, TrainingSession
from readiness.services import training
from tests.conftest import World
from tests.factories import ContactPointFactory, MemberFactory

TODAY = date(2026, 6, 15)


@dataclass
class Training:
    basic: Course
    ttt: Course
    session: TrainingSession
    alice: Member  # police, alice@apd.test
    bob: Member  # police, +19375550101
    carol: Member  # EMS, by name only
    mayor: Member  # police roster, an official: not a responder
    teacher: Member  # EMS instructor of the session, with a login


@pytest.fixture
def trained(world: World, responder_a) -> Training:
    return build_training(world, responder_a)


def build_training(world: World, instructor_user) -> Training:
    """Region A's catalogue and one session; `instructor_user` teaches it."""
    basic = training.course_create(
        actor=None,
        region=world.region_a,
        name="ASIM Basic",
        code="ASIM-B",
        kind=CourseKind.ASIM_BASIC,
        disciplines=["law", "ems"],
        hours=8,
        refresher_months=24,
        required=True,
    )
    ttt = training.course_create(
        actor=None,
        region=world.region_a,
        name="ASIM Train-the-Trainer",
        code="ASIM-TTT",
        kind=CourseKind.TRAIN_THE_TRAINER,
        hours=16,
        refresher_months=36,
    )
    alice = MemberFactory(agency=world.police_a, full_name="Alice Adams")
    ContactPointFactory(member=alice, channel=Channel.EMAIL, address="alice@apd.test")
    bob = MemberFactory(agency=world.police_a, full_name="Bob Brown")
    ContactPointFactory(member=bob, channel=Channel.SMS, address="+19375550101")
    carol = MemberFactory(agency=world.ems_a, full_name="Carol Cole")
    mayor = MemberFactory(agency=world.police_a, full_name="Mayor May", roles=[RosterRole.OFFICIAL])
    teacher = MemberFactory(agency=world.ems_a, full_name="Tess Teacher", user=instructor_user)
    session = training.session_create(
        actor=None,
        region=world.region_a,
        course=basic,
        date=date(2026, 3, 1),
        place="County training centre",
        instructors=[teacher],
        agencies=[world.police_a, world.ems_a],
    )
    return Training(basic, ttt, session, alice, bob, carol, mayor, teacher)
