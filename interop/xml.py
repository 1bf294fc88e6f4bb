"""Reading untrusted XML safely, validating against the OASIS schemas, and XML time stamps.

Every document that comes in goes through `parse`: a size limit first, then lxml with a
hardened parser (no entity substitution, no DTD loading, no network, no huge trees), and any
document that declares a DTD at all is refused — CAP and EDXL never need one, and a DTD is
how entity expansion and external entities get in. Schemas are read from
settings.STANDARDS_DIR (the shared OASIS XSDs, never copied into the project); their imports
resolve to files beside them, so validation needs no network.
"""

from __future__ import annotations

import copy
import threading
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from lxml import etree

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
HAVE_NS = "urn:oasis:names:tc:emergency:EDXL:HAVE:1.0"
DE_NS = "urn:oasis:names:tc:emergency:EDXL:DE:2.0"
DE1_NS = "urn:oasis:names:tc:emergency:EDXL:DE:1.0"
XNL_NS = "urn:oasis:names:tc:ciq:xnl:3"
XPIL_NS = "urn:oasis:names:tc:ciq:xpil:3"
GML_NS = "http://www.opengis.net/gml"
XLINK_NS = "http://www.w3.org/1999/xlink"
ATOM_NS = "http://www.w3.org/2005/Atom"

# Which schema file (under STANDARDS_DIR/xsd) defines each root we produce or accept.
SCHEMA_FILES = {
    CAP_NS: "CAP-v1.2.xsd",
    HAVE_NS: "edxl-have-1.0/schema/edxl-have.xsd",
    DE_NS: "edxl-de-2.0/edxl-de-v2.0-wd11.xsd",
}


class XmlRefused(ValueError):
    """A document that is not well-formed, is unsafe, too large, or fails its schema."""


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_comments=True,
        remove_pis=True,
    )


def parse(data: bytes) -> etree._Element:
    """The root element of an incoming document, or XmlRefused saying why not."""
    limit = settings.INTEROP_MAX_DOCUMENT_BYTES
    if len(data) > limit:
        raise XmlRefused(f"The document is larger than {limit} bytes.")
    if not data.strip():
        raise XmlRefused("The request body is empty; send an XML document.")
    try:
        tree = etree.fromstring(data, parser=_parser()).getroottree()
    except etree.XMLSyntaxError as error:
        raise XmlRefused(f"Not well-formed XML: {error}") from None
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise XmlRefused("Documents with a DOCTYPE (DTDs, entities) are not accepted.")
    root = tree.getroot()
    if any(isinstance(node, etree._Entity) for node in root.iter()):
        raise XmlRefused("Entity references are not accepted.")
    return root


def standards_dir() -> Path:
    return Path(settings.STANDARDS_DIR)


_schemas: dict[str, etree.XMLSchema] = {}
_lock = threading.Lock()
# A DE envelope is validated with each content set aside: the DE 2.0 and HAVE 1.0 schemas
# import two different XLink schemas under one namespace, which no one schema set can hold.
# Each content is validated against its own schema, and the envelope with a stand-in
# element (of this namespace, declared by a schema made here) where the content was.
STAND_IN_NS = "urn:asim:interop:validated-separately"
ENVELOPE = "envelope"  # the cache key of the envelope's schema
_XS = "http://www.w3.org/2001/XMLSchema"


def _stand_in_schema() -> etree._Element:
    root = etree.Element(f"{{{_XS}}}schema", nsmap={"xs": _XS}, targetNamespace=STAND_IN_NS)
    etree.SubElement(root, f"{{{_XS}}}element", name="content")
    return root


def _compile(path: Path) -> etree.XMLSchema:
    if not path.is_file():
        raise ImproperlyConfigured(
            f"ASIM_STANDARDS_DIR: no schema at {path}; point it at the OASIS schemas."
        )
    return etree.XMLSchema(etree.parse(str(path), parser=_schema_parser()))


def _schema_parser() -> etree.XMLParser:
    return etree.XMLParser(no_network=True, resolve_entities=False)


def schema_for(namespace: str) -> etree.XMLSchema:
    """The compiled schema for documents whose root is in `namespace` (not an envelope:
    `validation_errors` validates those)."""
    if namespace not in SCHEMA_FILES or namespace == DE_NS:
        raise XmlRefused(f"No schema for the namespace {namespace!r}.")
    with _lock:
        if namespace not in _schemas:
            path = standards_dir() / "xsd" / SCHEMA_FILES[namespace]
            _schemas[namespace] = _compile(path)
        return _schemas[namespace]


def _envelope_contents(envelope: etree._Element) -> list[etree._Element]:
    path = "de:content/de:contentObject/de:contentXML/de:embeddedXMLContent"
    return [
        child
        for holder in envelope.findall(path, {"de": DE_NS})
        for child in holder
        if isinstance(child.tag, str)
    ]


def validation_errors(root: etree._Element) -> list[str]:
    """What the schemas say is wrong with a document ([] when it validates). An EDXL-DE
    envelope: each content against its own schema, then the envelope around them."""
    namespace = etree.QName(root).namespace or ""
    if namespace != DE_NS:
        schema = schema_for(namespace)
        if schema.validate(root):
            return []
        return [f"line {e.line}: {e.message}" for e in schema.error_log]
    errors: list[str] = []
    envelope = copy.deepcopy(root)
    for content in _envelope_contents(envelope):
        content_namespace = etree.QName(content).namespace or ""
        if content_namespace in SCHEMA_FILES and content_namespace != DE_NS:
            errors += [f"content: {e}" for e in validation_errors(content)]
        else:
            errors.append(f"content: no schema for {etree.QName(content).text}")
        content.getparent().replace(content, etree.Element(f"{{{STAND_IN_NS}}}content"))
    schema = _envelope_schema()
    if not schema.validate(envelope):
        errors += [f"line {e.line}: {e.message}" for e in schema.error_log]
    return errors


def _envelope_schema() -> etree.XMLSchema:
    """DE 2.0 with the stand-in namespace declared: one schema document importing both,
    the stand-in's schema given to the parser by a resolver (nothing written to disk)."""
    with _lock:
        if ENVELOPE not in _schemas:
            stand_in = etree.tostring(_stand_in_schema())
            de_path = (standards_dir() / "xsd" / SCHEMA_FILES[DE_NS]).resolve()
            if not de_path.is_file():
                raise ImproperlyConfigured(f"ASIM_STANDARDS_DIR: no schema at {de_path}.")

            class StandIn(etree.Resolver):
                def resolve(self, url: str, pubid: str, context: object) -> object:
                    if url.endswith("asim-stand-in.xsd"):
                        return self.resolve_string(stand_in, context)
                    return None

            parser = _schema_parser()
            parser.resolvers.add(StandIn())
            root = etree.Element(f"{{{_XS}}}schema", nsmap={"xs": _XS})
            etree.SubElement(
                root, f"{{{_XS}}}import", namespace=DE_NS, schemaLocation=de_path.as_uri()
            )
            etree.SubElement(
                root,
                f"{{{_XS}}}import",
                namespace=STAND_IN_NS,
                schemaLocation=(de_path.parent / "asim-stand-in.xsd").as_uri(),
            )
            document = etree.fromstring(
                etree.tostring(root), parser=parser, base_url=(de_path.parent / "asim.xsd").as_uri()
            )
            _schemas[ENVELOPE] = etree.XMLSchema(document.getroottree())
        return _schemas[ENVELOPE]


def expect_root(root: etree._Element, namespace: str, name: str) -> None:
    """Refuse a document whose root is not `{namespace}name` (a HAVE sent as CAP, say)."""
    if root.tag != f"{{{namespace}}}{name}":
        raise XmlRefused(f"Expected <{name}> of {namespace}, got {etree.QName(root).text}.")


def validate(root: etree._Element) -> None:
    errors = validation_errors(root)
    if errors:
        raise XmlRefused("Schema validation failed: " + "; ".join(errors[:5]))


def to_bytes(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def stamp(at: datetime, time_zone: str) -> str:
    """CAP / EDXL date-time: seconds, and an explicit offset (never `Z`, as CAP requires)."""
    local = at.astimezone(ZoneInfo(time_zone)).replace(microsecond=0)
    return local.isoformat()


def parse_stamp(text: str) -> datetime:
    """A date-time from a document; without an offset it is refused (it would be ambiguous)."""
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if value.tzinfo is None:
        raise XmlRefused(f"The time {text!r} has no time zone offset.")
    return value


def text_of(element: etree._Element | None, path: str, namespaces: dict[str, str]) -> str:
    """The stripped text at `path` under `element` ("" when absent)."""
    if element is None:
        return ""
    found = element.find(path, namespaces)
    return (found.text or "").strip() if found is not None else ""
