"""The printable incident record (/record/incidents/<id>/) and its PDF (…/<id>.pdf).

Both render readiness.record.build.record_sheet for the user: an incident they may not see is a
404, and the activity log holds only the events they may see (officials: the public record).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from incidents import queries
from incidents.clock import incident_timezone
from incidents.models import Incident
from incidents.permissions import IncidentAccess, incident_access
from readiness.record import build as record
from readiness.record.pdf import render_record_pdf


def _incident(request: HttpRequest, pk: int) -> tuple[Incident, IncidentAccess]:
    incident = get_object_or_404(queries.incidents_visible(request.user), pk=pk)
    access = incident_access(request.user, incident)
    if not access.can_view:
        raise Http404
    return incident, access


@login_required
def incident_record(request: HttpRequest, pk: int) -> HttpResponse:
    """The ICS 214-style activity log with the key figures, ready to print."""
    incident, access = _incident(request, pk)
    with incident_timezone(incident) as zone:  # every time on it in the region's zone
        sheet = record.record_sheet(request.user, access, incident)
        return render(request, "record/incident.html", {**sheet, "time_zone": zone.key})


@login_required
def incident_record_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The same record as a PDF (inline; the browser offers to save or print it)."""
    incident, access = _incident(request, pk)
    with incident_timezone(incident):  # every time on it in the region's zone
        pdf = render_record_pdf(record.record_sheet(request.user, access, incident))
    label = record.application_label(incident)
    name = f"{label + '-' if label else ''}incident-{incident.number}-record.pdf"
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response
