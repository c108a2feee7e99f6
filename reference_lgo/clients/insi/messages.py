"""INSi request messages built by the LGO itself (lxml + protocols.soap): the RECSANSVITALE and
RECVITALE bodies, the ContexteLPS / ContexteBAM header blocks and the SOAP 1.2 envelope.

Facts: spec digest `insi-dmp-cda-dp.md` §1.1 (namespaces, actions), §1.3 (header blocks), §1.5
(bodies) and appendix 7bis A/B (element order).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from lxml import etree

from protocols import soap

NS_RECSANS = "http://www.cnamts.fr/INSiRecSans"
NS_RECVIT = "http://www.cnamts.fr/INSiRecVit"
NS_RESULTAT = "http://www.cnamts.fr/INSiResultat"
NS_CTXLPS = "urn:siram:lps:ctxlps"
NS_CTXBAM = "urn:siram:bam:ctxbam"
NS_SIRAM = "urn:siram"

ACTION_PREFIX = "urn:ServiceIdentiteCertifiee:1.0.0:"
OP_TRAITS = "rechercherInsAvecTraitsIdentite"
OP_VITALE = "rechercherInsAvecCarteVitale"
CTX_LPS_VERSION = "01_00"
CTX_BAM_VERSION = "01_02"
IDAM_R = "4"  # ContexteLPS/LPS/IDAM@R: the CNDA authorisation number
# Bench extension (simulator contract): names the INS a traits search verifies, so the simulator
# journals a "verifierIns" operation. Never mustUnderstand: a real INSi ignores it. Opt-in only.
NS_BENCH = "urn:segur-bench:insi:1"


def action_of(operation: str) -> str:
    return ACTION_PREFIX + operation


def response_action_of(operation: str) -> str:
    return ACTION_PREFIX + operation + "Response"


def format_time(at: datetime) -> str:
    """xs:dateTime in UTC, second precision, `Z` suffix."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class LpsSoftware:
    """What ContexteLPS says about the software: CNDA number (IDAM), name, version, installation."""

    idam: str
    name: str
    version: str
    instance: str  # uuid or OID of this installation

    @property
    def nom(self) -> str:
        return f"urn:lps:{self.name}:{self.version}"


@dataclass(frozen=True)
class TraitsQuery:
    """One RECSANSVITALE call. `first_names` holds the `Prenom` texts as sent: usually one first name,
    or the whole space-separated list as a single text (§1.8)."""

    birth_name: str
    first_names: tuple[str, ...]
    sex: str
    birth_date: str
    birth_place: str | None = None

    @property
    def prenom(self) -> str:
        return " ".join(self.first_names)


@dataclass(frozen=True)
class VitaleQuery:
    """One RECVITALE call, from a beneficiary read on the carte Vitale (already checked)."""

    insured_num: str  # ouvrant droit: 13 characters
    birth_date: str  # YYYY-MM-DD, lunar allowed
    rang: int
    insured_key: str | None = None
    beneficiary_num: str | None = None  # the beneficiary's own NIR when the card holds it
    beneficiary_key: str | None = None
    birth_name: str | None = None


def _el(parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
    el = etree.SubElement(parent, tag)
    if text is not None:
        el.text = text
    return el


def traits_body(query: TraitsQuery) -> etree._Element:
    q = f"{{{NS_RECSANS}}}"
    body = etree.Element(q + "RECSANSVITALE", nsmap={None: NS_RECSANS})
    _el(body, q + "NomNaissance", query.birth_name)
    for prenom in query.first_names:
        _el(body, q + "Prenom", prenom)
    _el(body, q + "Sexe", query.sex)
    _el(body, q + "DateNaissance", query.birth_date)
    if query.birth_place:
        _el(body, q + "LieuNaissance", query.birth_place)
    return body


def _matricule(parent: etree._Element, tag: str, num: str, key: str | None) -> None:
    q = f"{{{NS_RECVIT}}}"
    el = _el(parent, q + tag)
    _el(el, q + "NumIdentifiant", num)
    if key:
        _el(el, q + "Cle", key)


def vitale_body(query: VitaleQuery) -> etree._Element:
    q = f"{{{NS_RECVIT}}}"
    body = etree.Element(q + "RECVITALE", nsmap={None: NS_RECVIT})
    if query.beneficiary_num:
        _matricule(body, "MatriculeIndividu", query.beneficiary_num, query.beneficiary_key)
    _matricule(body, "MatriculeOD", query.insured_num, query.insured_key)
    if query.birth_name:
        _el(body, q + "NomNaissance", query.birth_name)
    _el(body, q + "DateNaissance", query.birth_date)
    _el(body, q + "RangNaissance", str(query.rang))
    return body


def contexte_lps(software: LpsSoftware, emitter: str, now: datetime) -> etree._Element:
    q = f"{{{NS_CTXLPS}}}"
    ctx = etree.Element(
        q + "ContexteLPS", nsmap={"ctxlps": NS_CTXLPS}, Nature="CTXLPS", Version=CTX_LPS_VERSION
    )
    _el(ctx, q + "Id", str(uuid.uuid4()))
    _el(ctx, q + "Temps", format_time(now))
    _el(ctx, q + "Emetteur", emitter)
    lps = _el(ctx, q + "LPS")
    _el(lps, q + "IDAM", software.idam).set("R", IDAM_R)
    _el(lps, q + "Version", software.version)
    _el(lps, q + "Instance", software.instance)
    _el(lps, q + "Nom", software.nom)
    return ctx


def _numero(parent: etree._Element, tag: str, num: str, key: str | None) -> None:
    q = f"{{{NS_CTXBAM}}}"
    el = _el(parent, q + tag)
    _el(el, q + "Num", num)
    if key:
        _el(el, q + "Cle", key)


def contexte_bam(emitter: str, now: datetime, vitale: VitaleQuery | None = None) -> etree._Element:
    """COUVERTURE is present and empty for a traits search; it repeats the card's keys for a Vitale
    search (ASSURE/Id, BENEFICIAIRE/Nir, DateNai, Rang)."""
    q = f"{{{NS_CTXBAM}}}"
    ctx = etree.Element(q + "ContexteBAM", nsmap={"ctxbam": NS_CTXBAM}, Version=CTX_BAM_VERSION)
    _el(ctx, q + "Id", str(uuid.uuid4()))
    _el(ctx, q + "Temps", format_time(now))
    _el(ctx, q + "Emetteur", emitter)
    couverture = _el(ctx, q + "COUVERTURE")
    if vitale is not None:
        _numero(_el(couverture, q + "ASSURE"), "Id", vitale.insured_num, vitale.insured_key)
        beneficiaire = _el(couverture, q + "BENEFICIAIRE")
        if vitale.beneficiary_num:
            _numero(beneficiaire, "Nir", vitale.beneficiary_num, vitale.beneficiary_key)
        _el(beneficiaire, q + "DateNai", vitale.birth_date)
        _el(beneficiaire, q + "Rang", str(vitale.rang))
    return ctx


def security_header(assertion: etree._Element) -> etree._Element:
    """wsse:Security carrying the signed PS assertion (CPx mode). Certificate mode sends none."""
    security = etree.Element(f"{{{soap.NS_WSSE}}}Security", nsmap={"wsse": soap.NS_WSSE})
    security.append(assertion)
    return security


def verification_marker(matricule: str) -> etree._Element:
    el = etree.Element(f"{{{NS_BENCH}}}InsAVerifier", nsmap={"bench": NS_BENCH})
    el.text = matricule
    return el


def build_request(
    operation: str,
    body: etree._Element,
    *,
    software: LpsSoftware,
    emitter: str,
    now: datetime,
    message_id: str,
    coverage: VitaleQuery | None = None,
    assertion: etree._Element | None = None,
    extra_headers: Sequence[etree._Element] = (),
) -> bytes:
    """The whole SOAP 1.2 envelope, in the header order of appendix 7bis A. `coverage` fills
    ContexteBAM/COUVERTURE (Vitale search); without it COUVERTURE is empty (traits search)."""
    headers: list[etree._Element] = []
    if assertion is not None:
        headers.append(security_header(assertion))
    headers += soap.wsa_headers(action_of(operation), message_id=message_id)
    headers.append(contexte_bam(emitter, now, coverage))
    headers.append(contexte_lps(software, emitter, now))
    headers += list(extra_headers)
    return soap.Envelope(headers, body).to_bytes()
