"""Every change interop makes: exchange partners, and acting on documents partners send.

Incidents change only through incidents.services, hospitals only through agencies.services
(which audit every change). Each incoming document is recorded as an InboundMessage with
what became of it and why.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from lxml import etree

from agencies.models import AuditEntry, Hospital, Region
from agencies.services import hospital_update_status
from incidents import services as incident_services
from incidents.models import Incident
from incidents.services.tokens import hash_key
from interop import cap, de, have
from interop.models import ExchangePartner, InboundMessage
from interop.xml import CAP_NS, HAVE_NS, XmlRefused, expect_root, validate

Outcome = InboundMessage.Outcome
# A reported status more than this far in the future is refused (a wrong clock).
CLOCK_SKEW = timedelta(minutes=5)


class NotAllowed(Exception):
    """The partner may not do this (a scope it lacks, a sender not on its list)."""


def partner_create(
    *,
    region: Region,
    name: str,
    scopes: list[str],
    cap_senders: list[str] | None = None,
    cap_events: list[str] | None = None,
    cap_incident_kind: str = Incident.Kind.OTHER_MCI,
) -> tuple[ExchangePartner, str]:
    """A new active partner of `region`; returns it and its key (the only time it is known)."""
    name = (name or "").strip()
    errors = {}
    if not name:
        errors["name"] = "Name the system this key is for."
    unknown = sorted(set(scopes) - set(ExchangePartner.Scope.values))
    if unknown or not scopes:
        errors["scopes"] = f"Choose from {', '.join(ExchangePartner.Scope.values)}."
    if cap_incident_kind not in Incident.Kind.values:
        errors["cap_incident_kind"] = f"Choose one of {', '.join(Incident.Kind.values)}."
    if errors:
        raise ValidationError(errors)
    key = secrets.token_urlsafe(32)
    partner = ExchangePartner.objects.create(
        region=region,
        name=name[:80],
        key_prefix=key[:8],
        key_hash=hash_key(key),
        scopes=sorted(set(scopes)),
        cap_senders=[s.strip() for s in cap_senders or [] if s.strip()],
        cap_events=[e.strip() for e in cap_events or [] if e.strip()],
        cap_incident_kind=cap_incident_kind,
    )
    return partner, key


@dataclass
class Received:
    """What became of one incoming document (the API's answer)."""

    standard: str
    outcome: str
    reason: str
    identifier: str = ""
    incident: int | None = None
    duplicate: bool = False
    hospitals: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "standard": self.standard,
            "identifier": self.identifier,
            "outcome": self.outcome,
            "reason": self.reason,
            "incident": self.incident,
            "duplicate": self.duplicate,
            "hospitals": self.hospitals,
        }


def _received(message: InboundMessage, duplicate: bool = False) -> Received:
    return Received(
        standard=message.standard,
        outcome=message.outcome,
        reason=message.reason,
        identifier=message.identifier,
        incident=message.incident_id,
        duplicate=duplicate,
    )


# --- CAP in ------------------------------------------------------------------------------------


def _act_on_cap(
    partner: ExchangePartner, alert: cap.IncomingAlert
) -> tuple[str, str, Incident | None]:
    """(outcome, reason, incident) for a new CAP message; changes the incident if it acts."""
    via = f"CAP: {partner.name}"
    application = cap.APPLICATION.get(alert.status)
    if application is None:
        return Outcome.IGNORED, f"Status {alert.status} is not acted on.", None
    if alert.msg_type == "Alert":
        wanted = {event.lower() for event in partner.cap_events}
        info = next((i for i in alert.infos if i.event.lower() in wanted), None)
        if info is None:
            events = ", ".join(i.event for i in alert.infos) or "none"
            configured = ", ".join(partner.cap_events) or "none"
            return (
                Outcome.IGNORED,
                f"Event {events} does not open incidents here (configured: {configured}).",
                None,
            )
        incident = incident_services.incident_declare(
            actor=None,
            region=partner.region,
            title=(info.headline or info.event)[:160],
            kind=partner.cap_incident_kind,
            location_text=info.area_desc[:240],
            latitude=info.latitude,
            longitude=info.longitude,
            application=application,
            via=via[:80],
        )
        return Outcome.OPENED, f"Opened incident {incident.number}.", incident
    if alert.msg_type not in ("Update", "Cancel"):
        return Outcome.IGNORED, f"{alert.msg_type} messages are recorded, not acted on.", None
    opened = (
        InboundMessage.objects.filter(
            region=partner.region,
            standard=InboundMessage.Standard.CAP,
            incident__isnull=False,
            sender__in=[r.sender for r in alert.references],
            identifier__in=[r.identifier for r in alert.references],
        )
        .select_related("incident")
        .first()
    )
    if opened is None:
        return Outcome.IGNORED, "It references no message that opened an incident here.", None
    incident = opened.incident
    if incident.status == Incident.Status.CLOSED:
        return Outcome.IGNORED, f"Incident {incident.number} is already closed.", incident
    if alert.msg_type == "Cancel" or alert.all_clear:
        why = "cancelled (sent in error)" if alert.msg_type == "Cancel" else "all clear"
        summary = f"{why.capitalize()} by {alert.sender}. {alert.note}".strip()
        incident_services.incident_close(
            actor=None, incident=incident, summary=summary[:2000], confirm=True
        )
        return Outcome.CLOSED, f"Closed incident {incident.number}: {why}.", incident
    info = alert.infos[0] if alert.infos else None
    changes: dict[str, Any] = {}
    if info is not None:
        if info.headline:
            changes["title"] = info.headline[:160]
        if info.area_desc:
            changes["location_text"] = info.area_desc[:240]
        if info.latitude is not None:
            changes.update(latitude=info.latitude, longitude=info.longitude)
    before = incident.updated_at
    if changes:
        incident = incident_services.incident_update(actor=None, incident=incident, changes=changes)
    if incident.updated_at == before:
        return Outcome.IGNORED, f"No change to incident {incident.number}.", incident
    return Outcome.UPDATED, f"Updated incident {incident.number}.", incident


def cap_receive(partner: ExchangePartner, root: Any, *, enveloped: bool = False) -> Received:
    """Act on one CAP alert from `partner` (validated here). Idempotent on (sender,
    identifier): a message seen before returns what became of it the first time."""
    if not partner.may(ExchangePartner.Scope.CAP_SEND):
        raise NotAllowed("This key may not send CAP alerts.")
    expect_root(root, CAP_NS, "alert")
    validate(root)
    alert = cap.read_alert(root)
    if alert.sender not in partner.cap_senders:
        raise NotAllowed(f"Sender {alert.sender!r} is not on this key's list of CAP senders.")
    seen = InboundMessage.objects.filter(
        region=partner.region, sender=alert.sender, identifier=alert.identifier
    ).first()
    if seen is not None:
        return _received(seen, duplicate=True)
    try:
        with transaction.atomic():
            # One region at a time: two deliveries of one message never both act on it.
            Region.objects.select_for_update().get(pk=partner.region_id)
            seen = InboundMessage.objects.filter(
                region=partner.region, sender=alert.sender, identifier=alert.identifier
            ).first()
            if seen is not None:
                return _received(seen, duplicate=True)
            try:
                outcome, reason, incident = _act_on_cap(partner, alert)
            except (ValidationError, incident_services.PatientsStillOut) as error:
                outcome, reason, incident = Outcome.IGNORED, _message(error), None
            message = InboundMessage.objects.create(
                partner=partner,
                region=partner.region,
                standard=InboundMessage.Standard.CAP,
                sender=alert.sender[:255],
                identifier=alert.identifier[:255],
                msg_type=alert.msg_type,
                status=alert.status,
                sent_at=alert.sent,
                outcome=outcome,
                reason=reason[:400],
                incident=incident,
                enveloped=enveloped,
            )
    except IntegrityError:
        seen = InboundMessage.objects.get(
            region=partner.region, sender=alert.sender, identifier=alert.identifier
        )
        return _received(seen, duplicate=True)
    return _received(message)


def _message(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return "; ".join(error.messages)
    return str(error)


# --- HAVE in -----------------------------------------------------------------------------------


def _apply_report(
    partner: ExchangePartner, report: have.ReportedHospital, partners: dict[str, Hospital]
) -> dict[str, Any]:
    result: dict[str, Any] = {"key": report.key, "name": report.name, "hospital": None}
    hospital = partners.get(report.key)
    if hospital is None:
        return {
            **result,
            "result": "ignored",
            "reason": "Not one of this region's outside "
            "partner hospitals (no exchange identifier matches).",
        }
    result["hospital"] = hospital.pk
    if report.ed_status is None and report.capacity is None:
        return {
            **result,
            "result": "ignored",
            "reason": "The report has no EMS traffic status or EMS capacity.",
        }
    if report.updated_at > timezone.now() + CLOCK_SKEW:
        return {**result, "result": "ignored", "reason": "LastUpdateTime is in the future."}
    # Each part is taken only when the report is newer than what is held of it.
    ed_status = report.ed_status
    if ed_status is not None and not _newer(report.updated_at, hospital.ed_status_at):
        ed_status = None
    capacity = None
    if report.capacity is not None and _newer(report.updated_at, hospital.capacity_reported_at):
        capacity = {c: report.capacity.get(c) for c, _ in have.TRIAGE}
    if ed_status is None and capacity is None:
        return {**result, "result": "ignored", "reason": "Not newer than the status already held."}
    hospital_update_status(
        actor=None,
        hospital=hospital,
        ed_status=ed_status,
        capacity=capacity,
        reported_at=report.updated_at,
        source=f"EDXL-HAVE: {partner.name}",
        action=AuditEntry.Action.IMPORT,
    )
    return {**result, "result": "updated", "reason": ""}


def _newer(reported: datetime, held: datetime | None) -> bool:
    return held is None or reported > held


def have_receive(partner: ExchangePartner, root: Any, *, enveloped: bool = False) -> Received:
    """Update this region's outside partner hospitals from a HAVE `<HospitalStatus>`."""
    if not partner.may(ExchangePartner.Scope.HAVE_SEND):
        raise NotAllowed("This key may not send hospital status.")
    expect_root(root, HAVE_NS, "HospitalStatus")
    validate(root)
    reports = have.read_hospital_status(root)
    partners = {
        h.exchange_id: h
        for h in Hospital.objects.select_related("agency")
        .filter(agency__region=partner.region, outside_partner=True)
        .exclude(exchange_id="")
    }
    with transaction.atomic():
        results = [_apply_report(partner, report, partners) for report in reports]
        updated = sum(1 for r in results if r["result"] == "updated")
        outcome = Outcome.APPLIED if updated else Outcome.IGNORED
        reason = f"{updated} of {len(results)} hospital(s) updated."
        message = InboundMessage.objects.create(
            partner=partner,
            region=partner.region,
            standard=InboundMessage.Standard.HAVE,
            outcome=outcome,
            reason=reason,
            enveloped=enveloped,
        )
    received = _received(message)
    received.hospitals = results
    return received


# --- DE in -------------------------------------------------------------------------------------


def de_receive(partner: ExchangePartner, root: Any) -> list[Received]:
    """Unwrap an EDXL-DE envelope and route each content by its type."""
    if etree.QName(root).namespace == de.DE_NS:
        validate(root)
    found = de.contents(root)
    if not found:
        raise XmlRefused("The envelope carries no XML content.")
    results = []
    for content in found:
        namespace = etree.QName(content).namespace
        if namespace == CAP_NS:
            results.append(cap_receive(partner, content, enveloped=True))
        elif namespace == HAVE_NS:
            results.append(have_receive(partner, content, enveloped=True))
        else:
            results.append(
                Received(
                    standard="",
                    outcome=Outcome.IGNORED,
                    reason=f"Content {etree.QName(content).text} is not CAP 1.2 or EDXL-HAVE 1.0.",
                )
            )
    return results
