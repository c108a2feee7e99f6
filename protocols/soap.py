"""SOAP 1.2 envelopes with WS-Addressing 2005/08 headers, and SOAP 1.2 faults.

`parse_envelope` never lets an exception other than `SoapParseError` escape: malformed, hostile,
oversized, non-SOAP and SOAP 1.1 inputs all become a ready-to-send `SoapFault`. mustUnderstand is
reported, not enforced: the service knows which header blocks it understands.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from lxml import etree

from protocols import xmlsafe

NS_SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
NS_SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
NS_WSA = "http://www.w3.org/2005/08/addressing"
NS_WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
NS_WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
NS_XML = "http://www.w3.org/XML/1998/namespace"

CONTENT_TYPE = "application/soap+xml; charset=utf-8"
WSA_ANONYMOUS = "http://www.w3.org/2005/08/addressing/anonymous"
WSA_FAULT_ACTION = "http://www.w3.org/2005/08/addressing/soap/fault"
ROLE_NEXT = "http://www.w3.org/2003/05/soap-envelope/role/next"
ROLE_NONE = "http://www.w3.org/2003/05/soap-envelope/role/none"
ROLE_ULTIMATE_RECEIVER = "http://www.w3.org/2003/05/soap-envelope/role/ultimateReceiver"

SOAP_PREFIX = "soap"  # what INSi itself sends on the wire
FAULT_CODES = ("VersionMismatch", "MustUnderstand", "DataEncodingUnknown", "Sender", "Receiver")

# Prefixes used when a fault subcode QName is written ("{urn:siram}siram_100" -> "siram:siram_100").
KNOWN_PREFIXES: dict[str, str] = {
    NS_SOAP12: SOAP_PREFIX,
    NS_WSA: "wsa",
    NS_WSSE: "wsse",
    NS_WSU: "wsu",
    "urn:siram": "siram",
}

_TRUE = ("true", "1")


def _q(ns: str, local: str) -> str:
    return f"{{{ns}}}{local}"


def _soap(local: str) -> str:
    return _q(NS_SOAP12, local)


# --- QName helpers (fault codes carry QNames in element text) -------------------------------


def qname_to_clark(value: str) -> str:
    """Normalise a QName given as Clark ("{ns}local") or with a known prefix ("siram:siram_100")."""
    value = value.strip()
    if value.startswith("{"):
        etree.QName(value)  # validates
        return value
    prefix, sep, local = value.partition(":")
    if not sep:
        raise ValueError(f"QName sans espace de noms : {value!r}")
    for ns, known in KNOWN_PREFIXES.items():
        if known == prefix:
            return _q(ns, local)
    raise ValueError(f"préfixe d'espace de noms inconnu dans {value!r}")


def _read_qname_text(el: etree._Element) -> str:
    """Resolve a QName from element text against the element's in-scope namespaces."""
    text = (el.text or "").strip()
    prefix, sep, local = text.partition(":")
    if not sep:
        default_ns = el.nsmap.get(None)
        return _q(default_ns, text) if default_ns else text
    ns = el.nsmap.get(prefix)
    return _q(ns, local) if ns else text  # unresolvable: keep it verbatim (lenient reader)


# --- Faults -------------------------------------------------------------------------------


@dataclass
class SoapFault:
    """A SOAP 1.2 fault. `subcodes` are QNames in Clark notation (or with a known prefix), outermost first."""

    code: str
    reason: str
    subcodes: list[str] = field(default_factory=list)
    detail: list[etree._Element] | None = None
    lang: str = "fr"
    headers: list[etree._Element] = field(default_factory=list)  # e.g. NotUnderstood, Upgrade

    def __post_init__(self) -> None:
        if self.code.startswith(("{", f"{SOAP_PREFIX}:", "env:")):
            self.code = self.code.rsplit("}", 1)[-1].rsplit(":", 1)[-1]
        if self.code not in FAULT_CODES:
            raise ValueError(f"code de faute SOAP 1.2 inconnu : {self.code!r}")
        self.subcodes = [qname_to_clark(s) for s in self.subcodes]

    @property
    def http_status(self) -> int:
        """SOAP 1.2 HTTP binding: Sender faults are 400, every other fault 500."""
        return 400 if self.code == "Sender" else 500

    def to_element(self) -> etree._Element:
        fault = etree.Element(_soap("Fault"), nsmap={SOAP_PREFIX: NS_SOAP12})
        code = etree.SubElement(fault, _soap("Code"))
        etree.SubElement(code, _soap("Value")).text = f"{SOAP_PREFIX}:{self.code}"
        parent = code
        for sub in self.subcodes:
            parent = etree.SubElement(parent, _soap("Subcode"))
            q = etree.QName(sub)
            if q.namespace is None:
                etree.SubElement(parent, _soap("Value")).text = q.localname
                continue
            # Declared on the Value itself so the QName stays resolvable wherever the fault is moved.
            # Never run etree.cleanup_namespaces on a fault: it drops declarations used only in text.
            prefix = KNOWN_PREFIXES.get(q.namespace, "ns1")
            value = etree.SubElement(parent, _soap("Value"), nsmap={prefix: q.namespace})
            value.text = f"{prefix}:{q.localname}"
        reason = etree.SubElement(fault, _soap("Reason"))
        text = etree.SubElement(reason, _soap("Text"))
        text.set(_q(NS_XML, "lang"), self.lang)
        text.text = self.reason
        if self.detail:
            detail = etree.SubElement(fault, _soap("Detail"))
            for item in self.detail:
                detail.append(copy.deepcopy(item))  # a fault may be prebuilt and sent many times
        return fault

    def to_bytes(self, header_blocks: list[etree._Element] | None = None) -> bytes:
        """A whole envelope carrying this fault (with its own header blocks, then the given ones)."""
        own = [copy.deepcopy(h) for h in self.headers]
        return Envelope([*own, *(header_blocks or [])], self.to_element()).to_bytes()

    @classmethod
    def _as_received(
        cls, code: str, reason: str, subcodes: list[str], detail: list[etree._Element] | None, lang: str
    ) -> SoapFault:
        """A peer's fault, kept exactly as sent (no validation: reporting it is the point)."""
        fault = cls.__new__(cls)
        fault.code, fault.reason, fault.subcodes = code, reason, subcodes
        fault.detail, fault.lang, fault.headers = detail, lang, []
        return fault


def parse_fault(root: etree._Element) -> SoapFault | None:
    """Read a fault from an Envelope root or a Fault element; None when there is no fault."""
    fault = root if root.tag == _soap("Fault") else root.find(f"{_soap('Body')}/{_soap('Fault')}")
    if fault is None:
        return None
    value = fault.find(f"{_soap('Code')}/{_soap('Value')}")
    code = _read_qname_text(value) if value is not None else ""
    code_local = etree.QName(code).localname if code.startswith("{") else code.rsplit(":", 1)[-1]
    subcodes: list[str] = []
    node = fault.find(_soap("Code"))
    while node is not None:
        node = node.find(_soap("Subcode"))
        if node is not None:
            sub_value = node.find(_soap("Value"))
            if sub_value is not None:
                subcodes.append(_read_qname_text(sub_value))
    texts = fault.findall(f"{_soap('Reason')}/{_soap('Text')}")
    chosen = next((t for t in texts if t.get(_q(NS_XML, "lang"), "").startswith("fr")), None)
    if chosen is None and texts:
        chosen = texts[0]
    detail_el = fault.find(_soap("Detail"))
    detail = [c for c in detail_el if isinstance(c.tag, str)] if detail_el is not None else None
    return SoapFault._as_received(
        code=code_local if code.startswith(f"{{{NS_SOAP12}}}") or not code.startswith("{") else code,
        reason=(chosen.text or "") if chosen is not None else "",
        subcodes=subcodes,
        detail=detail,
        lang=chosen.get(_q(NS_XML, "lang"), "") if chosen is not None else "",
    )


def must_understand_fault(not_understood: Iterable[str]) -> SoapFault:
    """MustUnderstand fault with one env:NotUnderstood header block per header QName (SOAP 1.2 §5.4.8)."""
    headers: list[etree._Element] = []
    names: list[str] = []
    for clark in not_understood:
        q = etree.QName(clark)  # header blocks are always namespace-qualified (checked on parse)
        prefix = KNOWN_PREFIXES.get(q.namespace or "", "ns1")
        el = etree.Element(_soap("NotUnderstood"), nsmap={SOAP_PREFIX: NS_SOAP12, prefix: q.namespace or ""})
        el.set("qname", f"{prefix}:{q.localname}")
        headers.append(el)
        names.append(f"{prefix}:{q.localname}")
    return SoapFault(
        "MustUnderstand",
        "en-tête(s) obligatoire(s) non compris : " + ", ".join(names),
        headers=headers,
    )


def version_mismatch_fault() -> SoapFault:
    """VersionMismatch with the env:Upgrade header naming SOAP 1.2 as supported (SOAP 1.2 §5.4.7)."""
    upgrade = etree.Element(_soap("Upgrade"), nsmap={SOAP_PREFIX: NS_SOAP12})
    supported = etree.SubElement(upgrade, _soap("SupportedEnvelope"))
    supported.set("qname", f"{SOAP_PREFIX}:Envelope")
    return SoapFault(
        "VersionMismatch",
        "version SOAP non prise en charge : seul SOAP 1.2 est accepté",
        headers=[upgrade],
    )


class SoapParseError(Exception):
    """The request could not be read as a SOAP 1.2 envelope; `fault` is ready to send back."""

    def __init__(self, fault: SoapFault) -> None:
        super().__init__(fault.reason)
        self.fault = fault


def _sender(reason: str, subcodes: list[str] | None = None) -> SoapParseError:
    return SoapParseError(SoapFault("Sender", reason, subcodes or []))


# --- Envelopes ------------------------------------------------------------------------------


class Envelope:
    """An outgoing envelope; the header blocks and the body element are moved into it."""

    def __init__(self, header_blocks: list[etree._Element], body: etree._Element | None) -> None:
        self.header_blocks = header_blocks
        self.body = body

    def to_element(self) -> etree._Element:
        env = etree.Element(_soap("Envelope"), nsmap={SOAP_PREFIX: NS_SOAP12})
        if self.header_blocks:
            header = etree.SubElement(env, _soap("Header"))
            for block in self.header_blocks:
                header.append(block)
        body = etree.SubElement(env, _soap("Body"))
        if self.body is not None:
            body.append(self.body)
        return env

    def to_bytes(self) -> bytes:
        return etree.tostring(self.to_element(), xml_declaration=True, encoding="utf-8")


def new_message_id() -> str:
    return f"uuid:{uuid.uuid4()}"


def wsa_headers(
    action: str,
    message_id: str | None = None,
    to: str | None = None,
    relates_to: str | None = None,
    reply_to: str | None = None,
) -> list[etree._Element]:
    """WS-Addressing 2005/08 header blocks; a `uuid:` MessageID is generated when none is given.

    `reply_to` is usually `WSA_ANONYMOUS`.
    """
    nsmap = {"wsa": NS_WSA}
    blocks: list[etree._Element] = []

    def add(local: str, text: str) -> etree._Element:
        el = etree.Element(_q(NS_WSA, local), nsmap=nsmap)
        el.text = text
        blocks.append(el)
        return el

    add("Action", action)
    add("MessageID", message_id or new_message_id())
    if to is not None:
        add("To", to)
    if relates_to is not None:
        add("RelatesTo", relates_to)
    if reply_to is not None:
        el = etree.Element(_q(NS_WSA, "ReplyTo"), nsmap=nsmap)
        etree.SubElement(el, _q(NS_WSA, "Address")).text = reply_to
        blocks.append(el)
    return blocks


@dataclass
class ParsedEnvelope:
    root: etree._Element
    header: etree._Element | None
    body: etree._Element
    body_child: etree._Element | None
    action: str | None
    message_id: str | None
    relates_to: str | None
    to: str | None

    def headers(self, ns: str, local: str) -> list[etree._Element]:
        """Header blocks with this (namespace, local name)."""
        if self.header is None:
            return []
        return self.header.findall(_q(ns, local))

    def header_block(self, ns: str, local: str) -> etree._Element | None:
        found = self.headers(ns, local)
        return found[0] if found else None

    def must_understand_blocks(self) -> list[etree._Element]:
        """Header blocks with mustUnderstand="true" aimed at this (ultimate receiver) node."""
        if self.header is None:
            return []
        out = []
        for block in self.header:
            if not isinstance(block.tag, str):
                continue
            if block.get(_soap("mustUnderstand"), "false").strip() not in _TRUE:
                continue
            role = block.get(_soap("role"), ROLE_ULTIMATE_RECEIVER).strip()
            if role in (ROLE_ULTIMATE_RECEIVER, ROLE_NEXT):
                out.append(block)
        return out

    def not_understood(self, understood: Iterable[tuple[str, str]]) -> list[str]:
        """Clark names of mustUnderstand blocks the caller does not process (feed `must_understand_fault`)."""
        known = {_q(ns, local) for ns, local in understood}
        return [b.tag for b in self.must_understand_blocks() if b.tag not in known]


def _single_text(header: etree._Element | None, local: str) -> str | None:
    if header is None:
        return None
    found = header.findall(_q(NS_WSA, local))
    if len(found) > 1:
        raise _sender(
            f"en-tête WS-Addressing wsa:{local} présent {len(found)} fois",
            [_q(NS_WSA, "InvalidAddressingHeader"), _q(NS_WSA, "InvalidCardinality")],
        )
    if not found:
        return None
    return (found[0].text or "").strip()


def parse_envelope(data: bytes, *, max_bytes: int = xmlsafe.DEFAULT_MAX_BYTES) -> ParsedEnvelope:
    """Parse an incoming SOAP 1.2 message, or raise `SoapParseError` carrying the fault to answer."""
    try:
        root = xmlsafe.parse(data, max_bytes=max_bytes)
    except xmlsafe.XmlRejected as exc:
        raise _sender(f"message SOAP refusé : {exc.reason}") from None
    try:
        return _read_envelope(root)
    except SoapParseError:
        raise
    except Exception:  # a structure we did not foresee must still become a fault, not a 500 trace
        raise _sender("enveloppe SOAP illisible") from None


def _read_envelope(root: etree._Element) -> ParsedEnvelope:
    if not isinstance(root.tag, str) or etree.QName(root).localname != "Envelope":
        raise _sender("le document n'est pas une enveloppe SOAP")
    if root.tag != _soap("Envelope"):
        raise SoapParseError(version_mismatch_fault())
    # SOAP 1.2 part 1 §5: a SOAP message must not contain processing instructions.
    if any(True for _ in root.iter(etree.PI)) or any(
        isinstance(s, etree._ProcessingInstruction) for s in root.itersiblings(preceding=True)
    ):
        raise _sender("instruction de traitement interdite dans un message SOAP")
    header: etree._Element | None = None
    body: etree._Element | None = None
    for child in root:
        if not isinstance(child.tag, str):
            continue  # comments and processing instructions carry no meaning here
        if child.tag == _soap("Header") and header is None and body is None:
            header = child
        elif child.tag == _soap("Body") and body is None:
            body = child
        else:
            raise _sender(f"élément inattendu dans l'enveloppe SOAP : {etree.QName(child).localname}")
        if (child.tail or "").strip():
            raise _sender("texte inattendu dans l'enveloppe SOAP")
    if (root.text or "").strip():
        raise _sender("texte inattendu dans l'enveloppe SOAP")
    if body is None:
        raise _sender("enveloppe SOAP sans élément Body")
    if header is not None:
        for block in header:
            if isinstance(block.tag, str) and etree.QName(block).namespace is None:
                raise _sender(f"bloc d'en-tête SOAP sans espace de noms : {etree.QName(block).localname}")
            must = block.get(_soap("mustUnderstand")) if isinstance(block.tag, str) else None
            if must is not None and must.strip() not in ("true", "false", "1", "0"):
                raise _sender("valeur de mustUnderstand invalide (true, false, 1 ou 0 attendu)")
    body_child = next((c for c in body if isinstance(c.tag, str)), None)
    return ParsedEnvelope(
        root=root,
        header=header,
        body=body,
        body_child=body_child,
        action=_single_text(header, "Action"),
        message_id=_single_text(header, "MessageID"),
        relates_to=_first_text(header, "RelatesTo"),
        to=_single_text(header, "To"),
    )


def _first_text(header: etree._Element | None, local: str) -> str | None:
    # RelatesTo may legitimately repeat (one per RelationshipType); the reply relation comes first.
    if header is None:
        return None
    el = header.find(_q(NS_WSA, local))
    return (el.text or "").strip() if el is not None else None
