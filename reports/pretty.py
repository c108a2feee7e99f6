"""Bodies made readable for the HTML report: XML and SOAP indented (lxml), JSON indented, MIME parts
split, certificates summarised, binary shown as a short hex dump.

Input comes from the outside (an LGO's requests): XML goes through the hardened parser of
`protocols.xmlsafe`, and nothing here ever raises on bad input: it falls back to plain text.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any, Literal

from lxml import etree

from protocols import soap, xmlsafe
from reports import certificates
from reports.certificates import CertSummary

BodyKind = Literal["empty", "xml", "json", "text", "multipart", "binary"]
MAX_XML_BYTES = 20_000_000
MAX_CHARS = 120_000  # per body shown in the HTML; the raw file stays linked
LONG_BASE64 = 2_000  # longer base64 text nodes (embedded PDF, MTOM parts) are elided
HEX_PREVIEW = 256
_CERT_ELEMENTS = frozenset({"X509Certificate", "BinarySecurityToken"})


@dataclass
class RenderedBody:
    kind: BodyKind
    text: str
    size: int
    certificates: list[CertSummary] = field(default_factory=list)
    soap_fault: str | None = None  # "Receiver / siram_100 : Service indisponible"
    note: str | None = None
    parts: list[RenderedBody] = field(default_factory=list)
    truncated: bool = False


def render_body(data: bytes | None, content_type: str | None = None) -> RenderedBody:
    if not data:
        return RenderedBody("empty", "", 0)
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if media.startswith("multipart/"):
        return _multipart(data, content_type or "")
    stripped = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if "xml" in media or (not media and stripped.startswith(b"<")) or stripped.startswith(b"<?xml"):
        return _xml(data)
    if "json" in media or (not media and stripped[:1] in (b"{", b"[")):
        rendered = _json(data)
        if rendered is not None:
            return rendered
    return _text_or_binary(data, media)


def _limit(body: RenderedBody) -> RenderedBody:
    if len(body.text) > MAX_CHARS:
        body.text = body.text[:MAX_CHARS] + "\n[… suite tronquée : voir le fichier brut …]"
        body.truncated = True
    return body


def _xml(data: bytes) -> RenderedBody:
    try:
        root = xmlsafe.parse(data, max_bytes=MAX_XML_BYTES)
    except xmlsafe.XmlRejected as exc:
        body = _text_or_binary(data, "")
        body.note = f"XML non affichable en arbre : {exc.reason}"
        return body
    root = copy.deepcopy(root)
    found: list[CertSummary] = []
    for element in root.iter():
        if not isinstance(element.tag, str) or not element.text:
            continue
        local = etree.QName(element).localname
        text = element.text.strip()
        if local in _CERT_ELEMENTS:
            summary = certificates.from_base64(text)
            if summary is not None:
                found.append(summary)
                element.text = f"[certificat n° {len(found)} résumé sous le message]"
                continue
        if len(text) > LONG_BASE64 and not any(c.isspace() for c in text[:LONG_BASE64]):
            element.text = f"[{len(text)} caractères (base64) omis]"
    etree.indent(root, space="  ")
    text = etree.tostring(root, encoding="unicode")
    fault = soap.parse_fault(root) if etree.QName(root).localname == "Envelope" else None
    fault_label = None
    if fault is not None:
        subcodes = " / ".join(etree.QName(s).localname if s.startswith("{") else s for s in fault.subcodes)
        fault_label = " / ".join(x for x in (fault.code, subcodes) if x) + f" : {fault.reason}"
    return _limit(RenderedBody("xml", text, len(data), found, fault_label))


def _json(data: bytes) -> RenderedBody | None:
    try:
        value = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    found: list[CertSummary] = []
    _json_certificates(value, found)
    text = json.dumps(value, ensure_ascii=False, indent=2)
    return _limit(RenderedBody("json", text, len(data), found))


def _json_certificates(value: Any, found: list[CertSummary]) -> None:
    """x5c arrays (JOSE) and PEM strings anywhere in the document."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "x5c" and isinstance(item, list):
                found.extend(s for s in map(_b64_or_none, item) if s is not None)
            else:
                _json_certificates(item, found)
    elif isinstance(value, list):
        for item in value:
            _json_certificates(item, found)
    elif isinstance(value, str) and "BEGIN CERTIFICATE" in value:
        found.extend(certificates.from_pem_blocks(value.encode("utf-8", "replace")))


def _b64_or_none(item: Any) -> CertSummary | None:
    return certificates.from_base64(item) if isinstance(item, str) else None


def _text_or_binary(data: bytes, media: str) -> RenderedBody:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None and _printable(text):
        return _limit(RenderedBody("text", text, len(data), certificates.from_pem_blocks(data)))
    summary = certificates.from_der(data) if "cert" in media or data[:1] == b"\x30" else None
    preview = data[:HEX_PREVIEW]
    lines = [preview[i : i + 16].hex(" ") for i in range(0, len(preview), 16)]
    more = f"\n[… {len(data) - HEX_PREVIEW} octets de plus …]" if len(data) > HEX_PREVIEW else ""
    return RenderedBody(
        "binary",
        "\n".join(lines) + more,
        len(data),
        [summary] if summary else [],
        note=f"contenu binaire de {len(data)} octets",
    )


def _printable(text: str) -> bool:
    bad = sum(1 for c in text[:4096] if not c.isprintable() and c not in "\r\n\t")
    return bad == 0


def _multipart(data: bytes, content_type: str) -> RenderedBody:
    """MIME multipart (MTOM/XOP, mail): one rendered body per part."""
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1", "replace")
    try:
        message = BytesParser(policy=HTTP).parsebytes(head + data)
    except Exception:  # the email package raises many types on hostile input: fall back to text
        return _text_or_binary(data, "")
    if not message.is_multipart():
        body = _text_or_binary(data, "")
        body.note = "message MIME sans parties lisibles"
        return body
    parts = []
    for part in message.iter_parts():
        payload = part.get_payload(decode=True)
        rendered = render_body(payload if isinstance(payload, bytes) else b"", part.get_content_type())
        content_id = part.get("Content-ID")
        label = f"partie {part.get_content_type()}" + (f" {content_id}" if content_id else "")
        rendered.note = label + (f" — {rendered.note}" if rendered.note else "")
        parts.append(rendered)
    found = [cert for part in parts for cert in part.certificates]
    return RenderedBody("multipart", "", len(data), found, parts=parts, note=f"{len(parts)} partie(s) MIME")
