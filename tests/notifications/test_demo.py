"""The demo region's default rules and templates: seeded once, and they reach who they say."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from agencies import demo as agencies_demo
from agencies.models import Member, Region, RosterRole
from incidents import services
from notifications.demo import RULES, TEMPLATES, seed_demo_notifications
from notifications.models import MessageTemplate, Notification, NotificationRule

pytestmark = pytest.mark.django_db


@pytest.fixture
def county() -> Region:
    call_command("seed_demo", stdout=StringIO())
    return Region.objects.get(code=agencies_demo.COUNTY_CODE)


def test_seeding_creates_the_default_rules_and_templates_once(county):
    assert sorted(NotificationRule.objects.values_list("name", flat=True)) == sorted(
        spec.name for spec in RULES
    )
    assert MessageTemplate.objects.filter(region=county).count() == len(TEMPLATES)
    edited = NotificationRule.objects.get(name="Closed: everyone notified")
    edited.active = False
    edited.save()

    assert seed_demo_notifications() == 0

    edited.refresh_from_db()
    assert edited.active is False  # an emergency manager's change is kept


def test_the_default_rules_alert_the_er_dispatch_ems_and_em_on_an_mci(
    county, notify_settings, on_commit
):
    with on_commit():
        incident = services.incident_declare(
            actor=None,
            region=county,
            title="Shooting at Riverton Mall",
            latitude=39.7589,
            longitude=-84.1916,
            estimated={"immediate": 4, "delayed": 8, "minor": 20},
        )

    hospitals_alert = Notification.objects.get(rule__name="MCI declared: receiving hospitals' ER")
    others = Notification.objects.get(
        rule__name="MCI declared: dispatch, EMS and emergency management"
    )
    # No second "hospital added" alert for the hospitals put on the MCI at declaration.
    assert set(incident.notifications.values_list("kind", flat=True)) == {"incident.declared"}
    reached = Member.objects.filter(deliveries__notification=hospitals_alert).distinct()
    hospitals = set(incident.hospitals.values_list("hospital__agency_id", flat=True))
    assert {m.agency_id for m in reached} == hospitals
    assert all(RosterRole.ER_CONTACT in m.roles for m in reached)
    assert hospitals_alert.life_safety and sorted(hospitals_alert.channels) == [
        "in_app",
        "sms",
        "voice",
    ]
    assert "4 red, 8 yellow, 20 green" in hospitals_alert.texts["sms"]
    titles = set(
        Member.objects.filter(deliveries__notification=others).values_list("title", flat=True)
    )
    assert {"Dispatch Shift Supervisor", "EMS Field Supervisor", "EMA Director"} <= titles
    assert "Emergency Management Duty Officer" in titles  # the EM login's own roster entry
    assert {hospitals_alert.state, others.state} == {"done"}
