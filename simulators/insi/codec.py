"""XML of the INSi messages: request bodies -> backend queries, backend results -> RESULTAT.
Names and order come from the spec digest §1.5 / §1.6 (and the schemas of `data/`)."""

from __future__ import annotations

from lxml import etree

from simulators.insi.models import SearchResult, TraitsQuery, VitaleQuery

NS_RECSANS = "http://www.cnamts.fr/INSiRecSans"
NS_RECVIT = "http://www.cnamts.fr/INSiRecVit"
NS_RESULTAT = "http://www.cnamts.fr/INSiResultat"
NS_CTXLPS = "urn:siram:lps:ctxlps"
NS_CTXBAM = "urn:siram:bam:ctxbam"
NS_SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
NS_WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
# Bench extension carrying the INS an LPS verifies (see simulators/insi/README.md).
NS_BENCH = "urn:segur-bench:insi:1"

RECSANSVITALE = f"{{{NS_RECSANS}}}RECSANSVITALE"
RECVITALE = f"{{{NS_RECVIT}}}RECVITALE"
CONTEXTE_LPS = f"{{{NS_CTXLPS}}}ContexteLPS"
CONTEXTE_BAM = f"{{{NS_CTXBAM}}}ContexteBAM"
ASSERTION = f"{{{NS_SAML}}}Assertion"
INS_A_VERIFIER = f"{{{NS_BENCH}}}InsAVerifier"

ACTION_PREFIX = "urn:ServiceIdentiteCertifiee:1.0.0:"
OP_TRAITS = "rechercherInsAvecTraitsIdentite"
OP_VITALE = "rechercherInsAvecCarteVitale"
OP_VERIFY = "verifierIns"
ACTIONS = {ACTION_PREFIX + op: op for op in (OP_TRAITS, OP_VITALE, OP_VERIFY)}
BODY_OPERATION = {RECSANSVITALE: OP_TRAITS, RECVITALE: OP_VITALE}


def action_of(operation: str) -> str:
    return ACTION_PREFIX + operation


def response_action(operation: str) -> str:
    return ACTION_PREFIX + operation + "Response"


def child_text(parent: etree._Element | None, ns: str, *names: str) -> str | None:
    """Text of parent/names[0]/names[1]/..., stripped; None when absent."""
    el = parent
    for name in names:
        if el is None:
            return None
        el = el.find(f"{{{ns}}}{name}")
    if el is None or el.text is None:
        return None
    return el.text.strip()


def decode_traits(body: etree._Element) -> TraitsQuery:
    """RECSANSVITALE -> TraitsQuery (values as sent, stripped; absent = empty)."""
    return TraitsQuery(
        birth_name=child_text(body, NS_RECSANS, "NomNaissance") or "",
        first_names=tuple((p.text or "").strip() for p in body.findall(f"{{{NS_RECSANS}}}Prenom")),
        sex=child_text(body, NS_RECSANS, "Sexe") or "",
        birth_date=child_text(body, NS_RECSANS, "DateNaissance") or "",
        birth_place=child_text(body, NS_RECSANS, "LieuNaissance"),
    )


def decode_vitale(body: etree._Element) -> VitaleQuery:
    """RECVITALE -> VitaleQuery (schema-validated before: MatriculeOD, DateNaissance, Rang present)."""
    rang = child_text(body, NS_RECVIT, "RangNaissance") or "0"
    return VitaleQuery(
        insured_num=child_text(body, NS_RECVIT, "MatriculeOD", "NumIdentifiant") or "",
        birth_date=child_text(body, NS_RECVIT, "DateNaissance") or "",
        rang=int(rang) if rang.isdigit() else 0,
        beneficiary_num=child_text(body, NS_RECVIT, "MatriculeIndividu", "NumIdentifiant"),
        birth_name=child_text(body, NS_RECVIT, "NomNaissance"),
    )


def _sub(parent: etree._Element, name: str, text: str | None = None) -> etree._Element:
    el = etree.SubElement(parent, f"{{{NS_RESULTAT}}}{name}")
    if text is not None:
        el.text = text
    return el


def encode_resultat(result: SearchResult) -> etree._Element:
    """SearchResult -> RESULTAT; INDIVIDU only with CR 00. Traits are in référentiel form."""
    root = etree.Element(f"{{{NS_RESULTAT}}}RESULTAT", nsmap={None: NS_RESULTAT})
    cr = _sub(root, "CR")
    _sub(cr, "CodeCR", result.code)
    _sub(cr, "LibelleCR", result.label)
    ident = result.identity
    if result.code != "00" or ident is None:
        return root
    individu = _sub(root, "INDIVIDU")
    for tag, number in [("INSACTIF", ident.active), *[("INSHISTO", h) for h in ident.history]]:
        ins = _sub(individu, tag)
        id_el = _sub(ins, "IdIndividu")
        _sub(id_el, "NumIdentifiant", number.num)
        _sub(id_el, "Cle", number.key)
        if number.type_matricule:
            _sub(id_el, "TypeMatricule", number.type_matricule)
        _sub(ins, "OID", number.oid(result.test_oids))
        if number.start:
            _sub(ins, "DateDeb", number.start)
        if number.end:
            _sub(ins, "DateFin", number.end)
    tiq = _sub(individu, "TIQ")
    _sub(tiq, "NomNaissance", ident.birth_name)
    if ident.first_names:
        _sub(tiq, "Prenom", ident.first_names[0])
    _sub(tiq, "ListePrenom", ident.first_names_list)
    _sub(tiq, "Sexe", ident.sex)
    _sub(tiq, "DateNaissance", ident.birth_date)
    _sub(tiq, "LieuNaissance", ident.birth_place)
    return root
