"""INSi answers read into typed results: RESULTAT (CR, INSACTIF, INSHISTO single or repeated, TIQ)
or a SOAP fault (-> InsiFault); anything else is an unusable answer (-> InsiUnavailable).

Facts: spec digest `insi-dmp-cda-dp.md` §1.6 (RESULTAT, ListePrenom space-separated, Prenom optional,
INSHISTO repeats), §1.7 (siram:Erreur), SOAP 1.2 HTTP binding (faults on 400/500).
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from protocols import soap
from protocols.identifiers import is_ins_oid, is_valid_ins_matricule
from reference_lgo.clients.insi.errors import InsiFault, InsiUnavailable
from reference_lgo.clients.insi.messages import NS_RESULTAT, NS_SIRAM
from reference_lgo.domain.identity_traits import StrictTraits, split_first_names

MAX_ANSWER_BYTES = 1_000_000  # an INSi answer is a few KB
LIBELLES_CR = {"00": "OK", "01": "Aucune identite trouvee", "02": "Plusieurs identites trouvees"}


@dataclass(frozen=True)
class InsNumber:
    """INSACTIF or one INSHISTO: matricule (13 + key) with its OID and validity dates, as returned."""

    num13: str
    key: str
    oid: str
    start: str | None = None
    end: str | None = None
    type_matricule: str | None = None

    @property
    def matricule(self) -> str:
        return self.num13 + self.key

    @property
    def key_valid(self) -> bool:
        """False when the service returned a wrong key (CNDA-style case: do not store the INS)."""
        return is_valid_ins_matricule(self.matricule)

    @property
    def oid_valid(self) -> bool:
        return is_ins_oid(self.oid)


@dataclass(frozen=True)
class InsiIdentity:
    """INDIVIDU: the active INS, the previous ones and the identity traits (TIQ)."""

    active: InsNumber
    history: tuple[InsNumber, ...]
    traits: StrictTraits
    prenom: str | None  # TIQ/Prenom (first birth first name) when the service sent it

    @property
    def matricule(self) -> str:
        return self.active.matricule

    @property
    def oid(self) -> str:
        return self.active.oid

    @property
    def first_birth_first_name(self) -> str | None:
        return self.prenom or self.traits.first_birth_first_name


@dataclass(frozen=True)
class InsiResult:
    code: str  # CodeCR: 00 one identity, 01 none, 02 several
    label: str
    identity: InsiIdentity | None = None

    @property
    def found(self) -> bool:
        return self.code == "00" and self.identity is not None


class MalformedAnswer(ValueError):
    """The answer is not a usable RESULTAT (French reason)."""


def _t(local: str) -> str:
    return f"{{{NS_RESULTAT}}}{local}"


def _text(parent: etree._Element, path: str) -> str | None:
    found = parent.findtext("/".join(_t(p) for p in path.split("/")))
    return found.strip() if found is not None else None


def _required(parent: etree._Element, path: str) -> str:
    value = _text(parent, path)
    if not value:
        raise MalformedAnswer(f"élément {path} absent ou vide dans la réponse INSi")
    return value


def _ins_number(el: etree._Element) -> InsNumber:
    return InsNumber(
        num13=_required(el, "IdIndividu/NumIdentifiant"),
        key=_required(el, "IdIndividu/Cle"),
        oid=_required(el, "OID"),
        start=_text(el, "DateDeb") or None,
        end=_text(el, "DateFin") or None,
        type_matricule=_text(el, "IdIndividu/TypeMatricule") or None,
    )


def parse_resultat(resultat: etree._Element) -> InsiResult:
    """RESULTAT -> InsiResult. TIQ values are kept as returned (even empty ones): checking them is
    the identity rules' job (W1-INS-11), not the parser's."""
    if resultat.tag != _t("RESULTAT"):
        raise MalformedAnswer(f"élément {etree.QName(resultat).localname} inattendu (RESULTAT attendu)")
    code = _required(resultat, "CR/CodeCR")
    label = _text(resultat, "CR/LibelleCR") or LIBELLES_CR.get(code, "")
    individu = resultat.find(_t("INDIVIDU"))
    if code != "00":
        return InsiResult(code, label)
    if individu is None:
        raise MalformedAnswer("CR 00 sans élément INDIVIDU dans la réponse INSi")
    active = individu.find(_t("INSACTIF"))
    tiq = individu.find(_t("TIQ"))
    if active is None or tiq is None:
        raise MalformedAnswer("INDIVIDU sans INSACTIF ou sans TIQ dans la réponse INSi")
    history = tuple(_ins_number(h) for h in individu.findall(_t("INSHISTO")))
    prenom = _text(tiq, "Prenom") or None
    listed = split_first_names(_text(tiq, "ListePrenom") or "")
    traits = StrictTraits(
        birth_name=_text(tiq, "NomNaissance") or "",
        first_names=listed or ((prenom,) if prenom else ()),
        sex=_text(tiq, "Sexe") or "",
        birth_date=_text(tiq, "DateNaissance") or "",
        birth_place=_text(tiq, "LieuNaissance") or None,
    )
    return InsiResult(code, label, InsiIdentity(_ins_number(active), history, traits, prenom))


def _fault(found: soap.SoapFault, http_status: int) -> InsiFault:
    subcodes = [
        etree.QName(s).localname if s.startswith("{") else s.rsplit(":", 1)[-1] for s in found.subcodes
    ]
    erreur = next((d for d in found.detail or [] if d.tag == f"{{{NS_SIRAM}}}Erreur"), None)
    error_code = severite = detail_text = None
    if erreur is not None:
        error_code, severite = erreur.get("code"), erreur.get("severite")
        detail_text = (erreur.text or "").strip() or None
    return InsiFault(
        soap_code=found.code,
        subcodes=subcodes,
        error_code=error_code,
        severite=severite,
        reason=found.reason,
        detail_text=detail_text,
        http_status=http_status,
    )


def parse_answer(status: int, body: bytes, *, message_id: str | None = None) -> InsiResult:
    """One HTTP answer -> InsiResult; raises InsiFault (SOAP fault) or InsiUnavailable (no usable
    answer). `message_id` is the request's: an answer related to another message is refused."""
    if not body.strip():
        raise InsiUnavailable(
            "http" if status >= 400 else "reponse_invalide",
            f"Le téléservice INSi a répondu sans contenu (HTTP {status}).",
            http_status=status,
        )
    try:
        env = soap.parse_envelope(body, max_bytes=MAX_ANSWER_BYTES)
    except soap.SoapParseError as exc:
        if status >= 400:
            raise InsiUnavailable(
                "http",
                f"Le téléservice INSi a répondu par une erreur HTTP {status} sans message SOAP.",
                detail=exc.fault.reason,
                http_status=status,
            ) from None
        raise InsiUnavailable(
            "reponse_invalide",
            "La réponse du téléservice INSi est illisible ; aucune donnée n'a été enregistrée.",
            detail=exc.fault.reason,
            http_status=status,
        ) from None
    found = soap.parse_fault(env.root)
    if found is not None:
        raise _fault(found, status)
    if message_id and env.relates_to and env.relates_to != message_id:
        raise InsiUnavailable(
            "reponse_invalide",
            "La réponse du téléservice INSi ne correspond pas à la demande envoyée ; elle est ignorée.",
            detail=f"RelatesTo {env.relates_to} au lieu de {message_id}",
            http_status=status,
        )
    if status != 200:
        raise InsiUnavailable(
            "http", f"Le téléservice INSi a répondu HTTP {status} sans faute SOAP.", http_status=status
        )
    if env.body_child is None:
        raise InsiUnavailable(
            "reponse_invalide",
            "La réponse du téléservice INSi est vide (corps SOAP sans RESULTAT).",
            http_status=status,
        )
    try:
        return parse_resultat(env.body_child)
    except MalformedAnswer as exc:
        raise InsiUnavailable(
            "reponse_invalide",
            "La réponse du téléservice INSi est incomplète ; aucune donnée n'a été enregistrée.",
            detail=str(exc),
            http_status=status,
        ) from None
