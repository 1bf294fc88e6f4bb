"""Rendering a notification's texts per channel from Django template strings.

Templates see plain snapshots, never model instances, so a template cannot walk from the
incident to its patients: patient details never leave the platform in a message.

Context: ``incident`` (number, title, kind, location, ``headline`` — the title with the
location added unless the title already names it —, status, estimated counts, link),
``event`` (kind, summary, data — only for the kinds a rule may trigger on, none of which
carries patient details), ``hospital`` (name, short code, phone), ``region`` (name),
``update`` (body, author) and ``link`` (the incident page). The exercise prefix is added
here, exactly once, through notifications.delivery.messages.

Every text value in the context is one line (asim.plain_text.one_line): this is where typed
words enter a rule's message (the short SMS/voice replies in notifications.services.replies use
the same function), so no line break, control or bidi character reaches an SMS, a call or an email
subject, whatever template a rule uses. An update's paragraphs are joined into one line too.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.template import Context, Template, TemplateSyntaxError
from django.utils import timezone

from agencies.queries import person_label
from asim.plain_text import one_line, title_with_place
from notifications.delivery.messages import outgoing_text, with_exercise_prefix

logger = logging.getLogger(__name__)

CHANNELS = ("sms", "voice", "email", "in_app")

# The text each channel falls back to when a rule leaves its template empty: per event kind,
# "sms" is the base (voice reads it out, in-app shows it), email gets a longer body.
DEFAULT_TEMPLATES: dict[str, dict[str, str]] = {
    "incident.declared": {
        "sms": "ASIM ALERT: {{ incident.kind }} declared, {{ incident.headline }}. "
        "Incident {{ incident.number }}. Reply ACK to acknowledge.",
        "voice": "ASIM alert. {{ incident.kind }} declared: {{ incident.headline }}. "
        "Incident number {{ incident.number }}.",
        "email_subject": "ASIM ALERT: {{ incident.kind }} declared, {{ incident.title }}",
    },
    "hospital.added": {
        "sms": "ASIM ALERT: {{ hospital.name }} is a receiving hospital for {{ incident.kind }}, "
        "{{ incident.headline }}. "
        "Incident {{ incident.number }}. Reply ACK, then your capacity as R2 Y4 G10.",
        "voice": "ASIM alert for {{ hospital.name }}. You are a receiving hospital for a "
        "{{ incident.kind }}: {{ incident.title }}. Incident number {{ incident.number }}.",
        "email_subject": "ASIM: {{ hospital.name }} receiving for {{ incident.title }}",
    },
    "hospital.escalated": {
        "sms": "ASIM ESCALATION: {{ hospital.name }} has not acknowledged {{ incident.kind }}, "
        "{{ incident.title }}. Incident {{ incident.number }}. Reply ACK to acknowledge.",
        "voice": "ASIM escalation. {{ hospital.name }} has not acknowledged the "
        "{{ incident.kind }}: {{ incident.title }}. Incident number {{ incident.number }}.",
        "email_subject": "ASIM ESCALATION: {{ hospital.name }} has not acknowledged",
    },
    "hospital.capacity_overdue": {
        "sms": "ASIM: dispatch is waiting for {{ hospital.name }}'s capacity for incident "
        "{{ incident.number }} ({{ incident.title }}). Reply with the patients you can take "
        "now, e.g. R2 Y4 G10.",
        "voice": "ASIM reminder for {{ hospital.name }}. Dispatch is waiting for the patients "
        "you can take now for incident number {{ incident.number }}.",
        "email_subject": "ASIM: {{ hospital.name }}'s capacity is overdue",
    },
    "hospital.stood_down": {
        "sms": "ASIM STAND DOWN: {{ hospital.name }}, {{ event.data.reason_text }}: incident "
        "{{ incident.number }} ({{ incident.title }}). {% if event.data.reason == 'closed' %}"
        "Patients already on the way to you still arrive.{% else %}Expect no patients from it "
        "unless dispatch calls you.{% endif %}",
        "voice": "ASIM stand down for {{ hospital.name }}: {{ event.data.reason_text }}, "
        "incident number {{ incident.number }}, {{ incident.title }}.",
        "email_subject": "ASIM STAND DOWN: {{ hospital.name }}, incident {{ incident.number }}",
    },
    "incident.deescalated": {
        "sms": "ASIM: incident {{ incident.number }} ({{ incident.title }}) is de-escalated: "
        "threat contained, treatment under control.",
        "email_subject": "ASIM: {{ incident.title }} de-escalated",
    },
    "incident.closed": {
        "sms": "ASIM: incident {{ incident.number }} ({{ incident.title }}) is closed. Thank you.",
        "email_subject": "ASIM: {{ incident.title }} closed",
    },
    "update.posted": {
        "sms": "ASIM update, incident {{ incident.number }} ({{ incident.title }}): "
        "{{ update.body }}",
        "voice": "ASIM situation update for incident {{ incident.number }}. {{ update.body }}",
        "email_subject": "ASIM update: {{ incident.title }}",
        "in_app": "{{ update.body }}",
    },
}
GENERIC_TEMPLATES: dict[str, str] = {
    "sms": "ASIM: {{ event.summary }}. Incident {{ incident.number }} ({{ incident.title }}).",
    "email_subject": "ASIM: {{ incident.title }}",
}
EMAIL_FOOTER = "{% if link %}Open the incident: {{ link }}\n{% endif %}Sent by ASIM."


def check_template(source: str) -> str | None:
    """None if ``source`` compiles as a Django template, else the error to show."""
    try:
        Template(source)
    except TemplateSyntaxError as error:
        return f"Template error: {error}"
    return None


def render(source: str, context: Mapping[str, Any]) -> str:
    """Render ``source`` as plain text (no HTML escaping); raises TemplateSyntaxError.
    Times (``|time``, ``|date``) read in the region's time zone."""
    zone = (context.get("region") or {}).get("time_zone") or None
    with timezone.override(zone):
        return Template(source).render(Context(dict(context), autoescape=False)).strip()


def _safe_render(source: str, fallback: str, context: Mapping[str, Any]) -> str:
    try:
        text = render(source, context)
    except Exception:  # a rule saved before validation existed, or a bad variable
        logger.warning("template failed, using the default text: %r", source[:80], exc_info=True)
        text = render(fallback, context)
    return text or render(fallback, context)


def incident_link(incident_id: int | None) -> str:
    if incident_id is None:
        return ""
    return f"{settings.PUBLIC_BASE_URL.rstrip('/')}/incidents/{incident_id}/"


def context_for(
    *,
    incident: Any = None,
    event: Any = None,
    hospital: Any = None,
    region: Any = None,
    update: Any = None,
) -> dict[str, Any]:
    """Plain snapshots of the objects a template may mention (never patients)."""
    context: dict[str, Any] = {"incident": {}, "event": {}, "hospital": {}, "region": {}}
    if incident is not None:
        context["incident"] = {
            "id": incident.pk,
            "number": incident.number,
            "title": incident.title,
            "kind": incident.get_kind_display(),
            "location": incident.location_text,
            "headline": title_with_place(incident.title, incident.location_text),
            "status": incident.get_status_display(),
            "exercise": incident.is_exercise,
            "estimated": incident.estimated(),
            "declared_at": incident.declared_at,
        }
        context["link"] = incident_link(incident.pk)
        region = region or incident.region
    if event is not None:
        context["event"] = {"kind": event.kind, "summary": event.summary, "data": event.data}
    if hospital is not None:
        context["hospital"] = {
            "id": hospital.pk,
            "name": hospital.agency.name,
            "short_code": hospital.agency.short_code,
            "phone": hospital.agency.phone,
        }
    if region is not None:
        context["region"] = {"name": region.name, "time_zone": region.time_zone}
    if update is not None:
        author = update.author
        context["update"] = {
            "body": update.body,
            "author": person_label(author),
        }
    return _one_line_texts(context)


def _one_line_texts(value: Any) -> Any:
    if isinstance(value, str):
        return one_line(value)
    if isinstance(value, dict):
        return {key: _one_line_texts(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_one_line_texts(item) for item in value]
    return value


def render_texts(
    *,
    kind: str,
    templates: Mapping[str, str],
    channels: list[str],
    context: Mapping[str, Any],
    exercise: bool,
) -> tuple[str, dict[str, str]]:
    """(email subject, {channel: text}) for ``channels``, exercise-prefixed exactly once.

    ``templates`` holds the rule's own templates by key (``sms``, ``voice``, ``email_subject``,
    ``email``, ``in_app``); an empty one falls back to the kind's default, then to the SMS
    text (voice and in-app read the same words), then to a generic line.
    """
    defaults = {**GENERIC_TEMPLATES, **DEFAULT_TEMPLATES.get(kind, {})}
    base = _safe_render(templates.get("sms") or defaults["sms"], defaults["sms"], context)
    texts: dict[str, str] = {}
    for channel in channels:
        if channel == "sms":
            text = base
        elif channel == "email":
            own = templates.get("email")
            body = _safe_render(own, base, context) if own else base
            text = f"{body}\n\n{render(EMAIL_FOOTER, context)}"
        else:
            source = templates.get(channel) or defaults.get(channel)
            text = _safe_render(source, base, context) if source else base
        texts[channel] = outgoing_text(text, exercise=exercise)
    subject = ""
    if "email" in channels:
        source = templates.get("email_subject") or defaults["email_subject"]
        subject = _safe_render(source, defaults["email_subject"], context)
        subject = " ".join(subject.split())[:200]
        if exercise:
            subject = with_exercise_prefix(subject)[:200]
    return subject, texts
