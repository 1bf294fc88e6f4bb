"""CAP 1.2: an incident's alerts, derived from its timeline, and reading alerts that come in.

An incident's CAP messages are a pure function of its timeline, so every reader at any time
gets the same messages with the same identifiers:

- `incident.declared` → `Alert`;
- a material change → `Update` referencing every earlier message: hospitals put on or taken
  off (the hospitals ranked or named by the CAD at declaration are part of the Alert),
  details changed, de-escalation, a situation update for officials, reopening;
- `incident.closed` → `Update` with responseType `AllClear` (a `Cancel` would say the alert
  was sent in error, which a closed incident was not).

Status follows the incident's application (an exercise is `Exercise`, never `Actual`); scope
is `Restricted` (responders and officials), never `Public`. No patient data: messages carry
the incident, its location and its hospitals, nothing from patient rows or patient events.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from lxml import etree

from incidents import events
from incidents.models import Incident, IncidentEvent
from interop.xml import CAP_NS, XmlRefused, parse_stamp, stamp, text_of

# Hospitals put on by the declaration itself: part of the Alert, not an Update each.
DECLARATION_SOURCES = {"ranked", "cad"}
NS = {"cap": CAP_NS}
STATUS = {
    Incident.Application.ACTUAL: "Actual",
    Incident.Application.EXERCISE: "Exercise",
    Incident.Application.TEST: "Test",
}
APPLICATION = {value: key for key, value in STATUS.items()}
CATEGORIES = {
    Incident.Kind.ACTIVE_SHOOTER: ("Security", "Health"),
    Incident.Kind.HOSTILE_EVENT: ("Security", "Health"),
    Incident.Kind.OTHER_MCI: ("Rescue", "Health"),
}
MATERIAL = {
    events.INCIDENT_DECLARED,
    events.INCIDENT_UPDATED,
    events.INCIDENT_DEESCALATED,
    events.INCIDENT_CLOSED,
    events.INCIDENT_REOPENED,
    events.HOSPITAL_ADDED,
    events.HOSPITAL_REMOVED,
    events.UPDATE_POSTED,
}


@dataclass
class CapMessage:
    """One CAP message of an incident, before it is written as XML."""

    seq: int  # the timeline seq it starts at (its identifier's last part)
    sent: datetime
    msg_type: str  # Alert or Update
    stage: str  # active, deescalated or closed
    lines: list[str] = field(default_factory=list)
    hospitals: list[str] = field(default_factory=list)


def sender(incident: Incident) -> str:
    return f"{incident.region.code}@{settings.INTEROP_SENDER_DOMAIN}"


def identifier(incident: Incident, seq: int) -> str:
    return f"asim.{incident.region.code}.{incident.number}.{seq}"


def _line(event: IncidentEvent) -> str:
    data = event.data
    if event.kind == events.INCIDENT_DECLARED:
        return f"MCI declared: {data.get('title', '')}."
    if event.kind == events.HOSPITAL_ADDED:
        return f"Hospital added: {data.get('hospital', '')}."
    if event.kind == events.HOSPITAL_REMOVED:
        return f"Hospital removed: {data.get('hospital', '')}."
    if event.kind == events.INCIDENT_DEESCALATED:
        return "De-escalated: the threat is contained and treatment is under control."
    if event.kind == events.INCIDENT_CLOSED:
        return f"All clear: incident closed. {data.get('summary', '')}".strip()
    if event.kind == events.INCIDENT_REOPENED:
        return "Incident reopened."
    if event.kind == events.UPDATE_POSTED:
        return f"Situation update: {data.get('body', '')}"
    return event.summary


def messages(incident: Incident) -> list[CapMessage]:
    """The incident's CAP messages, oldest first."""
    found: list[CapMessage] = []
    hospitals: dict[int, str] = {}
    stage = Incident.Status.ACTIVE
    for event in incident.events.filter(kind__in=MATERIAL).order_by("seq"):
        if event.kind == events.HOSPITAL_ADDED:
            hospitals[event.data["hospital_id"]] = event.data["hospital"]
        elif event.kind == events.HOSPITAL_REMOVED:
            hospitals.pop(event.data["hospital_id"], None)
        elif event.kind == events.INCIDENT_DEESCALATED:
            stage = Incident.Status.DEESCALATED
        elif event.kind == events.INCIDENT_CLOSED:
            stage = Incident.Status.CLOSED
        elif event.kind == events.INCIDENT_REOPENED:
            stage = Incident.Status.ACTIVE
        joins = (
            len(found) == 1
            and found[0].msg_type == "Alert"
            and event.kind == events.HOSPITAL_ADDED
            and event.data.get("source") in DECLARATION_SOURCES
        )
        if not joins:
            msg_type = "Alert" if event.kind == events.INCIDENT_DECLARED else "Update"
            if not found and msg_type == "Update":
                continue  # nothing to update before the declaration
            found.append(CapMessage(seq=event.seq, sent=event.at, msg_type=msg_type, stage=stage))
        message = found[-1]
        message.lines.append(_line(event))
        message.hospitals = sorted(hospitals.values())
    return found


def _sub(parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
    element = etree.SubElement(parent, f"{{{CAP_NS}}}{tag}")
    if text is not None:
        element.text = text
    return element


def _reference(incident: Incident, message: CapMessage) -> str:
    zone = incident.region.time_zone
    return f"{sender(incident)},{identifier(incident, message.seq)},{stamp(message.sent, zone)}"


def alert_element(incident: Incident, message: CapMessage, earlier: list[CapMessage]) -> Any:
    """The `<alert>` of one message; `earlier` are the incident's messages before it."""
    zone = incident.region.time_zone
    exercise = incident.application != Incident.Application.ACTUAL
    alert = etree.Element(f"{{{CAP_NS}}}alert", nsmap={None: CAP_NS})
    _sub(alert, "identifier", identifier(incident, message.seq))
    _sub(alert, "sender", sender(incident))
    _sub(alert, "sent", stamp(message.sent, zone))
    _sub(alert, "status", STATUS[incident.application])
    _sub(alert, "msgType", message.msg_type)
    _sub(alert, "source", "ASIM")
    _sub(alert, "scope", "Restricted")
    _sub(alert, "restriction", f"Responders and officials of {incident.region.name} only")
    if exercise:
        _sub(alert, "note", f"{STATUS[incident.application].upper()}: not a real incident.")
    if earlier:
        _sub(alert, "references", " ".join(_reference(incident, m) for m in earlier))
    _sub(alert, "incidents", f"{incident.region.code}/{incident.number}")

    info = _sub(alert, "info")
    _sub(info, "language", "en-US")
    for category in CATEGORIES[incident.kind]:
        _sub(info, "category", category)
    _sub(info, "event", incident.get_kind_display())
    closed = message.stage == Incident.Status.CLOSED
    deescalated = message.stage == Incident.Status.DEESCALATED
    response = "AllClear" if closed else "Monitor" if deescalated else "Prepare"
    _sub(info, "responseType", response)
    _sub(info, "urgency", "Past" if closed else "Expected" if deescalated else "Immediate")
    _sub(info, "severity", "Minor" if closed else "Moderate" if deescalated else "Severe")
    _sub(info, "certainty", "Observed")
    _sub(info, "senderName", incident.region.name)
    prefix = f"{STATUS[incident.application].upper()}: " if exercise else ""
    state = "ALL CLEAR" if closed else "de-escalated" if deescalated else "MCI"
    _sub(info, "headline", f"{prefix}{incident.number} {state}: {incident.title}"[:160])
    description = list(message.lines)
    description.append(
        "Hospitals on the incident: " + (", ".join(message.hospitals) or "none") + "."
    )
    _sub(info, "description", "\n".join(description))
    parameter = _sub(info, "parameter")
    _sub(parameter, "valueName", "ASIM-incident")
    _sub(parameter, "value", incident.number)
    area = _sub(info, "area")
    _sub(area, "areaDesc", incident.location_text or incident.region.name)
    if incident.latitude is not None and incident.longitude is not None:
        radius = settings.CAP_AREA_RADIUS_KM
        _sub(area, "circle", f"{incident.latitude:.5f},{incident.longitude:.5f} {radius:.1f}")
    return alert


def alerts(incident: Incident) -> list[tuple[CapMessage, Any]]:
    """Every message of the incident with its `<alert>`, oldest first."""
    found = messages(incident)
    return [(m, alert_element(incident, m, found[:i])) for i, m in enumerate(found)]


# --- reading ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reference:
    sender: str
    identifier: str


@dataclass(frozen=True)
class IncomingInfo:
    event: str
    response_types: tuple[str, ...]
    headline: str
    description: str
    area_desc: str
    latitude: float | None
    longitude: float | None


@dataclass(frozen=True)
class IncomingAlert:
    identifier: str
    sender: str
    sent: datetime
    status: str
    msg_type: str
    note: str
    references: tuple[Reference, ...]
    infos: tuple[IncomingInfo, ...]

    @property
    def all_clear(self) -> bool:
        return any("AllClear" in info.response_types for info in self.infos)


def _circle_centre(area: Any) -> tuple[float | None, float | None]:
    circle = text_of(area, "cap:circle", NS)
    if not circle:
        return None, None
    centre = circle.split()[0]
    latitude, longitude = (float(part) for part in centre.split(","))
    return latitude, longitude


def read_alert(root: Any) -> IncomingAlert:
    """The parts of a (schema-valid) CAP alert ASIM acts on."""
    references = []
    for item in text_of(root, "cap:references", NS).split():
        parts = item.split(",")
        if len(parts) == 3:
            references.append(Reference(sender=parts[0], identifier=parts[1]))
    infos = []
    for info in root.findall("cap:info", NS):
        area = info.find("cap:area", NS)
        latitude, longitude = _circle_centre(area)
        infos.append(
            IncomingInfo(
                event=text_of(info, "cap:event", NS),
                response_types=tuple(
                    (e.text or "").strip() for e in info.findall("cap:responseType", NS)
                ),
                headline=text_of(info, "cap:headline", NS),
                description=text_of(info, "cap:description", NS),
                area_desc=text_of(area, "cap:areaDesc", NS),
                latitude=latitude,
                longitude=longitude,
            )
        )
    try:
        sent = parse_stamp(text_of(root, "cap:sent", NS))
    except ValueError as error:
        raise XmlRefused(f"sent: {error}") from None
    return IncomingAlert(
        identifier=text_of(root, "cap:identifier", NS),
        sender=text_of(root, "cap:sender", NS),
        sent=sent,
        status=text_of(root, "cap:status", NS),
        msg_type=text_of(root, "cap:msgType", NS),
        note=text_of(root, "cap:note", NS),
        references=tuple(references),
        infos=tuple(infos),
    )
