"""The LGO's INSi client: one call = build the request, send it over mutual TLS with the right
credential (INSI-MANU for a user's action, INSI-AUTO for unattended work, or CPx with a signed PS
assertion), read the answer, and keep an `InsiExchange` whatever happens."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal, NoReturn

from cryptography import x509
from lxml import etree

from protocols import saml, soap, xmldsig
from protocols.identifiers import IdentifierError, nir_key, validate_num_identifiant
from protocols.pki import id_nat_ps_of
from reference_lgo.clients.insi.errors import InsiError, InsiFault, InsiRequestRefused, InsiUnavailable
from reference_lgo.clients.insi.exchange import InsiExchange, Purpose
from reference_lgo.clients.insi.messages import (
    OP_TRAITS,
    OP_VITALE,
    LpsSoftware,
    TraitsQuery,
    VitaleQuery,
    action_of,
    build_request,
    traits_body,
    verification_marker,
    vitale_body,
)
from reference_lgo.clients.insi.results import InsiResult, parse_answer
from reference_lgo.clients.insi.search import SearchOutcome, Verdict, run_traits_search, verification_verdict
from reference_lgo.clients.insi.transport import HttpxTransport, InsiTransport, TlsCredential
from reference_lgo.domain.identity_traits import StrictTraits, TraitsError, card_birth_date, fold

# Signs a PS assertion element and returns the signed copy (a CPS card through PSO CDS behind
# protocols.xmldsig.CallbackRSAKey, or a software key in tests).
PsAssertionSigner = Callable[[etree._Element], etree._Element]
# NameQualifier of the PS national identifier (IdNatPS), the ASIP-Santé OID used across CI-SIS.
ID_NAT_PS_QUALIFIER = "1.2.250.1.71.4.2.1"


def key_signer(key: xmldsig.SigningKey, chain: list[x509.Certificate]) -> PsAssertionSigner:
    """A signer from a key (software key, or CallbackRSAKey backed by the card) and its chain."""
    return lambda assertion: saml.sign_assertion(assertion, key, chain)


@dataclass(frozen=True)
class CpxAuth:
    """CPx mode: TLS with the professional's exported authentication key (Python's ssl cannot use a
    key held on a card) and a PS assertion signed on the card in wsse:Security (digest §1.2, §1.4)."""

    tls: TlsCredential
    signer: PsAssertionSigner
    issuer: str  # subject DN of the signing certificate
    id_nat_ps: str
    identifiant_facturation: str
    code_specialite_amo: str
    secteur_activite: str
    name_qualifier: str = ID_NAT_PS_QUALIFIER
    lifetime: timedelta = timedelta(minutes=5)

    @classmethod
    def from_certificate(
        cls,
        signing_certificate: x509.Certificate,
        *,
        tls: TlsCredential,
        signer: PsAssertionSigner,
        identifiant_facturation: str,
        code_specialite_amo: str,
        secteur_activite: str,
    ) -> CpxAuth:
        id_nat_ps = id_nat_ps_of(signing_certificate)
        if not id_nat_ps:
            raise InsiRequestRefused("Le certificat de signature ne porte pas d'identifiant national de PS.")
        return cls(
            tls=tls,
            signer=signer,
            issuer=saml.subject_dn(signing_certificate),
            id_nat_ps=id_nat_ps,
            identifiant_facturation=identifiant_facturation,
            code_specialite_amo=code_specialite_amo,
            secteur_activite=secteur_activite,
        )

    def signed_assertion(self, now: datetime) -> etree._Element:
        assertion = saml.PsAssertion(
            issuer=self.issuer,
            name_id=self.id_nat_ps,
            name_qualifier=self.name_qualifier,
            identifiant_facturation=self.identifiant_facturation,
            code_specialite_amo=self.code_specialite_amo,
            secteur_activite=self.secteur_activite,
            issue_instant=now.replace(microsecond=0),
            not_before=now.replace(microsecond=0),
            not_on_or_after=now.replace(microsecond=0) + self.lifetime,
        )
        return self.signer(assertion.build())


Auth = Literal["manu", "auto"] | CpxAuth


@dataclass(frozen=True)
class InsiSettings:
    endpoint: str  # https://localhost:7001/lps
    ca_chain_pem: Path  # root then intermediates: whom to trust as the INSi server
    manu: TlsCredential  # CN INSI-MANU: calls triggered by a user
    auto: TlsCredential  # CN INSI-AUTO: unattended calls (batch verification...)
    software: LpsSoftware
    emitter: str  # ContexteLPS/ContexteBAM Emetteur (the pharmacy's IdNatStruct, or the PS id)
    timeout_s: float = 15.0
    # Fault codes some qualification platforms use for "not found" (digest §1.6); read as CR 01.
    not_found_fault_codes: frozenset[str] = field(default_factory=frozenset)
    # Bench extension: send the verified INS in a header so the simulator names the operation.
    verification_marker: bool = False

    @classmethod
    def from_pki_export(
        cls,
        directory: Path,
        *,
        endpoint: str,
        software: LpsSoftware,
        emitter: str,
        timeout_s: float = 15.0,
        not_found_fault_codes: frozenset[str] = frozenset(),
        verification_marker: bool = False,
    ) -> InsiSettings:
        """Settings from a `segur-bench pki export DIR` layout (ca/chain.pem, clients/insi-*.chain.pem)."""
        clients = directory / "clients"
        return cls(
            endpoint=endpoint,
            ca_chain_pem=directory / "ca" / "chain.pem",
            manu=TlsCredential("INSI-MANU", clients / "insi-manu.chain.pem", clients / "insi-manu.key"),
            auto=TlsCredential("INSI-AUTO", clients / "insi-auto.chain.pem", clients / "insi-auto.key"),
            software=software,
            emitter=emitter,
            timeout_s=timeout_s,
            not_found_fault_codes=not_found_fault_codes,
            verification_marker=verification_marker,
        )


@dataclass(frozen=True)
class VitaleBeneficiary:
    """The keys of one beneficiary read from the carte Vitale (the operator picked them)."""

    insured_matricule: str  # ouvrant droit: 13 characters, or 15 with the key
    birth_date: str  # YYYYMMDD as on the card (tag 82) or YYYY-MM-DD; lunar dates allowed
    rang: int = 1  # rang gémellaire
    nir: str | None = None  # the beneficiary's own NIR when the card holds it
    birth_name: str | None = None


@dataclass(frozen=True)
class VerificationOutcome:
    verdict: Verdict
    search: SearchOutcome

    @property
    def ok(self) -> bool:
        return self.verdict.ok

    @property
    def message(self) -> str:
        return self.verdict.message


@dataclass(frozen=True)
class _Pending:
    """The request side of an exchange, known before the answer."""

    operation: str
    action: str
    purpose: Purpose
    credential: str
    message_id: str
    request: bytes
    started_at: datetime


def _utc_now() -> datetime:
    return datetime.now(UTC)


class InsiClient:
    """One per LGO process (it pools TLS connections). `on_exchange` receives every exchange as
    soon as it ends (journal it there; it must not raise)."""

    def __init__(
        self,
        settings: InsiSettings,
        *,
        transport: InsiTransport | None = None,
        clock: Callable[[], datetime] = _utc_now,
        on_exchange: Callable[[InsiExchange], None] | None = None,
    ) -> None:
        self.settings = settings
        self.transport = transport or HttpxTransport(
            settings.endpoint, settings.ca_chain_pem, timeout_s=settings.timeout_s
        )
        self.clock = clock
        self.on_exchange = on_exchange

    def close(self) -> None:
        self.transport.close()

    # --- one call ----------------------------------------------------------------------------

    def _credential(self, auth: Auth) -> tuple[TlsCredential, str]:
        if isinstance(auth, CpxAuth):
            return auth.tls, f"CPx {auth.id_nat_ps}"
        if auth == "manu":
            return self.settings.manu, self.settings.manu.label
        if auth == "auto":
            return self.settings.auto, self.settings.auto.label
        raise ValueError(f"mode d'authentification INSi inconnu : {auth!r}")

    def call(
        self,
        operation: str,
        body: etree._Element,
        *,
        auth: Auth,
        purpose: Purpose,
        coverage: VitaleQuery | None = None,
        verified_matricule: str | None = None,
    ) -> tuple[InsiResult, InsiExchange]:
        """One INSi request. Raises InsiFault / InsiUnavailable with `.exchanges` = [this exchange]."""
        credential, credential_label = self._credential(auth)
        now = self.clock()
        message_id = soap.new_message_id()
        extra = []
        if verified_matricule and self.settings.verification_marker:
            extra.append(verification_marker(verified_matricule))
        try:
            assertion = auth.signed_assertion(now) if isinstance(auth, CpxAuth) else None
        except Exception as exc:  # a card error must reach the user as a clear refusal, not a trace
            raise InsiRequestRefused(f"Signature de l'assertion CPS impossible : {exc}") from exc
        request = build_request(
            operation,
            body,
            software=self.settings.software,
            emitter=self.settings.emitter,
            now=now,
            message_id=message_id,
            coverage=coverage,
            assertion=assertion,
            extra_headers=extra,
        )
        action = action_of(operation)
        record = _Pending(operation, action, purpose, credential_label, message_id, request, now)
        try:
            answer = self.transport.post(credential, request, action)
        except InsiUnavailable as exc:
            self._fail(exc, record, None, None)
        try:
            result = parse_answer(answer.status, answer.body, message_id=message_id)
        except InsiFault as exc:
            if exc.code in self.settings.not_found_fault_codes:
                result = InsiResult("01", "Aucune identite trouvee")
                exchange = self._record(record, answer.body, answer.status, result, fault_code=exc.code)
                return result, exchange
            self._fail(exc, record, answer.body, answer.status, fault_code=exc.code)
        except InsiUnavailable as exc:
            self._fail(exc, record, answer.body, answer.status)
        return result, self._record(record, answer.body, answer.status, result)

    def _record(
        self,
        record: _Pending,
        response: bytes | None,
        status: int | None,
        result: InsiResult | None,
        *,
        fault_code: str | None = None,
        error: str | None = None,
    ) -> InsiExchange:
        exchange = InsiExchange(
            id=str(uuid.uuid4()),
            operation=record.operation,
            action=record.action,
            purpose=record.purpose,
            credential=record.credential,
            endpoint=self.transport.endpoint,
            message_id=record.message_id,
            started_at=record.started_at,
            request=record.request,
            ended_at=self.clock(),
            response=response,
            http_status=status,
            code_cr=result.code if result else None,
            libelle_cr=result.label if result else None,
            returned_ins=result.identity.matricule if result and result.identity else None,
            fault_code=fault_code,
            error=error,
        )
        if self.on_exchange is not None:
            self.on_exchange(exchange)
        return exchange

    def _fail(
        self,
        exc: InsiError,
        record: _Pending,
        response: bytes | None,
        status: int | None,
        *,
        fault_code: str | None = None,
    ) -> NoReturn:
        exchange = self._record(record, response, status, None, fault_code=fault_code, error=exc.user_message)
        exc.exchanges = [exchange]
        raise exc

    # --- searches ----------------------------------------------------------------------------

    def _ins_traits(self, traits: StrictTraits) -> StrictTraits:
        try:
            return traits.in_ins_form(today=self.clock().date())
        except TraitsError as exc:
            raise InsiRequestRefused(f"Recherche INSi impossible : {exc}", exc.problems) from None

    def _traits_search(
        self, traits: StrictTraits, auth: Auth, purpose: Purpose, verified: str | None = None
    ) -> SearchOutcome:
        checked = self._ins_traits(traits)
        exchanges: list[InsiExchange] = []
        queries: list[TraitsQuery] = []

        def one(query: TraitsQuery) -> InsiResult:
            queries.append(query)
            try:
                result, exchange = self.call(
                    OP_TRAITS, traits_body(query), auth=auth, purpose=purpose, verified_matricule=verified
                )
            except InsiError as exc:
                exc.exchanges = [*exchanges, *exc.exchanges]
                raise
            exchanges.append(exchange)
            return result

        result = run_traits_search(checked, one)
        return SearchOutcome(result, tuple(exchanges), tuple(queries))

    def search_traits(self, traits: StrictTraits, *, auth: Auth = "manu") -> SearchOutcome:
        """The §1.8 traits search (récupération). Invalid traits raise InsiRequestRefused before any
        call; a fault or an outage raises with `.exchanges` holding every exchange made."""
        return self._traits_search(traits, auth, "recuperation")

    def search_vitale(self, beneficiary: VitaleBeneficiary, *, auth: Auth = "manu") -> SearchOutcome:
        """rechercherInsAvecCarteVitale for one beneficiary chosen on the card."""
        query = vitale_query(beneficiary)
        result, exchange = self.call(
            OP_VITALE, vitale_body(query), auth=auth, purpose="recuperation", coverage=query
        )
        return SearchOutcome(result, (exchange,), (query,))

    def verify(
        self, traits: StrictTraits, *, matricule: str, oid: str, auth: Auth = "auto"
    ) -> VerificationOutcome:
        """Vérification: a traits search whose answer is compared with the INS the LGO holds."""
        search = self._traits_search(traits, auth, "verification", verified=matricule)
        held = self._ins_traits(traits)
        return VerificationOutcome(
            verification_verdict(search.result, matricule=matricule, oid=oid, traits=held), search
        )


def _split_nir(value: str, label: str) -> tuple[str, str | None]:
    text = value.replace(" ", "").upper()
    try:
        if len(text) == 15:
            num13, key = validate_num_identifiant(text[:13]), text[13:]
            if key != nir_key(num13):
                raise InsiRequestRefused(
                    f"{label} : clé {key} incorrecte pour {num13} (clé calculée {nir_key(num13)}).",
                    {label: key},
                )
            return num13, key
        return validate_num_identifiant(text), None
    except IdentifierError as exc:
        raise InsiRequestRefused(f"{label} lu sur la carte Vitale invalide : {exc}", {label: value}) from None


def vitale_query(beneficiary: VitaleBeneficiary) -> VitaleQuery:
    """Checks the card data and builds the RECVITALE query (InsiRequestRefused on bad data)."""
    insured, insured_key = _split_nir(beneficiary.insured_matricule, "Matricule de l'assuré")
    own, own_key = _split_nir(beneficiary.nir, "NIR du bénéficiaire") if beneficiary.nir else (None, None)
    try:
        birth_date = card_birth_date(beneficiary.birth_date)
    except TraitsError as exc:
        raise InsiRequestRefused(f"Carte Vitale : {exc}", exc.problems) from None
    if not 1 <= beneficiary.rang <= 99:
        raise InsiRequestRefused(f"Carte Vitale : rang de naissance {beneficiary.rang} invalide (1 à 99).")
    name = fold(beneficiary.birth_name) if beneficiary.birth_name else None
    return VitaleQuery(
        insured_num=insured,
        insured_key=insured_key,
        birth_date=birth_date,
        rang=beneficiary.rang,
        beneficiary_num=own,
        beneficiary_key=own_key,
        birth_name=name or None,
    )
