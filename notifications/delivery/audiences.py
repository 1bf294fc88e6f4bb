"""Who a notification reaches: the audience spec stored on a Notification, and its members.

A Notification's ``audience`` is a small JSON object, resolved when the worker expands it
(so the hospitals put on an MCI right after its declaration are included):

- ``lists``: distribution list ids — their members, agencies and disciplines;
- ``disciplines`` and ``roster_roles`` (and ``on_call_only``): members of the region's agencies of
  those disciplines (any when empty) holding one of the roster roles (any when empty), and
  on call when ``on_call_only``; the part is used when either list is non-empty;
- ``hospitals_er``: the ER contacts (RosterRole.ER_CONTACT) of the incident's hospitals, or of
  ``hospital_id`` alone when the event named a hospital;
- ``everyone_notified``: every member who has a delivery of an earlier notification of the
  same incident;
- ``members``: explicit member ids (escalations), with ``call_sms_numbers`` to place voice
  calls to a member's SMS number when they have no voice contact point.

Only active members of active agencies are ever reached.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db.models import Q, QuerySet

from agencies.models import DistributionList, Member, RosterRole

AUDIENCE_KEYS = frozenset(
    {
        "lists",
        "disciplines",
        "roster_roles",
        "on_call_only",
        "hospitals_er",
        "hospital_id",
        "everyone_notified",
        "members",
        "call_sms_numbers",
        "escalation",
    }
)


def roles_q(roles: Iterable[str], prefix: str = "") -> Q:
    """Members holding any of ``roles``; matches the quoted value inside the JSON list like
    agencies.queries.members_with_role, so it runs on PostgreSQL and SQLite alike."""
    q = Q()
    for role in roles:
        q |= Q(**{f"{prefix}roles__icontains": f'"{role}"'})
    return q


def lists_q(list_ids: Iterable[int]) -> Q:
    """Members reached by the distribution lists (one query to read the lists' disciplines)."""
    ids = sorted(set(list_ids))
    if not ids:
        return Q(pk__in=[])
    through_members = DistributionList.members.through.objects.filter(distributionlist_id__in=ids)
    through_agencies = DistributionList.agencies.through.objects.filter(distributionlist_id__in=ids)
    q = Q(pk__in=through_members.values("member_id")) | Q(
        agency_id__in=through_agencies.values("agency_id")
    )
    for region_id, disciplines in DistributionList.objects.filter(pk__in=ids).values_list(
        "region_id", "disciplines"
    ):
        if disciplines:
            q |= Q(agency__region_id=region_id, agency__discipline__in=disciplines)
    return q


def _earlier_recipients(incident_id: int, before_notification_id: int | None) -> QuerySet[Any]:
    from notifications.models import Delivery  # the models import this module's constants

    deliveries = Delivery.objects.filter(notification__incident_id=incident_id)
    if before_notification_id is not None:
        deliveries = deliveries.filter(notification_id__lt=before_notification_id)
    return deliveries.values("member_id")


def audience_q(
    audience: Mapping[str, Any],
    *,
    region_id: int,
    incident_id: int | None,
    before_notification_id: int | None = None,
) -> Q | None:
    """The Q over Member for ``audience`` (None: nobody)."""
    from incidents.models import IncidentHospital

    parts: list[Q] = []
    if audience.get("lists"):
        parts.append(lists_q(audience["lists"]))
    disciplines = list(audience.get("disciplines") or [])
    roster_roles = list(audience.get("roster_roles") or [])
    if disciplines or roster_roles:
        part = Q(agency__region_id=region_id)
        if disciplines:
            part &= Q(agency__discipline__in=disciplines)
        if roster_roles:
            part &= roles_q(roster_roles)
        if audience.get("on_call_only"):
            part &= Q(on_call=True)
        parts.append(part)
    if audience.get("hospitals_er"):
        hospital_id = audience.get("hospital_id")
        if hospital_id:
            hospitals = Q(agency__hospital__id=hospital_id)
        elif incident_id is not None:
            on_incident = IncidentHospital.objects.filter(incident_id=incident_id)
            hospitals = Q(agency__hospital__id__in=on_incident.values("hospital_id"))
        else:
            hospitals = Q(pk__in=[])
        parts.append(hospitals & roles_q([RosterRole.ER_CONTACT]))
    if audience.get("everyone_notified") and incident_id is not None:
        parts.append(Q(pk__in=_earlier_recipients(incident_id, before_notification_id)))
    if audience.get("members"):
        parts.append(Q(pk__in=list(audience["members"])))
    if not parts:
        return None
    combined = parts[0]
    for part in parts[1:]:
        combined |= part
    return combined


def audience_members(
    audience: Mapping[str, Any],
    *,
    region_id: int,
    incident_id: int | None,
    before_notification_id: int | None = None,
) -> QuerySet[Member]:
    """Active members of active agencies reached by ``audience``, each once, by id."""
    q = audience_q(
        audience,
        region_id=region_id,
        incident_id=incident_id,
        before_notification_id=before_notification_id,
    )
    if q is None:
        return Member.objects.none()
    # Every part is a filter on Member itself or an id subquery, so no join multiplies rows
    # except the lists' discipline part (agency join, one row per member): no DISTINCT needed.
    return Member.objects.filter(active=True, agency__active=True).filter(q).order_by("id")


def describe(audience: Mapping[str, Any]) -> list[str]:
    """Short human labels for an audience spec (for the API and the admin)."""
    labels = []
    if audience.get("lists"):
        labels.append(f"{len(audience['lists'])} distribution list(s)")
    if audience.get("disciplines") or audience.get("roster_roles"):
        what = ", ".join(audience.get("disciplines") or ["any discipline"])
        roles = ", ".join(audience.get("roster_roles") or ["any role"])
        on_call = " on call" if audience.get("on_call_only") else ""
        labels.append(f"{what}: {roles}{on_call}")
    if audience.get("hospitals_er"):
        labels.append(
            "the named hospital's ER contacts"
            if audience.get("hospital_id")
            else "the incident's hospitals' ER contacts"
        )
    if audience.get("everyone_notified"):
        labels.append("everyone notified on this incident so far")
    if audience.get("members"):
        labels.append(f"{len(audience['members'])} named member(s)")
    return labels
