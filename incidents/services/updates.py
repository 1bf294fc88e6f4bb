"""Situation updates: an emergency manager's update to distribution lists, on the timeline.

Sending is the notifications app's job: it subscribes to `update.posted` events.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from agencies.models import DistributionList
from incidents import events
from incidents.models import Incident, SituationUpdate
from incidents.services.common import Actor, lock_incident

MAX_BODY = 1600  # ten SMS segments


def situation_update_post(
    *,
    actor: Actor,
    incident: Incident,
    body: str,
    audience: Sequence[DistributionList],
) -> SituationUpdate:
    """Store an update for the given distribution lists (of the incident's region or a region
    above it) and put it on the public timeline. Allowed after closing too (the wrap-up)."""
    body = (body or "").strip()
    errors: dict[str, str] = {}
    if not body:
        errors["body"] = "Write the update."
    elif len(body) > MAX_BODY:
        errors["body"] = f"Keep the update to {MAX_BODY} characters."
    if not audience:
        errors["audience"] = "Choose at least one distribution list."
    allowed = {incident.region_id}
    region = incident.region
    while region.parent_id is not None:
        allowed.add(region.parent_id)
        region = region.parent
    foreign = [d.name for d in audience if d.region_id not in allowed]
    if foreign:
        errors["audience"] = f"Not a list of this incident's region: {', '.join(foreign)}."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = lock_incident(incident)
        update = SituationUpdate.objects.create(
            incident=locked,
            author=actor if actor and actor.is_authenticated else None,
            body=body,
            posted_at=timezone.now(),
        )
        update.audience.set(audience)
        names = [d.name for d in audience]
        events.append_event(
            incident=locked,
            kind=events.UPDATE_POSTED,
            actor=actor,
            summary=f"Situation update to {', '.join(names)}",
            data={
                "update_id": update.pk,
                "body": body,
                "audience": names,
                "audience_ids": [d.pk for d in audience],
            },
            public=True,
        )
    return update
