"""The live boards' WebSocket (`/ws/board/`): one authenticated socket per page.

On connect the user's audience is resolved once (two queries at most) and cached on the
consumer: the regions whose boards they follow as staff (dispatch, EMS, EM, responders: every
event, data included) or as officials, the hospitals whose ER board they follow, and their own
`user-<id>` group. How much of each event they get is the audience rule of its kind
(`incidents.events.event_sight`, the rule the events API and the record apply too). Anonymous
sockets are accepted only to be closed with code 4401, so the page knows to sign in again
rather than retry.

`{"subscribe": <incident id>}` checks `incident_access` once (the incident page of an incident
outside the user's regions, e.g. a hospital from a neighbouring county) and caches the answer;
a subscription the user may not have is refused without saying whether the incident exists.

Every message is re-checked against that cached audience before it is forwarded (no query per
message). The same event can arrive through two groups (region and incident): it is forwarded
once. The JSON text of an event is built once per process and shared by every socket that gets
the same variant.
"""

from __future__ import annotations

import json
import logging
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from agencies.models import Hospital, Region
from agencies.permissions import scope_for
from asim import realtime
from asim.input_limits import JSONLimitError, loads_bounded
from boards import broadcast
from incidents import events
from incidents.models import Incident
from incidents.permissions import (
    HOSPITAL_ROLES,
    READ_ROLES,
    SUMMARY_ROLES,
    IncidentAccess,
    Level,
    incident_access,
)

logger = logging.getLogger(__name__)

CLOSE_SIGNED_OUT = 4401
MAX_SUBSCRIPTIONS = 20
MAX_MESSAGE_CHARS = 4096  # a board sends {"subscribe": id}, {"ping": n}: a few dozen
SEEN_PER_SOCKET = 512  # (incident, seq) pairs remembered to drop a second copy of an event
TEXT_CACHE_SIZE = 4096
FULL, SUMMARY = "full", "summary"
# Events after which a subscribed hospital's access to the incident may have changed.
ACCESS_CHANGING_KINDS = frozenset({"hospital.added", "hospital.removed", "patient.destination"})

_event_texts: OrderedDict[tuple[int, int, str, str], str] = OrderedDict()


@dataclass(frozen=True)
class Audience:
    """What one signed-in user's board socket follows, resolved once at connect."""

    user_id: int
    superuser: bool = False
    read_regions: frozenset[int] = frozenset()  # every event, data included
    summary_regions: frozenset[int] = frozenset()  # public events, no data
    hospitals: frozenset[int] = frozenset()  # their ER board's hospitals (Hospital ids)
    groups: tuple[str, ...] = field(default=())

    @property
    def follows_a_region(self) -> bool:
        return self.superuser or bool(self.read_regions or self.summary_regions)


def audience_for(user: AbstractBaseUser) -> Audience:
    """The groups and rules of `user`'s board socket (at most two queries)."""
    scope = scope_for(user)
    if scope.superuser:
        read = frozenset(Region.objects.values_list("id", flat=True))
        summary: frozenset[int] = frozenset()
    else:
        read = frozenset(scope.regions_with(READ_ROLES))
        summary = frozenset(scope.regions_with(SUMMARY_ROLES)) - read
    agencies = scope.agencies_with(HOSPITAL_ROLES)
    hospitals = frozenset(
        Hospital.objects.filter(agency_id__in=agencies, agency__active=True).values_list(
            "id", flat=True
        )
        if agencies
        else ()
    )
    groups = (
        *(realtime.region_group(r) for r in sorted(read | summary)),
        *(realtime.hospital_group(h) for h in sorted(hospitals)),
        realtime.user_group(user.pk),
    )
    return Audience(
        user_id=user.pk,
        superuser=scope.superuser,
        read_regions=read,
        summary_regions=summary,
        hospitals=hospitals,
        groups=groups,
    )


def socket_viewer(
    audience: Audience, access: IncidentAccess | None, envelope: dict[str, Any]
) -> events.Viewer:
    """The socket's user as events.AUDIENCES sees them for this event, from the audience
    cached at connect and the access cached at subscribe time (no query)."""
    region = envelope.get("region")
    staff = (
        audience.superuser
        or region in audience.read_regions
        or (access is not None and access.level >= Level.READ)
    )
    # `hospitals` are the ER boards the broadcaster routed the event to (boards.broadcast):
    # the hospitals it is about, and every involved one when other ERs may see it.
    routed = audience.hospitals.intersection(envelope.get("hospitals") or ())
    subscribed = access.hospital_ids if access is not None else frozenset()
    return events.Viewer(
        staff=staff,
        official=region in audience.summary_regions
        or (access is not None and access.level == Level.SUMMARY),
        er_hospitals=frozenset(routed) | subscribed,
        er_read_until=access.read_until if access is not None else (),
    )


def event_variant(
    audience: Audience, access: IncidentAccess | None, envelope: dict[str, Any]
) -> str | None:
    """FULL, SUMMARY or None (not for this socket) for an event envelope: events.event_sight
    for this socket's user, the rule the events API and the record apply too."""
    if audience.superuser or envelope.get("region") in audience.read_regions:
        return FULL  # the hot path: the region's staff see every event in full
    kind = envelope.get("kind")
    viewer = socket_viewer(audience, access, envelope)
    if kind not in events.AUDIENCES:
        return FULL if viewer.staff else None
    sight = events.event_sight(
        viewer,
        kind,
        envelope.get("hospital"),
        envelope.get("data") or {},
        envelope.get("seq"),
    )
    if sight == events.Sight.FULL:
        return FULL
    return SUMMARY if sight == events.Sight.SUMMARY else None


def other_allowed(
    audience: Audience, subscriptions: dict[int, IncidentAccess], envelope: dict[str, Any]
) -> bool:
    """Whether a non-event envelope goes to this socket.

    Such envelopes reach a socket only through its own groups, so their sender chose the
    audience: an in-app `message` is sent to its user's group alone and always goes through.
    The re-check is for delivery `progress` of an incident's notification: it is for the
    region's staff and officials, never for an ER-only board (which may follow the incident's
    page through `incident-<id>`)."""
    if envelope.get("type") != "progress":
        return True
    incident = envelope.get("incident")
    access = subscriptions.get(incident) if incident is not None else None
    if access is not None and access.level != Level.HOSPITAL:
        return True
    return audience.follows_a_region


def event_text(envelope: dict[str, Any], variant: str) -> str:
    """The JSON a socket sends for `envelope` in `variant`, built once per process."""
    key = (envelope["incident"], envelope["seq"], envelope["at"], variant)
    text = _event_texts.get(key)
    if text is None:
        body = envelope if variant == FULL else broadcast.summary_of(envelope)  # type: ignore[arg-type]
        text = json.dumps(body, separators=(",", ":"))
        _event_texts[key] = text
        if len(_event_texts) > TEXT_CACHE_SIZE:
            _event_texts.popitem(last=False)
    return text


def _subscribe_access(user: AbstractBaseUser, incident_id: int) -> tuple[IncidentAccess, int]:
    incident = Incident.objects.filter(pk=incident_id).only("id", "region_id", "last_seq").first()
    if incident is None:
        return IncidentAccess(level=Level.NONE), 0
    return incident_access(user, incident), incident.last_seq


class BoardConsumer(AsyncWebsocketConsumer):
    """One board page's socket; see the module docstring."""

    audience: Audience | None = None

    async def connect(self) -> None:
        user = self.scope.get("user")
        self.subscriptions: dict[int, IncidentAccess] = {}
        self.seen: OrderedDict[tuple[int, int], None] = OrderedDict()
        if user is None or not user.is_authenticated:
            await self.accept()
            await self.close(code=CLOSE_SIGNED_OUT)
            return
        self.user = user
        self.audience = await database_sync_to_async(audience_for)(user)
        for group in self.audience.groups:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        await self._send_json(
            {
                "type": "hello",
                "user": user.pk,
                "at": timezone.now().isoformat(),
                "regions": sorted(self.audience.read_regions | self.audience.summary_regions),
                "hospitals": sorted(self.audience.hospitals),
            }
        )

    async def disconnect(self, code: int) -> None:
        if self.audience is None:
            return
        groups = [*self.audience.groups, *map(realtime.incident_group, self.subscriptions)]
        for group in groups:
            await self.channel_layer.group_discard(group, self.channel_name)

    # --- board → server -----------------------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.audience is None:
            return
        try:
            message = loads_bounded(text_data or "", max_chars=MAX_MESSAGE_CHARS)
        except JSONLimitError as exc:  # checked before parsing: never a RecursionError
            await self._error(str(exc))
            return
        except ValueError:
            message = None
        if not isinstance(message, dict):
            await self._error('Send a JSON object: {"subscribe": <incident id>}.')
            return
        if "subscribe" in message:
            await self._subscribe(message["subscribe"])
        elif "unsubscribe" in message:
            await self._unsubscribe(message["unsubscribe"])
        elif "ping" in message:
            await self._send_json(
                {"type": "pong", "ping": message["ping"], "at": timezone.now().isoformat()}
            )
        else:
            await self._error("Unknown message; send subscribe, unsubscribe or ping.")

    async def _subscribe(self, incident_id: Any) -> None:
        if isinstance(incident_id, bool) or not isinstance(incident_id, int) or incident_id < 1:
            await self._refuse(incident_id, "An incident id is a positive whole number.")
            return
        if incident_id not in self.subscriptions and len(self.subscriptions) >= MAX_SUBSCRIPTIONS:
            await self._refuse(incident_id, f"At most {MAX_SUBSCRIPTIONS} incidents per page.")
            return
        access, last_seq = await database_sync_to_async(_subscribe_access)(self.user, incident_id)
        if not access.can_view:
            await self._refuse(incident_id, "No such incident, or not one you may follow.")
            return
        self.subscriptions[incident_id] = access
        await self.channel_layer.group_add(realtime.incident_group(incident_id), self.channel_name)
        await self._send_json(
            {
                "type": "subscribed",
                "incident": incident_id,
                "last_seq": last_seq,
                "access": access.level.name.lower(),
            }
        )

    async def _unsubscribe(self, incident_id: Any) -> None:
        if self.subscriptions.pop(incident_id, None) is not None:
            group = realtime.incident_group(incident_id)
            await self.channel_layer.group_discard(group, self.channel_name)

    async def _refuse(self, incident_id: Any, reason: str) -> None:
        await self._send_json({"type": "refused", "incident": incident_id, "reason": reason})

    async def _error(self, message: str) -> None:
        await self._send_json({"type": "error", "message": message})

    async def _send_json(self, body: dict[str, Any]) -> None:
        await self.send(text_data=json.dumps(body, separators=(",", ":")))

    # --- server → board -----------------------------------------------------------------------

    async def dispatch(self, message: dict[str, Any]) -> None:
        """Board messages skip Channels' per-message `aclose_old_connections()`.

        Channels (4.2+) runs `close_old_connections` through `sync_to_async` before every
        handler: one hop to the shared worker thread per message per socket, which made that
        hop the largest cost of pushing one event to 1,000 boards (bench/boards.py). A board
        message uses no database connection of the event-loop thread; the rare access refresh
        goes through `database_sync_to_async`, which closes old connections itself. Every
        other message (connect, receive, disconnect) keeps Channels' behaviour."""
        if message.get("type") == realtime.MESSAGE_TYPE:
            await self.board_message(message)
        else:
            await super().dispatch(message)

    async def board_message(self, message: dict[str, Any]) -> None:
        """A `board.message` from a group (asim.realtime): re-check, then forward."""
        audience = self.audience
        envelope = message.get("envelope")
        if audience is None or not isinstance(envelope, dict):
            return
        if envelope.get("type") != "event":
            if other_allowed(audience, self.subscriptions, envelope):
                await self._send_json(envelope)
            return
        key = (envelope.get("incident"), envelope.get("seq"))
        if not all(isinstance(part, int) for part in key):
            logger.warning("dropped an event envelope without incident and seq: %r", envelope)
            return
        if key in self.seen:
            return  # the same event through a second group
        self.seen[key] = None
        if len(self.seen) > SEEN_PER_SOCKET:
            self.seen.popitem(last=False)
        access = self.subscriptions.get(envelope["incident"])
        variant = event_variant(audience, access, envelope)
        if variant is not None:
            await self.send(text_data=event_text(envelope, variant))
        if (
            access is not None
            and envelope["kind"] in ACCESS_CHANGING_KINDS
            and envelope.get("hospital") in audience.hospitals
        ):
            await self._refresh_access(envelope["incident"])

    async def _refresh_access(self, incident_id: int) -> None:
        """A hospital joined or left the incident: look its staff's access up again."""
        access, _ = await database_sync_to_async(_subscribe_access)(self.user, incident_id)
        if access.can_view:
            self.subscriptions[incident_id] = access
        else:
            await self._unsubscribe(incident_id)
            await self._refuse(incident_id, "Your hospital is no longer on this incident.")
