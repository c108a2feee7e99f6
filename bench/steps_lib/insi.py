"""A bench-side INSi probe for the socle scenarios: it checks the bench itself (a fault pack armed by
its tag, the journal read back through the control plane) independently of any LGO under test; the
REM scenarios go through the target's own INSi client instead (bench/steps_lib/ins_insi.py).

It uses only what any editor has: the public wire (SOAP 1.2, WS-Addressing, ContexteLPS and
ContexteBAM of the digest §7bis A) on the national listener, with the exported INSI-AUTO
certificate. Its exchanges are journaled like an LGO's, so a scenario can read back through the
control plane what INSi answered, e.g. under a fault pack.
"""

from __future__ import annotations

import ssl
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
from lxml import etree

from bench.steps_lib import journal
from bench.steps_lib import world as world_data
from bench.steps_lib.state import ScenarioBench
from bench.targets.errors import BenchError
from protocols import soap, xmlsafe
from scenarios import Person

ACTION_TRAITS = "urn:ServiceIdentiteCertifiee:1.0.0:rechercherInsAvecTraitsIdentite"
NS_RECSANS = "http://www.cnamts.fr/INSiRecSans"
NS_RESULTAT = "http://www.cnamts.fr/INSiResultat"
NS_CTXLPS = "urn:siram:lps:ctxlps"
NS_CTXBAM = "urn:siram:bam:ctxbam"
EMITTER = "segur-bench"
CREDENTIAL = "insi-auto"
TIMEOUT_S = 30.0


@dataclass
class InsiAnswer:
    status: int | None  # None: no HTTP answer (connection closed, TLS refused)
    body: bytes
    fault: soap.SoapFault | None = None
    code_cr: str | None = None
    error: str | None = None  # transport error, in French

    def describe(self) -> str:
        if self.status is None:
            return f"aucune réponse HTTP ({self.error})"
        if self.fault is not None:
            subcodes = " / ".join(journal.subcode_names(self.fault))
            return f"statut {self.status}, faute SOAP {self.fault.code} {subcodes} : {self.fault.reason}"
        return f"statut {self.status}, CR {self.code_cr}"


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, tag, **attrs)
    if text is not None:
        element.text = text
    return element


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def contexte_lps(idam: str, name: str, version: str, instance: str) -> etree._Element:
    ctx = etree.Element(
        f"{{{NS_CTXLPS}}}ContexteLPS", nsmap={"ctxlps": NS_CTXLPS}, Nature="CTXLPS", Version="01_00"
    )
    _sub(ctx, f"{{{NS_CTXLPS}}}Id", str(uuid.uuid4()))
    _sub(ctx, f"{{{NS_CTXLPS}}}Temps", _now())
    _sub(ctx, f"{{{NS_CTXLPS}}}Emetteur", EMITTER)
    lps = _sub(ctx, f"{{{NS_CTXLPS}}}LPS")
    _sub(lps, f"{{{NS_CTXLPS}}}IDAM", idam, R="4")
    _sub(lps, f"{{{NS_CTXLPS}}}Version", version)
    _sub(lps, f"{{{NS_CTXLPS}}}Instance", instance)
    _sub(lps, f"{{{NS_CTXLPS}}}Nom", f"urn:lps:{name}:{version}")
    return ctx


def contexte_bam() -> etree._Element:
    ctx = etree.Element(f"{{{NS_CTXBAM}}}ContexteBAM", nsmap={"ctxbam": NS_CTXBAM}, Version="01_02")
    _sub(ctx, f"{{{NS_CTXBAM}}}Id", str(uuid.uuid4()))
    _sub(ctx, f"{{{NS_CTXBAM}}}Temps", _now())
    _sub(ctx, f"{{{NS_CTXBAM}}}Emetteur", EMITTER)
    _sub(ctx, f"{{{NS_CTXBAM}}}COUVERTURE")
    return ctx


def traits_body(person: Person) -> etree._Element:
    body = etree.Element(f"{{{NS_RECSANS}}}RECSANSVITALE", nsmap={None: NS_RECSANS})
    _sub(body, f"{{{NS_RECSANS}}}NomNaissance", person.birth_name)
    _sub(body, f"{{{NS_RECSANS}}}Prenom", person.first_names[0])
    _sub(body, f"{{{NS_RECSANS}}}Sexe", person.sex)
    _sub(body, f"{{{NS_RECSANS}}}DateNaissance", str(person.birth_date))
    _sub(body, f"{{{NS_RECSANS}}}LieuNaissance", person.birth_place)
    return body


def traits_request(bench: ScenarioBench, person: Person) -> bytes:
    software = bench.world.lgo_seed.settings.software
    headers = [
        *soap.wsa_headers(ACTION_TRAITS),
        contexte_bam(),
        contexte_lps(software.idam, software.name, software.version, software.instance),
    ]
    return soap.Envelope(headers, traits_body(person)).to_bytes()


def _tls(bench: ScenarioBench) -> ssl.SSLContext:
    endpoints = bench.run.endpoints
    files = endpoints.credential_files.get(CREDENTIAL)
    if not files or endpoints.ca_chain is None:
        raise BenchError(
            f"Certificat {CREDENTIAL} ou chaîne de l'AC absents de « segur-bench endpoints --json »"
        )
    context = ssl.create_default_context(cafile=str(endpoints.ca_chain))
    context.load_cert_chain(files.get("chain") or files["pem"], files["key"])
    return context


def search_traits(bench: ScenarioBench, person_id: str) -> InsiAnswer:
    """rechercherInsAvecTraitsIdentite for a person of the world; transport failures are answers too
    (a fault pack may cut the connection), only a missing INSi is a bench error."""
    service = bench.run.endpoints.services.get("insi")
    if service is None or not isinstance(service.get("url"), str):
        raise BenchError("Le simulateur INSi n'est pas publié par la pile (« segur-bench endpoints --json »)")
    request = traits_request(bench, world_data.person(bench.world, person_id))
    try:
        with httpx.Client(verify=_tls(bench), timeout=TIMEOUT_S) as client:
            response = client.post(
                str(service["url"]), content=request, headers={"Content-Type": soap.CONTENT_TYPE}
            )
    except httpx.ConnectError as exc:
        if "refused" in str(exc).lower():
            raise BenchError(f"Simulateur INSi injoignable ({service['url']}) : {exc}") from None
        return InsiAnswer(None, b"", error=f"connexion refusée ou TLS interrompu : {exc}")
    except httpx.HTTPError as exc:
        return InsiAnswer(None, b"", error=f"échange interrompu : {type(exc).__name__} {exc}")
    answer = InsiAnswer(response.status_code, response.content)
    answer.fault = journal.soap_fault(response.content)
    if answer.fault is None:
        answer.code_cr = _code_cr(response.content)
    return answer


def _code_cr(body: bytes) -> str | None:
    try:
        root = xmlsafe.parse(body)
    except xmlsafe.XmlRejected:
        return None
    found = root.find(f".//{{{NS_RESULTAT}}}CR/{{{NS_RESULTAT}}}CodeCR")
    return found.text.strip() if found is not None and found.text else None


def probe(bench: ScenarioBench, person_id: str) -> InsiAnswer:
    answer = search_traits(bench, person_id)
    bench.remember("insi", answer)
    return answer


def check_code(bench: ScenarioBench, code: str) -> None:
    answer: InsiAnswer = bench.recall("insi")
    if answer.code_cr != code:
        raise AssertionError(f"INSi devait répondre CR {code} ; réponse : {answer.describe()}")


def check_fault(bench: ScenarioBench, code: str, subcode: str) -> None:
    answer: InsiAnswer = bench.recall("insi")
    fault = answer.fault
    if fault is None or fault.code != code or subcode not in journal.subcode_names(fault):
        raise AssertionError(
            f"INSi devait répondre par une faute SOAP {code} / {subcode} ; réponse : {answer.describe()}"
        )


def _scenario_records(bench: ScenarioBench, operation: str) -> list[dict[str, Any]]:
    records = journal.exchanges(bench, "insi", operation)
    if not records:
        everything = journal.exchanges(bench, "insi")
        raise AssertionError(
            f"Aucun échange INSi « {operation} » dans le journal du scénario {bench.scenario_id} ; "
            f"échanges INSi du scénario :\n{journal.describe(everything)}"
        )
    return records


def check_journal_status(bench: ScenarioBench, operation: str, status: int) -> None:
    records = _scenario_records(bench, operation)
    last = records[-1]
    actual = (last.get("response") or {}).get("status")
    if actual != status:
        raise AssertionError(
            f"Le journal montre l'échange INSi « {operation} » au statut {actual}, pas {status}"
        )


def check_journal_fault(bench: ScenarioBench, operation: str, subcode: str) -> None:
    """The faulted answer as the journal stored it (body read back through the control plane)."""
    record = _scenario_records(bench, operation)[-1]
    body = journal.response_body(bench, record)
    fault = journal.soap_fault(body)
    if fault is None:
        raise AssertionError(
            f"La réponse journalisée de « {operation} » n'est pas une faute SOAP ({len(body)} octets)"
        )
    if subcode not in journal.subcode_names(fault):
        names = ", ".join(journal.subcode_names(fault)) or "aucun"
        raise AssertionError(
            f"Faute SOAP journalisée de sous-code {names}, et non {subcode} : {fault.reason}"
        )
