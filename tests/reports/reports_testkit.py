"""Recorded-looking fixtures for the report tests: a journal record list and scenario results."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from reports.model import ExchangeRecord, RunResults, ScenarioResult, Screenshot, StepResult

T0 = datetime(2026, 11, 22, 9, 0, 0, tzinfo=UTC)
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def certificate(cn: str = "INSI-AUTO", serial: int = 0x1A2B) -> x509.Certificate:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    issuer = x509.Name(
        [x509.NameAttribute(NameOID.COMMON_NAME, "TEST AC IGC-SANTE ELEMENTAIRE ORGANISATIONS")]
    )
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(serial)
        .not_valid_before(datetime(2026, 1, 1, tzinfo=UTC))
        .not_valid_after(datetime(2028, 1, 1, tzinfo=UTC))
        .sign(key, hashes.SHA256())
    )


def cert_b64(cert: x509.Certificate) -> str:
    return base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode("ascii")


SOAP_REQUEST = b"""<?xml version='1.0' encoding='utf-8'?>
<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Header><wsa:Action xmlns:wsa="http://www.w3.org/2005/08/addressing">urn:ServiceIdentiteCertifiee:1.0.0:rechercherInsAvecTraitsIdentite</wsa:Action></soap:Header><soap:Body><RECSANSVITALE xmlns="http://www.cnamts.fr/INSiRecSans"><NomNaissance>GARNIER</NomNaissance><Prenom>JULIEN</Prenom><Sexe>M</Sexe><DateNaissance>1984-06-12</DateNaissance></RECSANSVITALE></soap:Body></soap:Envelope>"""

SOAP_FAULT = """<?xml version='1.0' encoding='utf-8'?>
<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body><soap:Fault><soap:Code><soap:Value>soap:Receiver</soap:Value><soap:Subcode><soap:Value xmlns:siram="urn:siram">siram:BANC_INDISPONIBLE</soap:Value></soap:Subcode></soap:Code><soap:Reason><soap:Text xml:lang="fr">Service momentanément indisponible</soap:Text></soap:Reason></soap:Fault></soap:Body></soap:Envelope>""".encode()


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def signed_request(cert: x509.Certificate) -> bytes:
    return (
        b'<?xml version="1.0"?><soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope">'
        b'<soap:Header><wsse:Security xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd">'
        b'<ds:X509Certificate xmlns:ds="http://www.w3.org/2000/09/xmldsig#">'
        + cert_b64(cert).encode()
        + b"</ds:X509Certificate></wsse:Security></soap:Header><soap:Body/></soap:Envelope>"
    )


def record(
    rid: str,
    *,
    service: str = "insi",
    operation: str | None = "rechercherInsAvecTraitsIdentite",
    request: bytes | None = SOAP_REQUEST,
    response: bytes | None = SOAP_FAULT,
    status: int = 500,
    content_type: str = "application/soap+xml; charset=utf-8",
    findings: list[dict[str, object]] | None = None,
    scenario_id: str = "run-s001",
    offset_s: int = 0,
) -> ExchangeRecord:
    def message(body: bytes | None, **extra: object) -> dict[str, object]:
        out: dict[str, object] = {"headers": {"content-type": content_type}, **extra}
        if body:
            out.update(body_sha256=sha(body), body_url=f"/_bench/bodies/{sha(body)}")
        return out

    return ExchangeRecord.model_validate(
        {
            "id": rid,
            "service": service,
            "operation": operation,
            "direction": "inbound",
            "started_at": (T0 + timedelta(seconds=offset_s)).isoformat(),
            "ended_at": (T0 + timedelta(seconds=offset_s, milliseconds=40)).isoformat(),
            "peer": {"subject": "CN=INSI-AUTO,O=ANS-BANC-SEGUR", "issuer": "CN=TEST AC", "serial": "1A2B"},
            "request": message(request, method="POST", path="/lps"),
            "response": message(response, status=status),
            "correlation": {"ins": "184067511234567", "message_id": "uuid:1"},
            "findings": findings or [],
            "scenario_id": scenario_id,
            "future_field": "kept",
        }
    )


def results(scenarios: list[ScenarioResult]) -> RunResults:
    return RunResults(
        bench_version="0.1.0",
        target="reference",
        started_at=T0,
        ended_at=T0 + timedelta(seconds=12),
        services={
            "insi": {"operations": {"rechercherInsAvecTraitsIdentite": "public-spec"}},  # type: ignore[dict-item]
            "dp": {"operations": {"consulter": "bench-contract"}},  # type: ignore[dict-item]
        },
        scenarios=scenarios,
    )


def scenario(
    name: str, result: str, *, requirement_ids: list[str] | None = None, **extra: object
) -> ScenarioResult:
    steps = [
        StepResult(keyword="Étant donné", name="le banc est prêt", result="pass", duration_s=0.1),
        StepResult(
            keyword="Alors",
            name="le journal montre la faute",
            result=result if result in ("fail", "error") else "pass",  # type: ignore[arg-type]
            duration_s=0.2,
            message="Attendu CR 00, reçu une faute SOAP" if result in ("fail", "error") else None,
        ),
    ]
    data: dict[str, object] = {
        "name": name,
        "feature": "socle/insi.feature",
        "tags": ["socle", *(f"REQ.{r}" for r in requirement_ids or [])],
        "requirement_ids": requirement_ids or [],
        "result": result,
        "duration_s": 1.25,
        "steps": steps,
        **extra,
    }
    return ScenarioResult.model_validate(data)


def write_bodies(run_dir: Path, bodies: list[tuple[bytes, str]]) -> None:
    from reports.evidence import BodyStore

    store = BodyStore(run_dir)
    for data, content_type in bodies:
        store.write(sha(data), data, content_type)


def screenshot(run_dir: Path, name: str = "accueil") -> Screenshot:
    folder = run_dir / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.png").write_bytes(PNG)
    return Screenshot(name=name, screen="accueil", file=f"screenshots/{name}.png")


def dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)
