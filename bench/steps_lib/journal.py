"""The scenario's exchanges in the simulators' journal, read through the control plane, and the
SOAP faults they carry."""

from __future__ import annotations

from typing import Any

from bench.steps_lib.state import ScenarioBench
from protocols import soap, xmlsafe


def exchanges(bench: ScenarioBench, service: str, operation: str | None = None) -> list[dict[str, Any]]:
    """Records of this scenario only (the reset stamped its id on them), oldest first."""
    return bench.control.exchanges(service=service, operation=operation, scenario_id=bench.scenario_id)


def response_body(bench: ScenarioBench, record: dict[str, Any]) -> bytes:
    sha = (record.get("response") or {}).get("body_sha256")
    if not sha:
        return b""
    data, _ = bench.control.body(str(sha))
    return data


def soap_fault(body: bytes) -> soap.SoapFault | None:
    """The fault of a SOAP answer, or None (no fault, or not SOAP at all)."""
    try:
        root = xmlsafe.parse(body)
    except xmlsafe.XmlRejected:
        return None
    return soap.parse_fault(root)


def subcode_names(fault: soap.SoapFault) -> list[str]:
    """Local names of the subcodes ("{urn:siram}siram_100" -> "siram_100")."""
    return [code.rsplit("}", 1)[-1].rsplit(":", 1)[-1] for code in fault.subcodes]


def describe(records: list[dict[str, Any]]) -> str:
    lines = [
        f"  {r.get('service')} {r.get('operation') or '?'} -> statut {(r.get('response') or {}).get('status')}"
        for r in records
    ]
    return "\n".join(lines) or "  (aucun échange)"
