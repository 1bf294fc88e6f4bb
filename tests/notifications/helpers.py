"""Building blocks for notification tests: a roster in region A, rules, and running work."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from agencies.models import Agency, Channel, Member, RosterRole
from notifications.models import Delivery, Notification, NotificationRule
from tests.conftest import World
from tests.factories import ContactPointFactory, MemberFactory

_numbers = iter(range(1000, 10000))


def phone() -> str:
    """A fresh E.164 number the fake Twilio accepts."""
    return f"+1937555{next(_numbers):04d}"


def person(
    agency: Agency,
    *,
    roles: Sequence[str] = (),
    channels: Iterable[str] = ("sms",),
    on_call: bool = False,
    user: Any = None,
    active: bool = True,
    name: str = "",
) -> Member:
    """A roster member with one contact point per channel (SMS and voice share a number)."""
    member = MemberFactory(
        agency=agency, roles=list(roles), on_call=on_call, user=user, active=active
    )
    if name:
        member.full_name = name
        member.save(update_fields=["full_name"])
    number = phone()
    for channel in channels:
        address = f"{member.pk}.{channel}@example.org" if channel == "email" else number
        ContactPointFactory(member=member, channel=channel, address=address)
    return member


@dataclass
class Roster:
    """Region A's people the default-style rules reach."""

    er_a1: list[Member] = field(default_factory=list)
    er_a2: list[Member] = field(default_factory=list)
    supervisor_a1: Member | None = None
    dispatch_supervisor: Member | None = None
    ems_supervisor: Member | None = None
    em_duty: Member | None = None
    officer: Member | None = None
    official: Member | None = None


def build_roster(world: World) -> Roster:
    er = [RosterRole.ER_CONTACT]
    roster = Roster()
    roster.er_a1 = [
        person(world.hospital_a1.agency, roles=er, channels=("sms", "voice"), on_call=True),
        person(world.hospital_a1.agency, roles=er, channels=("sms",)),
    ]
    roster.er_a2 = [person(world.hospital_a2.agency, roles=er, channels=("sms", "voice"))]
    roster.supervisor_a1 = person(
        world.hospital_a1.agency, roles=[RosterRole.SUPERVISOR], channels=("sms",), on_call=True
    )
    roster.dispatch_supervisor = person(
        world.dispatch_a, roles=[RosterRole.SUPERVISOR], channels=("sms", "email")
    )
    roster.ems_supervisor = person(world.ems_a, roles=[RosterRole.SUPERVISOR], channels=("sms",))
    roster.em_duty = person(
        world.em_a, roles=[RosterRole.DUTY_OFFICER], channels=("sms", "email"), on_call=True
    )
    roster.officer = person(world.police_a, roles=[RosterRole.STAFF], channels=("sms",))
    roster.official = person(
        world.officials_a, roles=[RosterRole.OFFICIAL], channels=("sms", "email")
    )
    return roster


def rule(world: World, **fields: Any) -> NotificationRule:
    lists = fields.pop("lists", [])
    values: dict[str, Any] = {
        "region": world.region_a,
        "name": f"rule {NotificationRule.objects.count() + 1}",
        "trigger": "incident.declared",
        "channels": [Channel.SMS],
    }
    values.update(fields)
    made = NotificationRule.objects.create(**values)
    made.distribution_lists.set(lists)
    return made


def deliveries(notification: Notification) -> list[Delivery]:
    return list(notification.deliveries.order_by("id"))


def recipients(notification: Notification) -> set[int]:
    return set(notification.deliveries.values_list("member_id", flat=True))
