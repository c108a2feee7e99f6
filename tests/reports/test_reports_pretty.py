"""Bodies made readable: SOAP indented, faults named, certificates summarised, hostile input survives."""

from __future__ import annotations

import json

from reports_testkit import SOAP_FAULT, SOAP_REQUEST, cert_b64, certificate, signed_request

from reports.pretty import render_body


def test_soap_is_indented_and_fault_is_named() -> None:
    body = render_body(SOAP_FAULT, "application/soap+xml; charset=utf-8")
    assert body.kind == "xml"
    assert "\n  <soap:Body>" in body.text
    assert body.soap_fault == "Receiver / BANC_INDISPONIBLE : Service momentanément indisponible"


def test_request_without_fault_has_no_fault_label() -> None:
    body = render_body(SOAP_REQUEST, None)
    assert body.kind == "xml" and body.soap_fault is None
    assert "<NomNaissance>GARNIER</NomNaissance>" in body.text


def test_certificate_in_xml_is_summarised_not_dumped() -> None:
    cert = certificate("INSI-AUTO", serial=0xBEEF)
    body = render_body(signed_request(cert), "application/soap+xml")
    assert cert_b64(cert)[:40] not in body.text
    assert "[certificat n° 1 résumé sous le message]" in body.text
    [summary] = body.certificates
    assert summary.subject == "CN=INSI-AUTO"
    assert summary.serial == "BEEF"
    assert "valide du 01/01/2026 00:00 au 01/01/2028 00:00" in summary.label


def test_json_is_indented_and_x5c_summarised() -> None:
    cert = certificate("8100000001234")
    data = json.dumps({"alg": "RS256", "x5c": [cert_b64(cert)], "nom": "Hélène"}).encode()
    body = render_body(data, "application/json")
    assert body.kind == "json"
    assert '\n  "nom": "Hélène"' in body.text
    assert [c.subject for c in body.certificates] == ["CN=8100000001234"]


def test_hostile_xml_falls_back_to_text_with_a_reason() -> None:
    hostile = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>'
    body = render_body(hostile, "text/xml")
    assert body.kind == "text"
    assert body.note is not None and "DOCTYPE" in body.note


def test_malformed_json_and_binary_never_raise() -> None:
    assert render_body(b"{pas du json", "application/json").kind == "text"
    binary = render_body(bytes(range(256)) * 3, "application/octet-stream")
    assert binary.kind == "binary"
    assert binary.text.startswith("00 01 02 03")
    assert "512 octets de plus" in binary.text
    assert render_body(b"", None).kind == "empty"


def test_multipart_parts_are_rendered_separately() -> None:
    boundary = "MIMEBoundary_1"
    data = (
        (
            f'--{boundary}\r\nContent-Type: application/xop+xml; type="application/soap+xml"\r\n'
            f"Content-ID: <root>\r\n\r\n"
        ).encode()
        + SOAP_REQUEST
        + (
            f"\r\n--{boundary}\r\nContent-Type: application/octet-stream\r\nContent-ID: <doc1>\r\n\r\n"
        ).encode()
        + b"\x00\x01\x02"
        + f"\r\n--{boundary}--\r\n".encode()
    )
    body = render_body(data, f'multipart/related; boundary="{boundary}"; type="application/xop+xml"')
    assert body.kind == "multipart"
    assert [p.kind for p in body.parts] == ["xml", "binary"]
    assert "<root>" in (body.parts[0].note or "")
