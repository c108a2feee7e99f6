"""Hardened XML parsing for everything that arrives from the outside.

One lxml parser per thread (lxml parsers are not thread-safe), configured so that no entity is
expanded, nothing is fetched and no DTD is loaded; any document carrying a DOCTYPE is refused
outright (billion laughs, XXE, external DTD). Refusals are `XmlRejected` with a French reason.
"""

from __future__ import annotations

import threading

from lxml import etree

DEFAULT_MAX_BYTES = 2_000_000

_local = threading.local()


class XmlRejected(ValueError):
    """The input is not acceptable XML. `reason` is French (shown to users); `kind` is a stable code."""

    def __init__(self, reason: str, *, kind: str, detail: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.kind = kind  # "empty" | "too-large" | "malformed" | "doctype" | "entity" | "type"
        self.detail = detail  # libxml2's own (English) message, for logs only


def parser() -> etree.XMLParser:
    """The calling thread's hardened parser (also handed to signxml)."""
    p: etree.XMLParser | None = getattr(_local, "parser", None)
    if p is None:
        p = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            dtd_validation=False,
            load_dtd=False,
            huge_tree=False,  # keeps libxml2's depth (256) and text-node limits
            remove_blank_text=False,  # signed content must stay byte-for-byte meaningful
        )
        _local.parser = p
    return p


def parse(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> etree._Element:
    """Parse untrusted bytes and return the root element, or raise `XmlRejected`."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise XmlRejected("le document XML doit être fourni sous forme d'octets", kind="type")
    data = bytes(data)
    if len(data) > max_bytes:
        raise XmlRejected(
            f"document XML trop volumineux ({len(data)} octets, maximum {max_bytes})", kind="too-large"
        )
    if not data.strip():
        raise XmlRejected("document XML vide", kind="empty")
    try:
        root = etree.fromstring(data, parser())
    except etree.XMLSyntaxError as exc:
        line, column = exc.position if exc.position else (0, 0)
        raise XmlRejected(
            f"XML mal formé (ligne {line}, colonne {column})", kind="malformed", detail=str(exc)
        ) from None
    except (etree.LxmlError, ValueError) as exc:
        raise XmlRejected("XML illisible", kind="malformed", detail=str(exc)) from None
    if root is None:  # lxml returns None for some recoverable empty inputs
        raise XmlRejected("document XML vide", kind="empty")
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise XmlRejected("déclaration DOCTYPE interdite (DTD et entités refusées)", kind="doctype")
    # Without a DTD an entity reference cannot parse; kept as a second line of defence.
    for _ in root.iter(etree.Entity):
        raise XmlRejected("référence d'entité interdite", kind="entity")
    return root
