"""INSi conformance checks, written from the spec digest (§1.2 to §1.6, §1.12): WS-Addressing,
ContexteLPS / ContexteBAM, the certificate CN rule, the CPx assertion, the format of the traits.

Each check returns `Check`s: a finding (rule id, severity, requirement ids, French message,
evidence) and, for the checks that refuse the call, the fault code to answer with.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Literal

from cryptography import x509
from lxml import etree

from protocols import xmldsig
from protocols.identifiers import is_valid_ins_matricule
from protocols.pki.profiles import id_nat_ps_of
from simulators.insi import errors, schemas
from simulators.insi.codec import (
    ACTIONS,
    ASSERTION,
    BODY_OPERATION,
    NS_CTXBAM,
    NS_CTXLPS,
    NS_RECVIT,
    NS_SAML,
    OP_TRAITS,
    OP_VERIFY,
    OP_VITALE,
    child_text,
)
from simulators.insi.models import Software, TraitsQuery, VerificationResult, normalise_trait

if TYPE_CHECKING:
    from simulators.core.findings import Finding
    from simulators.core.peer import PeerIdentity

Severity = Literal["error", "warning", "info"]
REQ_INSI = "W1-INS-22"  # INSi called per the integration guide (CPx, Vitale and traits searches)
REQ_VERIF = "W1-INS-20"  # verification calls and results
CN_ALLOWED = ("INSI-AUTO", "INSI-MANU")
CTX_LPS_VERSION = "01_00"
CTX_BAM_VERSION = "01_02"
CLOCK_SKEW = timedelta(minutes=5)
ASSERTION_MAX_AGE = timedelta(hours=12)
ASSERTION_ATTRIBUTES = ("identifiantFacturation", "codeSpecialiteAMO", "secteurActivite")
X509_SUBJECT_FORMAT = "urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName"

# Référentiel INS character set, once the request is in comparison form (digest §1.5).
_NAME_CHARS = re.compile(r"^[A-Z]+(?:(?:[-' ]|--)[A-Z]+)*$")
_UUID_TEXT = re.compile(
    r"^(?:uuid:|urn:uuid:)?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
)


@dataclass(frozen=True)
class Check:
    rule: str
    severity: Severity
    message: str
    requirement_ids: tuple[str, ...] = (REQ_INSI,)
    evidence: str | None = None
    reject: str | None = None  # fault code (errors.*) when this check refuses the call

    def finding(self) -> Finding:
        from simulators.core.findings import Finding

        return Finding(self.rule, self.severity, list(self.requirement_ids), self.message, self.evidence)


def first_rejection(checks: Iterable[Check]) -> Check | None:
    return next((c for c in checks if c.reject), None)


def _reject(rule: str, message: str, evidence: str | None = None, code: str = errors.INVALID_DATA) -> Check:
    return Check(rule, "error", message, evidence=evidence, reject=code)


# ---- WS-Addressing -------------------------------------------------------------------------------


def operation_for(action: str | None, body: etree._Element | None, verification_marker: bool) -> str | None:
    """The logical operation: the action when it is one of ours, else the body element."""
    op = ACTIONS.get(action or "")
    if op is None and body is not None:
        op = BODY_OPERATION.get(body.tag)
    if op == OP_TRAITS and verification_marker:
        return OP_VERIFY
    return op


def check_addressing(action: str | None, message_id: str | None, body: etree._Element | None) -> list[Check]:
    """WS-Addressing headers and their agreement with the body (an unknown action is reported first:
    the WS-Addressing fault ActionNotSupported is then the answer)."""
    out: list[Check] = []
    body_op = BODY_OPERATION.get(body.tag) if body is not None else None
    if not action:
        out.append(
            Check("INSI-WSA-01", "error", "En-tête WS-Addressing wsa:Action absent.", evidence="wsa:Action")
        )
    elif action not in ACTIONS:
        out.append(
            _reject("INSI-WSA-02", f"Action WS-Addressing non prise en charge : « {action} ».", action)
        )
    elif body_op is not None:
        action_op = ACTIONS[action]
        expected = OP_TRAITS if action_op == OP_VERIFY else action_op
        if expected != body_op:
            out.append(
                _reject(
                    "INSI-WSA-03",
                    "L'action WS-Addressing ne correspond pas au corps du message.",
                    f"{action} / {etree.QName(body).localname if body is not None else ''}",
                )
            )
    if body_op is None:
        found = etree.QName(body).text if body is not None else "(vide)"
        out.append(_reject("INSI-BODY-01", "Le corps SOAP doit contenir RECSANSVITALE ou RECVITALE.", found))
    if not message_id:
        out.append(
            Check(
                "INSI-WSA-04",
                "error",
                "En-tête WS-Addressing wsa:MessageID absent.",
                evidence="wsa:MessageID",
            )
        )
    elif not _UUID_TEXT.match(message_id):
        out.append(
            Check(
                "INSI-WSA-05",
                "warning",
                "wsa:MessageID devrait être de la forme uuid:<UUID>.",
                evidence=message_id,
            )
        )
    return out


# ---- contexts ------------------------------------------------------------------------------------


def _schema_check(rule: str, element: etree._Element, label: str, reject: bool) -> list[Check]:
    problems = schemas.errors(element)
    if not problems:
        return []
    message = f"{label} non conforme au schéma."
    if reject:
        return [_reject(rule, message, "; ".join(problems[:3]))]
    return [Check(rule, "error", message, evidence="; ".join(problems[:3]))]


def _temps_check(rule: str, element: etree._Element, ns: str, label: str, now: datetime) -> list[Check]:
    text = child_text(element, ns, "Temps")
    try:
        at = datetime.fromisoformat((text or "").replace("Z", "+00:00"))
    except ValueError:
        return []  # already reported by the schema check
    if at.tzinfo is None:
        return [
            Check(rule, "warning", f"{label}/Temps devrait être exprimé en UTC (suffixe Z).", evidence=text)
        ]
    if abs(at - now) > CLOCK_SKEW:
        return [
            Check(
                rule,
                "warning",
                f"{label}/Temps s'écarte de plus de 5 minutes de l'heure du service.",
                evidence=text,
            )
        ]
    return []


def check_contexte_lps(ctx: etree._Element | None, now: datetime) -> list[Check]:
    """ContexteLPS: present and valid (else the call is refused), Nature/Version, IDAM@R, LPS fields."""
    if ctx is None:
        return [
            _reject(
                "INSI-CTX-01",
                "En-tête ctxlps:ContexteLPS absent : le logiciel n'est pas identifié.",
                "ctxlps:ContexteLPS",
            )
        ]
    out = _schema_check("INSI-CTX-02", ctx, "ctxlps:ContexteLPS", reject=True)
    if out:
        return out
    if ctx.get("Nature") != "CTXLPS" or ctx.get("Version") != CTX_LPS_VERSION:
        out.append(
            Check(
                "INSI-CTX-03",
                "error",
                f'ContexteLPS doit porter Nature="CTXLPS" et Version="{CTX_LPS_VERSION}".',
                evidence=f"Nature={ctx.get('Nature')} Version={ctx.get('Version')}",
            )
        )
    idam = ctx.find(f"{{{NS_CTXLPS}}}LPS/{{{NS_CTXLPS}}}IDAM")
    if idam is not None and idam.get("R") != "4":
        out.append(
            Check("INSI-CTX-04", "warning", 'LPS/IDAM doit porter l\'attribut R="4".', evidence=idam.get("R"))
        )
    for field in ("Version", "Instance", "Nom"):
        if not child_text(ctx, NS_CTXLPS, "LPS", field):
            out.append(
                Check(
                    "INSI-CTX-05",
                    "warning",
                    f"ContexteLPS : LPS/{field} absent ou vide.",
                    evidence=f"LPS/{field}",
                )
            )
    if not child_text(ctx, NS_CTXLPS, "Emetteur"):
        out.append(
            Check("INSI-CTX-06", "warning", "ContexteLPS : Emetteur absent ou vide.", evidence="Emetteur")
        )
    out += _temps_check("INSI-CTX-07", ctx, NS_CTXLPS, "ContexteLPS", now)
    return out


def idam_of(ctx: etree._Element | None) -> str | None:
    return child_text(ctx, NS_CTXLPS, "LPS", "IDAM")


def check_software(ctx: etree._Element, registered: Software | None) -> list[Check]:
    """The IDAM must be a homologated software (else siram_100 / desir_550); name and version should match."""
    idam = idam_of(ctx) or ""
    if registered is None:
        return [
            _reject(
                "INSI-CTX-08",
                f"Numéro d'autorisation (IDAM) inconnu : « {idam} ».",
                idam,
                code=errors.UNKNOWN_IDAM,
            )
        ]
    out: list[Check] = []
    version = child_text(ctx, NS_CTXLPS, "LPS", "Version") or ""
    nom = child_text(ctx, NS_CTXLPS, "LPS", "Nom") or ""
    if registered.version and version and version != registered.version:
        out.append(
            Check(
                "INSI-CTX-09",
                "warning",
                f"Version du logiciel « {version} » différente de la version homologuée « {registered.version} ».",
                evidence=version,
            )
        )
    if registered.name and nom and registered.name.lower() not in nom.lower():
        out.append(
            Check(
                "INSI-CTX-09",
                "warning",
                f"Nom du logiciel « {nom} » différent du logiciel homologué « {registered.name} ».",
                evidence=nom,
            )
        )
    return out


def check_contexte_bam(
    ctx: etree._Element | None, operation: str, body: etree._Element | None, now: datetime
) -> list[Check]:
    """ContexteBAM: present, valid, Version 01_02; COUVERTURE empty for a traits search, consistent
    with RECVITALE for a Vitale search."""
    if ctx is None:
        return [
            Check("INSI-BAM-01", "error", "En-tête ctxbam:ContexteBAM absent.", evidence="ctxbam:ContexteBAM")
        ]
    out = _schema_check("INSI-BAM-02", ctx, "ctxbam:ContexteBAM", reject=False)
    if out:
        return out
    if ctx.get("Version") != CTX_BAM_VERSION:
        out.append(
            Check(
                "INSI-BAM-03",
                "error",
                f'ContexteBAM doit porter Version="{CTX_BAM_VERSION}".',
                evidence=ctx.get("Version"),
            )
        )
    out += _temps_check("INSI-BAM-04", ctx, NS_CTXBAM, "ContexteBAM", now)
    couverture = ctx.find(f"{{{NS_CTXBAM}}}COUVERTURE")
    if operation in (OP_TRAITS, OP_VERIFY):
        if couverture is None:
            out.append(
                Check(
                    "INSI-BAM-05",
                    "warning",
                    "ContexteBAM : COUVERTURE attendue (vide) pour une recherche par traits.",
                    evidence="COUVERTURE",
                )
            )
        elif len(couverture):
            out.append(
                Check(
                    "INSI-BAM-05",
                    "warning",
                    "ContexteBAM : COUVERTURE doit être vide pour une recherche par traits.",
                    evidence="COUVERTURE",
                )
            )
    elif operation == OP_VITALE and body is not None:
        out += _coverage_vs_body(couverture, body)
    return out


def _coverage_vs_body(couverture: etree._Element | None, body: etree._Element) -> list[Check]:
    pairs = (
        (("ASSURE", "Id", "Num"), ("MatriculeOD", "NumIdentifiant")),
        (("BENEFICIAIRE", "DateNai"), ("DateNaissance",)),
        (("BENEFICIAIRE", "Rang"), ("RangNaissance",)),
        (("BENEFICIAIRE", "Nir", "Num"), ("MatriculeIndividu", "NumIdentifiant")),
    )
    out: list[Check] = []
    for ctx_path, body_path in pairs:
        in_body = child_text(body, NS_RECVIT, *body_path)
        in_ctx = child_text(couverture, NS_CTXBAM, *ctx_path)
        label = "/".join(ctx_path)
        if in_body is None:
            continue
        if in_ctx is None:
            out.append(
                Check(
                    "INSI-BAM-06",
                    "error",
                    f"ContexteBAM : COUVERTURE/{label} absent pour une recherche Vitale.",
                    evidence=label,
                )
            )
        elif not _same_value(ctx_path[-1], in_ctx, in_body):
            out.append(
                Check(
                    "INSI-BAM-07",
                    "error",
                    f"ContexteBAM : COUVERTURE/{label} (« {in_ctx} ») différent du corps RECVITALE (« {in_body} »).",
                    evidence=label,
                )
            )
    return out


def _same_value(field: str, a: str, b: str) -> bool:
    if field == "Num":  # matricules: a 15-character value carries the key, compare the 13
        return a[:13] == b[:13]
    if field == "Rang":  # "1" and "01" are the same rang
        return a.lstrip("0") == b.lstrip("0")
    return a == b


# ---- authentication ------------------------------------------------------------------------------


def check_certificate(peer: PeerIdentity | None, organisations: x509.Name) -> list[Check]:
    """Certificate mode: CN INSI-AUTO or INSI-MANU issued by the ORGANISATIONS CA, else DESIR_560."""
    cert = peer.certificate if peer is not None else None
    if cert is None:
        return [
            _reject(
                "INSI-SEC-01",
                "Aucun certificat client présenté en mode certificat logiciel.",
                None,
                code=errors.WRONG_CN,
            )
        ]
    cn = peer.common_name if peer is not None else None
    if cn not in CN_ALLOWED or cert.issuer != organisations:
        return [
            _reject(
                "INSI-SEC-01",
                f"Certificat « {cn} » émis par « {peer.issuer_common_name if peer else ''} » : "
                "CN INSI-AUTO ou INSI-MANU émis par l'AC ORGANISATIONS attendu.",
                peer.subject if peer else None,
                code=errors.WRONG_CN,
            )
        ]
    return []


def check_security_header(security: etree._Element | None, cpx: bool) -> list[Check]:
    """Certificate mode: wsse:Security empty or absent."""
    if cpx or security is None or not len(security):
        return []
    return [
        Check(
            "INSI-SEC-02",
            "warning",
            "En mode certificat logiciel, wsse:Security doit être vide ou absent.",
            evidence="wsse:Security",
        )
    ]


def find_assertion(security: etree._Element | None) -> etree._Element | None:
    return security.find(ASSERTION) if security is not None else None


@dataclass(frozen=True)
class CpxOutcome:
    checks: list[Check]
    id_nat_ps: str | None = None


def check_assertion(
    assertion: etree._Element,
    trust_roots: list[x509.Certificate],
    personnes: x509.Name,
    now: datetime,
    peer: PeerIdentity | None,
) -> CpxOutcome:
    """CPx mode: the PS assertion must verify against the test PKI and be signed by a PERSONNES
    certificate (else desir_570); its fields follow digest §1.4."""
    try:
        verified = xmldsig.verify(assertion, trust_roots, expected_tag=ASSERTION, at=now)
    except xmldsig.XmlSignatureError as exc:
        return CpxOutcome(
            [
                _reject(
                    "INSI-CPX-01",
                    f"Signature de l'assertion invalide : {exc.reason}",
                    exc.code,
                    code=errors.INVALID_ASSERTION,
                )
            ]
        )
    signer = verified.certificate
    if signer.issuer != personnes:
        return CpxOutcome(
            [
                _reject(
                    "INSI-CPX-02",
                    "L'assertion doit être signée par un certificat de professionnel (AC PERSONNES).",
                    signer.subject.rfc4514_string(),
                    code=errors.INVALID_ASSERTION,
                )
            ]
        )
    el = verified.element  # only what the signature covers
    out: list[Check] = []
    issuer = el.find(f"{{{NS_SAML}}}Issuer")
    if issuer is None or issuer.get("Format") != X509_SUBJECT_FORMAT:
        out.append(
            Check(
                "INSI-CPX-03",
                "error",
                "saml:Issuer doit porter le format X509SubjectName.",
                evidence=issuer.get("Format") if issuer is not None else "saml:Issuer",
            )
        )
    elif _dn_key((issuer.text or "").strip()) != _dn_key(signer.subject.rfc4514_string()):
        out.append(
            Check(
                "INSI-CPX-03",
                "warning",
                "saml:Issuer devrait être le DN du certificat de signature.",
                evidence=(issuer.text or "").strip(),
            )
        )
    name_id = el.find(f"{{{NS_SAML}}}Subject/{{{NS_SAML}}}NameID")
    id_nat_ps = (name_id.text or "").strip() if name_id is not None else ""
    if not id_nat_ps or name_id is None or not name_id.get("NameQualifier"):
        out.append(
            Check(
                "INSI-CPX-04",
                "error",
                "saml:Subject/NameID (identifiant national du PS, avec NameQualifier) absent.",
                evidence="saml:NameID",
            )
        )
    elif id_nat_ps_of(signer) not in (None, id_nat_ps):
        out.append(
            Check(
                "INSI-CPX-04",
                "error",
                "NameID ne correspond pas au professionnel du certificat de signature.",
                evidence=id_nat_ps,
            )
        )
    names = {a.get("Name") for a in el.iter(f"{{{NS_SAML}}}Attribute")}
    missing = [n for n in ASSERTION_ATTRIBUTES if n not in names]
    if missing:
        out.append(
            Check(
                "INSI-CPX-05",
                "error",
                "Attributs absents de l'assertion : " + ", ".join(missing) + ".",
                evidence=", ".join(missing),
            )
        )
    out += _issue_instant(el.get("IssueInstant"), now)
    if el.get("Version") != "2.0":
        out.append(
            Check(
                "INSI-CPX-07", "error", 'L\'assertion doit porter Version="2.0".', evidence=el.get("Version")
            )
        )
    if peer is not None and peer.certificate is not None:
        peer_ps = id_nat_ps_of(peer.certificate)
        if peer_ps is not None and id_nat_ps and peer_ps != id_nat_ps:
            out.append(
                Check(
                    "INSI-CPX-08",
                    "warning",
                    "Le certificat TLS et l'assertion désignent deux professionnels différents.",
                    evidence=f"{peer_ps} / {id_nat_ps}",
                )
            )
    return CpxOutcome(out, id_nat_ps or None)


def _dn_key(dn: str) -> str:
    """Order-insensitive comparison form of a DN string (RFC 4514 and LDAP orders both occur)."""
    return ",".join(sorted(p.strip().upper() for p in re.split(r"(?<!\\),", dn) if p.strip()))


def _issue_instant(text: str | None, now: datetime) -> list[Check]:
    try:
        at = datetime.fromisoformat((text or "").replace("Z", "+00:00"))
    except ValueError:
        return [
            Check("INSI-CPX-06", "error", "IssueInstant de l'assertion absent ou invalide.", evidence=text)
        ]
    if at.tzinfo is None:
        return [Check("INSI-CPX-06", "warning", "IssueInstant devrait être exprimé en UTC.", evidence=text)]
    if at - now > CLOCK_SKEW:
        return [
            Check("INSI-CPX-06", "error", "IssueInstant de l'assertion est dans le futur.", evidence=text)
        ]
    if now - at > ASSERTION_MAX_AGE:
        return [Check("INSI-CPX-06", "warning", "Assertion émise il y a plus de 12 heures.", evidence=text)]
    return []


# ---- traits ----------------------------------------------------------------------------------


def lunar_date_ok(value: str) -> bool:
    """YYYY-MM-DD where a 00 day or month (lunar date) is allowed; otherwise a real calendar date."""
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", value)
    if not m:
        return False
    year, month, day = (int(g) for g in m.groups())
    if month > 12 or day > 31 or year == 0:
        return False
    if month == 0 or day == 0:
        return True
    return day <= calendar.monthrange(year, month)[1]


def check_traits(query: TraitsQuery) -> list[Check]:
    """Mandatory traits and their format (refused: siram 'données invalides'); non-canonical spelling
    (lower case, accents, typographic punctuation) is reported but still searched."""
    out: list[Check] = []
    missing = [
        label
        for label, value in (
            ("NomNaissance", query.birth_name),
            ("Sexe", query.sex),
            ("DateNaissance", query.birth_date),
        )
        if not value.strip()
    ]
    if missing:
        return [
            _reject(
                "INSI-TRAITS-01",
                "Traits obligatoires absents : " + ", ".join(missing) + ".",
                ", ".join(missing),
            )
        ]
    if query.sex not in ("M", "F"):
        out.append(_reject("INSI-TRAITS-02", f"Sexe « {query.sex} » invalide (M ou F attendu).", query.sex))
    if not lunar_date_ok(query.birth_date):
        out.append(
            _reject("INSI-TRAITS-03", f"Date de naissance « {query.birth_date} » invalide.", query.birth_date)
        )
    first_names = [p for p in query.first_names if p.strip()]
    if not first_names:
        # Persons without a first name exist in the INS referential; only they can then match.
        out.append(
            Check(
                "INSI-TRAITS-07",
                "warning",
                "Prénom absent : seules les identités sans prénom peuvent correspondre.",
                evidence="Prenom",
            )
        )
    values = [("NomNaissance", query.birth_name)] + [("Prenom", p) for p in first_names]
    for label, value in values:
        canonical = normalise_trait(value)
        if not _NAME_CHARS.match(canonical):
            out.append(
                _reject(
                    "INSI-TRAITS-04", f"{label} « {value} » contient des caractères non autorisés.", value
                )
            )
        elif canonical != value:
            out.append(
                Check(
                    "INSI-TRAITS-05",
                    "warning",
                    f"{label} « {value} » n'est pas sous la forme du référentiel INS (« {canonical} »).",
                    evidence=value,
                )
            )
    if len(first_names) > 1:
        out.append(
            Check(
                "INSI-TRAITS-06",
                "info",
                "Plusieurs éléments Prenom : ils sont comparés comme une liste séparée par des espaces.",
                evidence=" | ".join(query.first_names),
            )
        )
    return out


def check_vitale(body: etree._Element) -> list[Check]:
    """RECVITALE: schema (refused when invalid), birth date (lunar allowed), matricule keys."""
    problems = _schema_check("INSI-VIT-01", body, "RECVITALE", reject=True)
    if problems:
        return problems
    out: list[Check] = []
    date = child_text(body, NS_RECVIT, "DateNaissance") or ""
    if not lunar_date_ok(date):
        out.append(_reject("INSI-VIT-02", f"Date de naissance « {date} » invalide.", date))
    for label in ("MatriculeOD", "MatriculeIndividu"):
        num = child_text(body, NS_RECVIT, label, "NumIdentifiant")
        key = child_text(body, NS_RECVIT, label, "Cle")
        if num and key and not is_valid_ins_matricule(num + key):
            out.append(
                Check(
                    "INSI-VIT-03",
                    "error",
                    f"{label} : clé « {key} » incorrecte pour « {num} ».",
                    evidence=num + key,
                )
            )
    return out


def check_traits_schema(body: etree._Element) -> list[Check]:
    return _schema_check("INSI-TRAITS-00", body, "RECSANSVITALE", reject=True)


def verification_checks(result: VerificationResult) -> list[Check]:
    """The verification outcome as a finding (the wire answer itself is a plain RESULTAT)."""
    severity: Severity = "info" if result.status in ("conforme", "non_evaluee") else "warning"
    return [
        Check(
            "INSI-VRF-01",
            severity,
            result.message,
            requirement_ids=(REQ_VERIF,),
            evidence=result.checked_matricule,
        )
    ]
