"""The demo region's default notification rules and update templates.

``seed_demo_notifications()`` is called by ``manage.py seed_demo`` after the region is seeded.
It is idempotent, keyed on (region, name): it creates only what is missing and never
overwrites a rule or template an emergency manager has edited; a second run only reads.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from agencies.demo import COUNTY_CODE
from agencies.models import Discipline, DistributionList, Region, RosterRole
from incidents import events
from notifications.models import MessageTemplate, NotificationRule

ER_ALERT_SMS = (
    "ASIM MCI ALERT: {{ incident.kind }}, {{ incident.headline }}. "
    "Incident {{ incident.number }}. Expected: {{ incident.estimated.immediate }} red, "
    "{{ incident.estimated.delayed }} yellow, {{ incident.estimated.minor }} green. "
    "Reply ACK, then the patients you can take now as R2 Y4 G10."
)
ER_ALERT_VOICE = (
    "This is an ASIM mass casualty alert. {{ incident.kind }}: {{ incident.headline }}. "
    "Expected: {{ incident.estimated.immediate }} red, {{ incident.estimated.delayed }} yellow "
    "and {{ incident.estimated.minor }} green patients. Incident number {{ incident.number }}."
)
RESPONDERS_SMS = (
    "ASIM MCI DECLARED: {{ incident.kind }}, {{ incident.headline }}. "
    "Incident {{ incident.number }}. Reply ACK to acknowledge."
)


@dataclass(frozen=True)
class RuleSpec:
    name: str
    trigger: str
    channels: tuple[str, ...]
    lists: tuple[str, ...] = ()
    disciplines: tuple[str, ...] = ()
    roster_roles: tuple[str, ...] = ()
    on_call_only: bool = False
    incident_hospitals_er: bool = False
    everyone_notified: bool = False
    life_safety: bool = False
    sms_template: str = ""
    voice_template: str = ""


RULES: tuple[RuleSpec, ...] = (
    RuleSpec(
        "MCI declared: receiving hospitals' ER",
        events.INCIDENT_DECLARED,
        ("sms", "voice", "in_app"),
        incident_hospitals_er=True,
        life_safety=True,
        sms_template=ER_ALERT_SMS,
        voice_template=ER_ALERT_VOICE,
    ),
    RuleSpec(
        "MCI declared: dispatch, EMS and emergency management",
        events.INCIDENT_DECLARED,
        ("sms", "email", "in_app"),
        lists=("Dispatch and EMS supervisors",),
        disciplines=(Discipline.EM,),
        roster_roles=(RosterRole.COMMAND, RosterRole.DUTY_OFFICER),
        life_safety=True,
        sms_template=RESPONDERS_SMS,
    ),
    RuleSpec(
        "Hospital added: its ER",
        events.HOSPITAL_ADDED,
        ("sms", "voice", "in_app"),
        incident_hospitals_er=True,
        life_safety=True,
    ),
    RuleSpec(
        "Capacity overdue: that hospital's ER",
        events.HOSPITAL_CAPACITY_OVERDUE,
        ("sms", "in_app"),
        incident_hospitals_er=True,
        life_safety=True,
    ),
    RuleSpec(
        # the channels that alerted them
        "Stand-down: that hospital's ER",
        events.HOSPITAL_STOOD_DOWN,
        ("sms", "voice", "in_app"),
        incident_hospitals_er=True,
        life_safety=True,
    ),
    RuleSpec(
        "De-escalated: everyone notified",
        events.INCIDENT_DEESCALATED,
        ("sms", "email", "in_app"),
        everyone_notified=True,
    ),
    RuleSpec(
        "Closed: everyone notified",
        events.INCIDENT_CLOSED,
        ("sms", "email", "in_app"),
        everyone_notified=True,
    ),
)

TEMPLATES: tuple[tuple[str, str], ...] = (
    (
        "Situation update",
        "Incident {{ incident.number }} ({{ incident.title }}): the scene is [secured / still "
        "active]. Patients are being distributed to area hospitals. Next update at [time].",
    ),
    (
        "Reunification center open",
        "A family reunification center is open at [address] for incident {{ incident.number }}. "
        "Direct families there; do not send them to the scene or to hospitals.",
    ),
    (
        "Shelter in place",
        "Shelter in place advisory for the area around {{ incident.location|default:'the scene' }} "
        "until further notice. Avoid the area.",
    ),
    (
        "Incident closed",
        "Incident {{ incident.number }} ({{ incident.title }}) is closed. An after-action "
        "review will follow. Thank you for your response.",
    ),
)


def seed_demo_notifications() -> int:
    """Create the county's missing default rules and templates; returns rows created."""
    region = Region.objects.filter(code=COUNTY_CODE).first()
    if region is None:
        return 0
    have_rules = set(NotificationRule.objects.filter(region=region).values_list("name", flat=True))
    have_templates = set(
        MessageTemplate.objects.filter(region=region).values_list("name", flat=True)
    )
    missing_rules = [spec for spec in RULES if spec.name not in have_rules]
    missing_templates = [(n, b) for n, b in TEMPLATES if n not in have_templates]
    if not missing_rules and not missing_templates:
        return 0
    with transaction.atomic():
        lists = {
            d.name: d
            for d in DistributionList.objects.filter(region__in=[region, region.parent_id or 0])
        }
        for spec in missing_rules:
            rule = NotificationRule.objects.create(
                region=region,
                name=spec.name,
                trigger=spec.trigger,
                channels=list(spec.channels),
                disciplines=list(spec.disciplines),
                roster_roles=list(spec.roster_roles),
                on_call_only=spec.on_call_only,
                incident_hospitals_er=spec.incident_hospitals_er,
                everyone_notified=spec.everyone_notified,
                life_safety=spec.life_safety,
                sms_template=spec.sms_template,
                voice_template=spec.voice_template,
            )
            rule.distribution_lists.set([lists[name] for name in spec.lists if name in lists])
        MessageTemplate.objects.bulk_create(
            [MessageTemplate(region=region, name=n, body=b) for n, b in missing_templates]
        )
    return len(missing_rules) + len(missing_templates)
