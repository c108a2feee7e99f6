"""INSi faults: SOAP 1.2 faults whose Subcode is a `siram_*` value and whose Detail holds one
`siram:Erreur` (code, severite, messageID), as in the spec digest §1.7.

Public codes: `siram_100` + `desir_550` (unknown IDAM, reason text of the real service) and
`DESIR_560` (certificate CN not allowed). The full catalogue of the real service is not public
(digest §7): the codes marked "bench" below are the simulator's own choices, kept in this one
table so that a client, a fault rule or a scenario can name them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from lxml import etree

NS_SIRAM = "urn:siram"
NS_SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
Severite = Literal["information", "avertissement", "erreur", "fatale"]


@dataclass(frozen=True)
class FaultSpec:
    code: Literal["Sender", "Receiver"]
    subcode: str  # local name; the real service puts it in the SOAP envelope namespace
    detail_code: str  # siram:Erreur/@code
    severite: Severite
    reason: str  # soap:Reason/soap:Text (French)
    detail_text: str  # siram:Erreur text (French)
    public: bool  # True: seen in public material; False: bench choice


_REFUS_PROGICIEL = (
    "L'accès par ce progiciel au service n'est pas autorisé. "
    "Contactez l'éditeur du progiciel ou votre responsable informatique."
)

FAULTS: dict[str, FaultSpec] = {
    "desir_550": FaultSpec(
        "Sender",
        "siram_100",
        "desir_550",
        "erreur",
        _REFUS_PROGICIEL,
        "Numéro d'autorisation du logiciel inconnu.",
        public=True,
    ),
    "DESIR_560": FaultSpec(
        "Sender",
        "siram_100",
        "DESIR_560",
        "erreur",
        "L'accès au service n'est pas autorisé avec ce certificat.",
        "Le certificat d'authentification présenté n'est pas autorisé pour ce service "
        "(CN attendu : INSI-AUTO ou INSI-MANU, émis par l'AC ORGANISATIONS).",
        public=True,
    ),
    # bench: CPx mode, the PS assertion in wsse:Security does not verify.
    "desir_570": FaultSpec(
        "Sender",
        "siram_100",
        "desir_570",
        "erreur",
        "L'accès au service n'est pas autorisé : assertion d'authentification invalide.",
        "Assertion d'authentification du professionnel de santé invalide.",
        public=False,
    ),
    # bench: malformed request (schema, mandatory traits, character set, missing contexts).
    "desir_400": FaultSpec(
        "Sender",
        "siram_400",
        "desir_400",
        "erreur",
        "Les données de la requête sont invalides.",
        "Données invalides.",
        public=False,
    ),
    # bench: the qualification quirk "01 returned as a SOAP fault" (digest §1.6).
    "desir_201": FaultSpec(
        "Sender",
        "siram_200",
        "desir_201",
        "information",
        "Aucune identité trouvée.",
        "Aucune identite trouvee",
        public=False,
    ),
    # bench: service unavailable (fault injection).
    "desir_500": FaultSpec(
        "Receiver",
        "siram_500",
        "desir_500",
        "fatale",
        "Le service est momentanément indisponible. Veuillez réessayer ultérieurement.",
        "Service indisponible.",
        public=False,
    ),
}
UNKNOWN_IDAM = "desir_550"
WRONG_CN = "DESIR_560"
INVALID_ASSERTION = "desir_570"
INVALID_DATA = "desir_400"
NOT_FOUND = "desir_201"
UNAVAILABLE = "desir_500"

# Names a fault rule may use for the same faults (core fault actions carry "the service's own code").
ALIASES = {
    "siram_100": UNKNOWN_IDAM,
    "idam_inconnu": UNKNOWN_IDAM,
    "desir_560": WRONG_CN,
    "cn_invalide": WRONG_CN,
    "assertion_invalide": INVALID_ASSERTION,
    "donnees_invalides": INVALID_DATA,
    "siram_400": INVALID_DATA,
    "cr01": NOT_FOUND,
    "indisponible": UNAVAILABLE,
    "banc_indisponible": UNAVAILABLE,  # scenarios/faults/insi.indisponible.yaml
    "siram_500": UNAVAILABLE,
}


def fault_spec(code: str, message: str | None = None) -> FaultSpec:
    """The fault for a catalogue code or alias; an unknown code gives a Sender fault carrying it
    (so a fault rule can inject any `siram_*`/`desir_*` code the real service may use)."""
    key = code if code in FAULTS else ALIASES.get(code.lower(), ALIASES.get(code, ""))
    if key in FAULTS:
        spec = FAULTS[key]
        # Public faults keep the real service's detail text; bench ones carry the precise reason.
        if message and not spec.public:
            return FaultSpec(
                spec.code, spec.subcode, spec.detail_code, spec.severite, spec.reason, message, spec.public
            )
        return spec
    text = message or "Erreur du service INSi."
    subcode = code if code.lower().startswith("siram_") else "siram_100"
    return FaultSpec("Sender", subcode, code, "erreur", text, text, public=False)


def http_status(spec: FaultSpec) -> int:
    """SOAP 1.2 HTTP binding: a Sender fault is 400, any other fault 500."""
    return 400 if spec.code == "Sender" else 500


def erreur_element(spec: FaultSpec, message_id: str | None) -> etree._Element:
    """The `siram:Erreur` detail entry."""
    el = etree.Element(f"{{{NS_SIRAM}}}Erreur", nsmap={"siram": NS_SIRAM})
    el.set("code", spec.detail_code)
    if message_id:
        el.set("messageID", message_id)
    el.set("severite", spec.severite)
    el.text = spec.detail_text
    return el


def subcode_qname(spec: FaultSpec) -> str:
    """Clark-notation subcode; the real service qualifies it with the envelope namespace."""
    return f"{{{NS_SOAP12}}}{spec.subcode}"
