"""One clock: every time a person reads about an incident is in its region's time zone.

Boards format times in the browser with the zone the snapshot names (boards/static/js/board/
format.js); everything built on the server — timeline summaries, messages, the record and
its PDF — goes through here. CSV and the API carry ISO 8601 with the offset.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from agencies.models import Region


def region_zone(region: Region | None) -> ZoneInfo:
    """The region's zone (the settings' TIME_ZONE for a region without one)."""
    name = getattr(region, "time_zone", "") or settings.TIME_ZONE
    return ZoneInfo(name)


def incident_zone(incident: object) -> ZoneInfo:
    """The zone of the incident's region: a state region may span two, so the incident's own."""
    return region_zone(getattr(incident, "region", None))


def incident_local(at: datetime, incident: object) -> datetime:
    """`at` on the incident's region's wall clock."""
    return timezone.localtime(at, incident_zone(incident))


def incident_clock(at: datetime | None, incident: object, fmt: str = "%H:%M") -> str:
    """`at` as the incident's region reads it ("14:05"; "" when unknown)."""
    return incident_local(at, incident).strftime(fmt) if at else ""


def incident_iso(at: datetime | None, incident: object) -> str:
    """ISO 8601 with the region's offset ("2026-03-01T14:05:09-05:00"), for CSV."""
    return incident_local(at, incident).isoformat(timespec="seconds") if at else ""


def zone_abbreviation(at: datetime, incident: object) -> str:
    """ "EST", "CDT"…: shown where a time could be misread."""
    return incident_local(at, incident).tzname() or ""


@contextmanager
def incident_timezone(incident: object) -> Iterator[ZoneInfo]:
    """Templates rendered inside show the incident's region's time (Django's |date, |time)."""
    zone = incident_zone(incident)
    with timezone.override(zone):
        yield zone
