"""The INSi national listener: SOAP 1.2 on POST /lps (decode -> backend -> encode), the WSDL on
GET /lps?wsdl. Checks come from rules.py, faults from errors.py, the state from models.py.

Order of the checks, as a real front end would apply them: envelope (SOAP 1.2, mustUnderstand),
WS-Addressing, authentication (CPx assertion, else the certificate CN rule), ContexteLPS and IDAM,
ContexteBAM (findings only), request body, then the search.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from lxml import etree

from protocols import soap
from simulators.insi import errors, rules, schemas
from simulators.insi.codec import (
    NS_BENCH,
    NS_CTXBAM,
    NS_CTXLPS,
    OP_TRAITS,
    OP_VERIFY,
    OP_VITALE,
    RECSANSVITALE,
    decode_traits,
    decode_vitale,
    encode_resultat,
    response_action,
)
from simulators.insi.models import InsiBackend, SearchResult, normalise_trait

if TYPE_CHECKING:
    from cryptography import x509

    from simulators.core.peer import PeerIdentity
    from simulators.core.raw import RawResponse

MAX_BODY = 512 * 1024  # an INSi request is a few KB, a CPx assertion included
UNDERSTOOD = (
    (soap.NS_WSA, "Action"),
    (soap.NS_WSA, "MessageID"),
    (soap.NS_WSA, "To"),
    (soap.NS_WSA, "ReplyTo"),
    (soap.NS_WSA, "From"),
    (soap.NS_WSA, "FaultTo"),
    (soap.NS_WSA, "RelatesTo"),
    (soap.NS_WSSE, "Security"),
    (NS_CTXLPS, "ContexteLPS"),
    (NS_CTXBAM, "ContexteBAM"),
    (NS_BENCH, "InsAVerifier"),
)


@dataclass
class Outcome:
    """What one exchange produced: the HTTP answer and what the journal keeps about it."""

    status: int
    body: bytes
    operation: str | None = None
    correlation: dict[str, str] = field(default_factory=dict)
    checks: list[rules.Check] = field(default_factory=list)
    content_type: str = soap.CONTENT_TYPE


@dataclass(frozen=True)
class Trust:
    """What the handler needs from the test PKI."""

    roots: list[x509.Certificate]  # assertion chains end here (root, and PERSONNES for leaf-only KeyInfo)
    organisations: x509.Name  # issuer of INSI-AUTO / INSI-MANU
    personnes: x509.Name  # issuer of professional certificates


def fault_outcome(
    code: str,
    message: str | None,
    *,
    message_id: str | None = None,
    operation: str | None = None,
    checks: list[rules.Check] | None = None,
    correlation: dict[str, str] | None = None,
) -> Outcome:
    """An INSi fault (siram subcode + siram:Erreur detail), WS-Addressing related to the request."""
    spec = errors.fault_spec(code, message)
    fault = soap.SoapFault(
        spec.code, spec.reason, [errors.subcode_qname(spec)], [errors.erreur_element(spec, message_id)]
    )
    headers = soap.wsa_headers(soap.WSA_FAULT_ACTION, relates_to=message_id) if message_id else []
    corr = dict(correlation or {})
    corr["fault"] = spec.detail_code
    return Outcome(errors.http_status(spec), fault.to_bytes(headers), operation, corr, list(checks or []))


def soap_fault_outcome(
    fault: soap.SoapFault, checks: list[rules.Check], message_id: str | None = None
) -> Outcome:
    headers = soap.wsa_headers(soap.WSA_FAULT_ACTION, relates_to=message_id) if message_id else []
    return Outcome(fault.http_status, fault.to_bytes(headers), None, {"fault": fault.code}, checks)


class InsiHandler:
    """Turns one HTTP request body into one Outcome. Pure apart from the backend it reads."""

    def __init__(self, backend: InsiBackend, trust: Trust | None) -> None:
        self.backend = backend
        self.trust = trust
        self._peeked: tuple[bytes, str | None, dict[str, str]] | None = None

    def classify(self, body: bytes) -> str | None:
        return self.peek(body)[0]

    def peek(self, body: bytes) -> tuple[str | None, dict[str, str]]:
        """Operation and correlation keys before dispatch (fault rules match on them): message_id,
        idam, ins (Vitale matricule or INS to verify), nom_naissance."""
        if self._peeked is not None and self._peeked[0] is body:  # classify then correlation: parse once
            return self._peeked[1], dict(self._peeked[2])
        try:
            env = soap.parse_envelope(body, max_bytes=MAX_BODY)
        except soap.SoapParseError:
            return None, {}
        marker = env.header_block(NS_BENCH, "InsAVerifier")
        operation = rules.operation_for(env.action, env.body_child, marker is not None)
        corr: dict[str, str] = {}
        if env.message_id:
            corr["message_id"] = env.message_id
        idam = rules.idam_of(env.header_block(NS_CTXLPS, "ContexteLPS"))
        if idam:
            corr["idam"] = idam
        body_el = env.body_child
        if operation == OP_VITALE and body_el is not None:
            vq = decode_vitale(body_el)
            corr["ins"] = vq.beneficiary_num or vq.insured_num
        elif body_el is not None and body_el.tag == RECSANSVITALE:
            name = decode_traits(body_el).birth_name
            if name:
                corr["nom_naissance"] = normalise_trait(name)
            if marker is not None and (marker.text or "").strip():
                corr["ins"] = (marker.text or "").strip()
        self._peeked = (body, operation, corr)
        return operation, dict(corr)

    def process(self, body: bytes, content_type: str, peer: PeerIdentity | None, now: datetime) -> Outcome:
        checks: list[rules.Check] = []
        if "application/soap+xml" not in content_type.lower():
            checks.append(
                rules.Check(
                    "INSI-HTTP-01",
                    "error",
                    "Content-Type SOAP 1.2 attendu : application/soap+xml.",
                    evidence=content_type,
                )
            )
        try:
            env = soap.parse_envelope(body, max_bytes=MAX_BODY)
        except soap.SoapParseError as exc:
            checks.append(rules.Check("INSI-SOAP-01", "error", f"Enveloppe refusée : {exc.fault.reason}"))
            return soap_fault_outcome(exc.fault, checks)
        mid = env.message_id
        corr: dict[str, str] = {"message_id": mid} if mid else {}
        not_understood = env.not_understood(UNDERSTOOD)
        if not_understood:
            checks.append(
                rules.Check(
                    "INSI-SOAP-02",
                    "error",
                    "En-tête mustUnderstand non pris en charge.",
                    evidence=", ".join(not_understood),
                )
            )
            return soap_fault_outcome(soap.must_understand_fault(not_understood), checks, mid)

        marker = env.header_block(NS_BENCH, "InsAVerifier")
        operation = rules.operation_for(env.action, env.body_child, marker is not None)
        checks += rules.check_addressing(env.action, mid, env.body_child)

        def refuse(check: rules.Check) -> Outcome:
            if check.rule == "INSI-WSA-02":  # unknown action: the standard WS-Addressing fault
                fault = soap.SoapFault("Sender", check.message, [f"{{{soap.NS_WSA}}}ActionNotSupported"])
                return soap_fault_outcome(fault, checks, mid)
            return fault_outcome(
                check.reject or errors.INVALID_DATA,
                check.message,
                message_id=mid,
                operation=operation,
                checks=checks,
                correlation=corr,
            )

        if (rejected := rules.first_rejection(checks)) is not None:
            return refuse(rejected)

        # Authentication: an assertion means CPx mode (the CN rule is then skipped).
        security = env.header_block(soap.NS_WSSE, "Security")
        assertion = rules.find_assertion(security)
        if assertion is not None and self.trust is not None:
            cpx = rules.check_assertion(assertion, self.trust.roots, self.trust.personnes, now, peer)
            checks += cpx.checks
            corr["auth"] = "CPx"
            if cpx.id_nat_ps:
                corr["ps"] = cpx.id_nat_ps
        elif self.trust is not None:
            checks += rules.check_certificate(peer, self.trust.organisations)
            checks += rules.check_security_header(security, cpx=False)
            if peer is not None and peer.common_name:
                corr["auth"] = peer.common_name
        if (rejected := rules.first_rejection(checks)) is not None:
            return refuse(rejected)

        lps = env.header_block(NS_CTXLPS, "ContexteLPS")
        checks += rules.check_contexte_lps(lps, now)
        if (rejected := rules.first_rejection(checks)) is not None:
            return refuse(rejected)
        assert lps is not None  # check_contexte_lps refuses a missing context
        idam = rules.idam_of(lps) or ""
        corr["idam"] = idam
        checks += rules.check_software(lps, self.backend.software(idam))
        if (rejected := rules.first_rejection(checks)) is not None:
            return refuse(rejected)

        assert operation is not None and env.body_child is not None  # check_addressing refuses otherwise
        checks += rules.check_contexte_bam(
            env.header_block(NS_CTXBAM, "ContexteBAM"), operation, env.body_child, now
        )
        result, extra = self._search(operation, env.body_child, marker, corr)
        checks += extra
        if (rejected := rules.first_rejection(checks)) is not None:
            return refuse(rejected)
        assert result is not None
        corr["code_cr"] = result.code
        if result.matricule:
            corr["ins"] = result.matricule
        if result.code == "01" and self.backend.switches.cr01_as_fault:
            return fault_outcome(
                errors.NOT_FOUND, None, message_id=mid, operation=operation, checks=checks, correlation=corr
            )
        headers = soap.wsa_headers(response_action(operation), relates_to=mid)
        envelope = soap.Envelope(headers, encode_resultat(result))
        return Outcome(200, envelope.to_bytes(), operation, corr, checks)

    def _search(
        self, operation: str, body: etree._Element, marker: etree._Element | None, corr: dict[str, str]
    ) -> tuple[SearchResult | None, list[rules.Check]]:
        if operation == OP_VITALE:
            checks = rules.check_vitale(body)
            if rules.first_rejection(checks):
                return None, checks
            vq = decode_vitale(body)
            corr.setdefault("ins", vq.beneficiary_num or vq.insured_num)
            return self.backend.search_vitale(vq), checks
        checks = rules.check_traits_schema(body)
        if rules.first_rejection(checks):
            return None, checks
        query = decode_traits(body)
        checks += rules.check_traits(query)
        if rules.first_rejection(checks):
            return None, checks
        if operation == OP_VERIFY:
            matricule = (marker.text or "").strip() if marker is not None else None
            if matricule:
                corr["ins"] = matricule
            verification = self.backend.verify(query, matricule or None)
            corr["verification"] = verification.status
            return verification.search, checks + rules.verification_checks(verification)
        assert operation == OP_TRAITS
        return self.backend.search_traits(query), checks


def wsdl_response(url: str, query: str) -> tuple[int, bytes, str]:
    """GET /lps?wsdl and /lps?xsd=NAME (so a toolkit can load the description from the listener)."""
    params = dict(p.partition("=")[::2] for p in query.split("&") if p)
    if "wsdl" in {k.lower() for k in params}:
        return 200, schemas.wsdl_text(url), "text/xml; charset=utf-8"
    name = params.get("xsd")
    if name:
        text = schemas.xsd_text(name)
        if text is not None:
            return 200, text, "text/xml; charset=utf-8"
    return 404, b"Ressource inconnue : utilisez ?wsdl.", "text/plain; charset=utf-8"


def as_raw(outcome: Outcome) -> RawResponse:
    from simulators.core.raw import RawResponse

    return RawResponse(outcome.status, outcome.body, outcome.content_type)


def build_app(service: Any) -> Any:
    """The ASGI app of the national listener (POST/GET on the base path only)."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    from simulators.core import exchange

    base_path: str = service.descriptor.base_path

    async def lps(request: Request) -> Response:
        if request.method == "GET":
            url = str(request.url.replace(query=""))
            status, body, ctype = wsdl_response(url, request.url.query)
            return Response(body, status, media_type=ctype.split(";")[0])
        ex = exchange.current(request)
        data = await request.body()
        outcome = service.handle(data, request.headers.get("content-type", ""), ex.peer)
        if outcome.operation:
            ex.operation = outcome.operation
        ex.correlation.update(outcome.correlation)
        ex.findings.extend(c.finding() for c in outcome.checks)
        return Response(outcome.body, outcome.status, headers={"content-type": outcome.content_type})

    return Starlette(routes=[Route(base_path, lps, methods=["GET", "POST"])])
