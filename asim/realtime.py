"""The one way anything reaches the live boards: an envelope sent to channel-layer groups.

Group names are explicit and scoped: `region-<id>` (dispatch, EMS, EM boards of a region),
`hospital-<id>` (a hospital's ER board; Hospital id), `incident-<id>` (an incident page),
`user-<id>` (a login's in-app messages). Consumers receive `{"type": "board.message",
"envelope": {...}}`, re-check that the user may see the envelope, and forward it.

A board that misses a message (Redis down, a reconnect) catches up from
`/api/v1/incidents/<id>/events/?after=<seq>`, so a failed send is logged, never raised.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)
MESSAGE_TYPE = "board.message"


def region_group(region_id: int) -> str:
    return f"region-{region_id}"


def hospital_group(hospital_id: int) -> str:
    return f"hospital-{hospital_id}"


def incident_group(incident_id: int) -> str:
    return f"incident-{incident_id}"


def user_group(user_id: int) -> str:
    return f"user-{user_id}"


async def asend(groups: Iterable[str], envelope: dict[str, Any]) -> None:
    """Send `envelope` to every group now (from async code)."""
    layer = get_channel_layer()
    if layer is None:
        return
    message = {"type": MESSAGE_TYPE, "envelope": envelope}
    for group in dict.fromkeys(groups):  # each group once, in order
        try:
            await layer.group_send(group, message)
        except Exception:  # the board catches up from the events API
            logger.warning("could not send %s to %s", envelope.get("kind"), group, exc_info=True)


def send(groups: Iterable[str], envelope: dict[str, Any]) -> None:
    """Send `envelope` to every group now (from sync code, outside a transaction)."""
    async_to_sync(asend)(list(groups), envelope)


def send_on_commit(groups: Iterable[str], envelope: dict[str, Any]) -> None:
    """Send once the current transaction commits; nothing is sent if it rolls back."""
    targets = list(groups)
    transaction.on_commit(lambda: send(targets, envelope), robust=True)
