"""EDXL-HAVE 1.0: the region's hospital status out, and outside partners' status in.

ED status ↔ EMSTrafficStatus, by what the spec's values mean: open → Normal ("accepting all
EMS traffic"), advisory → Advisory ("resource limitations which may affect some EMS
traffic"), diversion → Closed ("requesting re-route of EMS traffic"), and a closed ED →
Closed with the reason "ED closed" (which tells the two apart on the way back in).
Capacity (immediate / delayed / minor patients the ED can take, which the MCI R/Y/G answers
also set) ↔ EMSCapacity Red / Yellow / Green.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from lxml import etree

from agencies.models import EdStatus, Hospital, Region
from incidents.models import Incident, IncidentHospital
from interop.xml import GML_NS, HAVE_NS, XNL_NS, XPIL_NS, XmlRefused, parse_stamp, stamp, text_of

NS = {"have": HAVE_NS, "xnl": XNL_NS, "xpil": XPIL_NS, "gml": GML_NS}
TRAFFIC = {
    EdStatus.OPEN: "Normal",
    EdStatus.ADVISORY: "Advisory",
    EdStatus.DIVERSION: "Closed",
    EdStatus.CLOSED: "Closed",
}
ED_CLOSED_REASON = "ED closed"
TRAFFIC_REASON = {EdStatus.DIVERSION: "Diversion", EdStatus.CLOSED: ED_CLOSED_REASON}
TRIAGE = (("immediate", "Red"), ("delayed", "Yellow"), ("minor", "Green"))


def exchange_id(hospital: Hospital) -> str:
    """How other systems know this hospital: its configured id, else one made from ours."""
    agency = hospital.agency
    return hospital.exchange_id or f"asim:{agency.region.code}:{agency.short_code}"


def region_hospitals(region: Region) -> QuerySet[Hospital]:
    """The region's own hospitals (outside partners are others' to report)."""
    return (
        Hospital.objects.select_related("agency__region")
        .filter(agency__region=region, agency__active=True, outside_partner=False)
        .order_by("agency__name")
    )


def _sub(parent: Any, namespace: str, tag: str, text: str | None = None) -> Any:
    element = etree.SubElement(parent, f"{{{namespace}}}{tag}")
    if text is not None:
        element.text = text
    return element


def _when(at: datetime | None, zone: str) -> str:
    return stamp(at, zone) if at else "never"


def _by(who: str) -> str:
    return f" by {who}" if who else ""


def _mci_answers(region: Region) -> dict[int, list[IncidentHospital]]:
    """Capacity answers on the region's open incidents, per hospital."""
    answers: dict[int, list[IncidentHospital]] = {}
    rows = IncidentHospital.objects.select_related("incident").filter(
        incident__region=region,
        incident__status__in=[Incident.Status.ACTIVE, Incident.Status.DEESCALATED],
        capacity_answered_at__isnull=False,
    )
    for row in rows.order_by("capacity_answered_at"):
        answers.setdefault(row.hospital_id, []).append(row)
    return answers


def hospital_status(region: Region, now: datetime | None = None) -> Any:
    """The region's `<HospitalStatus>`."""
    zone = region.time_zone
    now = now or timezone.now()
    answers = _mci_answers(region)
    root = etree.Element(
        f"{{{HAVE_NS}}}HospitalStatus",
        nsmap={None: HAVE_NS, "xnl": XNL_NS, "xpil": XPIL_NS, "gml": GML_NS},
    )
    for hospital in region_hospitals(region):
        agency = hospital.agency
        element = _sub(root, HAVE_NS, "Hospital")
        organization = _sub(element, HAVE_NS, "Organization")
        information = _sub(organization, HAVE_NS, "OrganizationInformation")
        name = _sub(information, XNL_NS, "OrganisationName")
        _sub(name, XNL_NS, "NameElement", agency.name)
        identifiers = _sub(information, XPIL_NS, "Identifiers")
        _sub(
            _sub(identifiers, XPIL_NS, "Identifier"), XPIL_NS, "IdentifierElement"
        ).text = exchange_id(hospital)
        if agency.latitude is not None and agency.longitude is not None:
            where = _sub(organization, HAVE_NS, "OrganizationGeoLocation")
            point = _sub(where, GML_NS, "Point")
            _sub(point, GML_NS, "pos", f"{agency.latitude} {agency.longitude}")

        ed = _sub(element, HAVE_NS, "EmergencyDepartmentStatus")
        traffic = _sub(ed, HAVE_NS, "EMSTraffic")
        _sub(traffic, HAVE_NS, "EMSTrafficStatus", TRAFFIC[hospital.ed_status])
        if hospital.ed_status in TRAFFIC_REASON:
            _sub(traffic, HAVE_NS, "EMSTrafficReason", TRAFFIC_REASON[hospital.ed_status])
        _sub(
            traffic,
            HAVE_NS,
            "CommentText",
            f"ED status {hospital.get_ed_status_display()} since "
            f"{_when(hospital.ed_status_at, zone)}{_by(hospital.ed_status_by)}",
        )
        capacity = {c: getattr(hospital, f"capacity_{c}") for c, _ in TRIAGE}
        if any(value is not None for value in capacity.values()):
            counts = _sub(ed, HAVE_NS, "EMSCapacity")
            for category, colour in TRIAGE:
                if capacity[category] is not None:
                    code = _sub(counts, HAVE_NS, "TriageCode")
                    _sub(code, HAVE_NS, "TriageCodeValue", colour)
                    _sub(code, HAVE_NS, "TriageCountQuantity", str(capacity[category]))
        _sub(
            ed,
            HAVE_NS,
            "CommentText",
            f"Capacity R/Y/G reported {_when(hospital.capacity_reported_at, zone)}"
            f"{_by(hospital.capacity_reported_by)}",
        )
        for row in answers.get(hospital.pk, []):
            figures = " ".join(
                f"{letter}{'?' if value is None else value}"
                for letter, value in zip("RYG", row.capacity().values(), strict=True)
            )
            exercise = " (EXERCISE)" if row.incident.is_exercise else ""
            _sub(
                ed,
                HAVE_NS,
                "CommentText",
                f"MCI {row.incident.number}{exercise}: answered {figures} at "
                f"{_when(row.capacity_answered_at, zone)}",
            )

        services = _sub(element, HAVE_NS, "ServiceCoverageStatus")
        _sub(services, HAVE_NS, "Burn", "true" if hospital.burn else "false")
        trauma = _sub(services, HAVE_NS, "TraumaCenterServicesIndicator")
        _sub(trauma, HAVE_NS, "TraumaCenterServices", "true" if hospital.trauma_level else "false")
        if hospital.trauma_level:
            _sub(trauma, HAVE_NS, "TraumaCenterServicesLevel", f"Level{hospital.trauma_level}")

        times = [t for t in (hospital.ed_status_at, hospital.capacity_reported_at) if t]
        _sub(element, HAVE_NS, "LastUpdateTime", stamp(max(times) if times else now, zone))
    return root


# --- reading ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportedHospital:
    key: str  # the identifier, or the name when the document gives no identifier
    name: str
    ed_status: str | None
    capacity: dict[str, int] | None
    updated_at: datetime


def _ed_status(element: Any) -> str | None:
    traffic = text_of(
        element, "have:EmergencyDepartmentStatus/have:EMSTraffic/have:EMSTrafficStatus", NS
    )
    reason = text_of(
        element, "have:EmergencyDepartmentStatus/have:EMSTraffic/have:EMSTrafficReason", NS
    )
    if traffic == "Normal":
        return EdStatus.OPEN
    if traffic == "Advisory":
        return EdStatus.ADVISORY
    if traffic == "Closed":
        return EdStatus.CLOSED if reason.lower().startswith("ed closed") else EdStatus.DIVERSION
    return None  # absent, or NotApplicable (no ED)


def _capacity(element: Any) -> dict[str, int] | None:
    counts = element.find("have:EmergencyDepartmentStatus/have:EMSCapacity", NS)
    if counts is None:
        return None
    by_colour = {colour: category for category, colour in TRIAGE}
    capacity: dict[str, int] = {}
    for code in counts.findall("have:TriageCode", NS):
        colours = [(e.text or "").strip() for e in code.findall("have:TriageCodeValue", NS)]
        quantities = [(e.text or "").strip() for e in code.findall("have:TriageCountQuantity", NS)]
        for colour, quantity in zip(colours, quantities, strict=False):
            if colour in by_colour:
                capacity[by_colour[colour]] = max(0, int(quantity))
    return capacity or None


def read_hospital_status(root: Any) -> list[ReportedHospital]:
    """The hospitals of a (schema-valid) `<HospitalStatus>`."""
    found = []
    for element in root.findall("have:Hospital", NS):
        information = element.find("have:Organization/have:OrganizationInformation", NS)
        name = text_of(information, "xnl:OrganisationName/xnl:NameElement", NS)
        key = text_of(information, "xpil:Identifiers/xpil:Identifier/xpil:IdentifierElement", NS)
        try:
            updated_at = parse_stamp(text_of(element, "have:LastUpdateTime", NS))
        except ValueError as error:
            raise XmlRefused(f"LastUpdateTime: {error}") from None
        found.append(
            ReportedHospital(
                key=key or name,
                name=name,
                ed_status=_ed_status(element),
                capacity=_capacity(element),
                updated_at=updated_at,
            )
        )
    return found
