"""Atom feeds of CAP messages, as alert aggregators read them (RFC 4287)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from lxml import etree

from incidents.models import Incident
from interop import cap
from interop.xml import ATOM_NS, stamp


def _sub(parent: Any, tag: str, text: str | None = None, **attributes: str) -> Any:
    element = etree.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attributes)
    if text is not None:
        element.text = text
    return element


def feed(
    *,
    feed_id: str,
    title: str,
    author: str,
    time_zone: str,
    updated: datetime,
    incidents: Iterable[Incident],
    link_of: Callable[[Incident, int], str],
) -> Any:
    """A feed with one entry per CAP message of `incidents`, newest first; each entry links
    to its message and carries it inline."""
    root = etree.Element(f"{{{ATOM_NS}}}feed", nsmap={None: ATOM_NS})
    _sub(root, "id", feed_id)
    _sub(root, "title", title)
    _sub(root, "updated", stamp(updated, time_zone))
    _sub(_sub(root, "author"), "name", author)
    entries = [
        (message, alert, incident)
        for incident in incidents
        for message, alert in cap.alerts(incident)
    ]
    entries.sort(key=lambda item: item[0].sent, reverse=True)
    for message, alert, incident in entries:
        entry = _sub(root, "entry")
        _sub(entry, "id", f"urn:cap:{cap.identifier(incident, message.seq)}")
        headline = alert.findtext(f"{{{cap.CAP_NS}}}info/{{{cap.CAP_NS}}}headline")
        _sub(entry, "title", headline)
        _sub(entry, "updated", stamp(message.sent, time_zone))
        _sub(
            entry,
            "link",
            rel="alternate",
            type="application/cap+xml",
            href=link_of(incident, message.seq),
        )
        _sub(entry, "content", type="application/cap+xml").append(alert)
    return root
