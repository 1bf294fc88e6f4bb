"""What a text message or a keypress from a phone means, and the answer it gets.

SMS (``handle_sms``), case-insensitive, surrounding spaces and punctuation ignored:

- "ACK" or "1" (also "ACKNOWLEDGE") acknowledges the latest notification sent to that number
  (notifications.services.notification_acknowledge: for an ER contact, that is also the
  hospital's acknowledgement on the incident);
- "R2 Y4 G10" — red, yellow, green in any order, "r 2 y 4 g 10" and "RED 2 YELLOW 4 GREEN 10"
  too, each colour once — answers the capacity of the sender's hospital on the incident of
  that notification (incidents.services.hospital_answer_capacity) and confirms it back;
- STOP / START and the other carrier keywords get no reply (Twilio answers those itself);
- anything else gets a short help text; a number on no roster gets a polite refusal.

Voice (``handle_gather``): pressing 1 acknowledges the call's notification.
Both return plain text; webhooks.py wraps it in TwiML.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Q

from agencies.models import ContactPoint, Hospital, Member
from agencies.validation import normalize_phone
from asim.plain_text import one_line
from incidents.models import IncidentHospital
from incidents.services import hospital_answer_capacity
from notifications.models import Delivery
from notifications.services.acknowledgements import notification_acknowledge, via_label

logger = logging.getLogger(__name__)

ACK_WORDS = frozenset({"ACK", "1", "ACKNOWLEDGE", "ACKNOWLEDGED"})
# Carrier / Twilio opt-out and opt-in keywords: Twilio replies to these itself.
CARRIER_KEYWORDS = frozenset(
    {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "START", "UNSTOP", "OPTOUT"}
)
_CAPACITY_TOKEN = re.compile(
    r"(?<![A-Z])(R(?:ED)?|Y(?:ELLOW)?|G(?:REEN)?)\s*[:=]?\s*(\d{1,4})(?!\d)", re.IGNORECASE
)
_LETTER_TO_CATEGORY = {"R": "immediate", "Y": "delayed", "G": "minor"}

HELP_TEXT = (
    "ASIM: reply ACK (or 1) to acknowledge the latest alert. Hospitals: reply capacity "
    "as R2 Y4 G10 (red, yellow, green)."
)
UNKNOWN_NUMBER_TEXT = (
    "ASIM: this number is not on an ASIM roster, so we cannot take your message. "
    "For an emergency call 911."
)
NOTHING_TO_ACK_TEXT = "ASIM: there is no alert for this number to acknowledge."
CAPACITY_INCOMPLETE_TEXT = (
    "ASIM: send all three colours, e.g. R2 Y4 G10 (red, yellow, green patients you can take)."
)


@dataclass(frozen=True)
class Capacity:
    immediate: int
    delayed: int
    minor: int

    def short(self) -> str:
        return f"R{self.immediate} Y{self.delayed} G{self.minor}"


def normalized_command(body: str) -> str:
    return (body or "").strip().strip(".!?,;:").strip().upper()


def parse_capacity(body: str) -> Capacity | bool | None:
    """A Capacity when ``body`` names each of the three colours once with a count (any order,
    case or spacing; other words around them are ignored, e.g. "thanks R2 Y4 G10"); False
    when it is only colours and counts but not exactly the three; None otherwise."""
    tokens = _CAPACITY_TOKEN.findall(body or "")
    if not tokens:
        return None
    values: dict[str, int] = {}
    repeated = False
    for word, number in tokens:
        category = _LETTER_TO_CATEGORY[word[0].upper()]
        repeated = repeated or category in values
        values[category] = int(number)
    if len(values) == 3 and not repeated:
        return Capacity(**values)
    only_tokens = not _CAPACITY_TOKEN.sub(" ", body or "").strip(" \t\r\n,;./-")
    return False if only_tokens else None


def _phone(raw: str) -> str:
    raw = (raw or "").strip()
    if raw.startswith("+"):
        return raw
    try:
        return normalize_phone(raw)
    except ValidationError:
        return raw


def latest_delivery_to(number: str) -> Delivery | None:
    """The latest SMS or call that went out to ``number``."""
    return (
        Delivery.objects.filter(address=number, channel__in=("sms", "voice"))
        .filter(Q(sent_at__isnull=False) | Q(provider_id__isnull=False))
        .select_related("notification__incident", "member__agency")
        .order_by("-sent_at", "-id")
        .first()
    )


def _hospital_of(member: Member) -> Hospital | None:
    try:
        return member.agency.hospital
    except Hospital.DoesNotExist:
        return None


def handle_sms(*, from_number: str, body: str) -> str:
    """The reply to an inbound SMS ("" for none); changes what the message asks for."""
    number = _phone(from_number)
    points = list(
        ContactPoint.objects.filter(channel__in=("sms", "voice"), address=number)
        .select_related("member__agency")
        .order_by("priority", "id")
    )
    if not points:
        logger.info("SMS from a number on no roster: %s", number)
        return UNKNOWN_NUMBER_TEXT
    command = normalized_command(body)
    if command in CARRIER_KEYWORDS:
        return ""
    latest = latest_delivery_to(number)
    if command in ACK_WORDS:
        if latest is None:
            return NOTHING_TO_ACK_TEXT
        return _acknowledge_reply(latest, via="sms")
    capacity = parse_capacity(body)
    if capacity is False:
        return CAPACITY_INCOMPLETE_TEXT
    if isinstance(capacity, Capacity):
        return _capacity_reply(number, points, latest, capacity)
    return HELP_TEXT


def _incident_words(delivery: Delivery) -> str:
    incident = delivery.notification.incident
    if incident is None:
        return "the alert"
    return f"incident {incident.number} ({one_line(incident.title)})"


def _acknowledge_reply(delivery: Delivery, *, via: str) -> str:
    result = notification_acknowledge(delivery=delivery, via=via)
    what = _incident_words(delivery)
    if result.hospital_acknowledged and result.hospital is not None:
        return (
            f"ASIM: acknowledged, thank you. {one_line(result.hospital.agency.name)} is marked "
            f"acknowledged on {what}. Reply capacity as R2 Y4 G10."
        )
    if result.acknowledged:
        return f"ASIM: acknowledged, thank you ({what})."
    return f"ASIM: already acknowledged ({what})."


def _capacity_reply(
    number: str, points: list[ContactPoint], latest: Delivery | None, capacity: Capacity
) -> str:
    # The sender speaks for the hospital on whose roster they are: the member the latest
    # message went to, else the first roster entry with this number at a hospital.
    members = [latest.member] if latest is not None else []
    members += [p.member for p in points]
    member = next((m for m in members if _hospital_of(m) is not None), None)
    if member is None:
        return "ASIM: capacity answers come from hospital staff; this number is not one."
    hospital = _hospital_of(member)
    incident = latest.notification.incident if latest is not None else None
    row = (
        IncidentHospital.objects.filter(incident=incident, hospital=hospital)
        .select_related("incident", "hospital__agency")
        .first()
        if incident is not None
        else None
    )
    if row is None:
        hospital = one_line(member.agency.name)
        return f"ASIM: {hospital} is not on an incident we alerted this number about."
    label = via_label(
        via="sms", address=number, member_name=member.full_name, agency_name=member.agency.name
    )
    actor = member.user if member.user_id and member.user.is_active else None
    try:
        hospital_answer_capacity(
            actor=actor,
            incident_hospital=row,
            immediate=capacity.immediate,
            delayed=capacity.delayed,
            minor=capacity.minor,
            actor_label=label,
        )
    except ValidationError as error:
        return f"ASIM: not recorded: {' '.join(error.messages)}"
    if latest is not None and latest.member_id == member.pk:
        # Answering is acknowledging: the latest alert to this number counts as seen.
        notification_acknowledge(delivery=latest, via="sms")
    return (
        f"ASIM: thank you. {one_line(member.agency.name)} can take {capacity.short()} on incident "
        f"{row.incident.number}. Reply again to revise."
    )


def handle_gather(*, delivery_id: int, digits: str, call_sid: str) -> str:
    """What the call says after a keypress: "1" acknowledges the call's notification."""
    delivery = (
        Delivery.objects.filter(pk=delivery_id, channel="voice")
        .select_related("notification__incident")
        .first()
    )
    if delivery is None or (delivery.provider_id and call_sid and delivery.provider_id != call_sid):
        return "This alert could not be found. Goodbye."
    if (digits or "").strip()[:1] != "1":
        return "No acknowledgement was recorded. Goodbye."
    result = notification_acknowledge(delivery=delivery, via="voice")
    if result.hospital_acknowledged and result.hospital is not None:
        return f"Acknowledged for {one_line(result.hospital.agency.name)}. Thank you. Goodbye."
    return "Acknowledged. Thank you. Goodbye."
