"""EDXL-DE 2.0: wrapping any document we produce for exchange hubs, and unwrapping theirs.

DE in also takes an EDXL-DE 1.0 envelope (as older HAVE feeds send): its contents are taken
out and each is validated against its own schema (no DE 1.0 schema is held).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone
from lxml import etree

from interop.xml import CAP_NS, DE1_NS, DE_NS, HAVE_NS, XLINK_NS, XmlRefused, stamp

CT_NS = "urn:oasis:names:tc:emergency:edxl:ct:1.0"
ROLE_LIST = "urn:asim:roles"
KEYWORD_LIST = "urn:asim:content"
CONTENT_KEYWORD = {CAP_NS: "CAP 1.2 alert", HAVE_NS: "EDXL-HAVE 1.0 hospital status"}
EXPIRES_AFTER = timedelta(hours=24)


@dataclass(frozen=True)
class Envelope:
    """What goes on the envelope around one document."""

    distribution_id: str
    sender_id: str
    status: str  # Actual, Exercise, System or Test
    kind: str  # Report, Update, Cancel…
    sender_role: str
    recipient_roles: tuple[str, ...]
    incident_id: str = ""
    description: str = ""


def _sub(parent: Any, tag: str, text: str | None = None, namespace: str = DE_NS) -> Any:
    element = etree.SubElement(parent, f"{{{namespace}}}{tag}")
    if text is not None:
        element.text = text
    return element


def _value_list(parent: Any, tag: str, values: tuple[str, ...], list_uri: str) -> None:
    element = _sub(parent, tag)
    _sub(element, "ValueListURI", list_uri, CT_NS)
    for value in values:
        _sub(element, "Value", value, CT_NS)


def wrap(content: Any, envelope: Envelope, time_zone: str, now: datetime | None = None) -> Any:
    """`content` (a CAP alert, a HAVE HospitalStatus) inside a DE 2.0 `<edxlDistribution>`."""
    now = now or timezone.now()
    xlink_type = f"{{{XLINK_NS}}}type"
    root = etree.Element(
        f"{{{DE_NS}}}edxlDistribution",
        {xlink_type: "extended"},
        nsmap={None: DE_NS, "xlink": XLINK_NS, "ct": CT_NS},
    )
    _sub(root, "distributionID", envelope.distribution_id)
    _sub(root, "senderID", envelope.sender_id)
    _sub(root, "dateTimeSent", stamp(now, time_zone))
    _sub(root, "dateTimeExpires", stamp(now + EXPIRES_AFTER, time_zone))
    _sub(root, "distributionStatus", envelope.status)
    _sub(root, "distributionKind", envelope.kind)
    descriptor = _sub(root, "descriptor")
    descriptor.set(xlink_type, "resource")
    _sub(descriptor, "language", "en-US")
    _value_list(descriptor, "senderRole", (envelope.sender_role,), ROLE_LIST)
    if envelope.recipient_roles:
        _value_list(descriptor, "recipientRole", envelope.recipient_roles, ROLE_LIST)
    namespace = etree.QName(content).namespace or ""
    _value_list(descriptor, "keyword", (CONTENT_KEYWORD.get(namespace, namespace),), KEYWORD_LIST)
    if envelope.incident_id:
        _sub(descriptor, "incidentID", envelope.incident_id)
    holder = _sub(root, "content")
    holder.set(xlink_type, "resource")
    content_object = _sub(holder, "contentObject")
    content_object.set(xlink_type, "resource")
    content_descriptor = _sub(content_object, "contentDescriptor")
    _sub(content_descriptor, "contentDescription", envelope.description or envelope.kind)
    _value_list(
        content_descriptor,
        "contentKeyword",
        (CONTENT_KEYWORD.get(namespace, namespace),),
        KEYWORD_LIST,
    )
    _sub(_sub(content_object, "contentXML"), "embeddedXMLContent").append(content)
    return root


def contents(root: Any) -> list[Any]:
    """The XML documents an envelope (DE 2.0 or 1.0) carries, in order."""
    namespace = etree.QName(root).namespace
    if namespace == DE_NS:
        path = "de:content/de:contentObject/de:contentXML/de:embeddedXMLContent"
        holders = root.findall(path, {"de": DE_NS})
    elif namespace == DE1_NS:
        path = "de:contentObject/de:xmlContent/de:embeddedXMLContent"
        holders = root.findall(path, {"de": DE1_NS})
    else:
        raise XmlRefused(f"Not an EDXL-DE envelope: {etree.QName(root).localname}.")
    return [child for holder in holders for child in holder if isinstance(child.tag, str)]
