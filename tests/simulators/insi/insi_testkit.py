"""Test data and message builders for the INSi simulator tests (invented persons, one per situation)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from lxml import etree

from protocols.identifiers import nir_key

NS_SOAP = "http://www.w3.org/2003/05/soap-envelope"
NS_WSA = "http://www.w3.org/2005/08/addressing"
NS_WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
NS_RES = "http://www.cnamts.fr/INSiResultat"
ACTION_TRAITS = "urn:ServiceIdentiteCertifiee:1.0.0:rechercherInsAvecTraitsIdentite"
ACTION_VITALE = "urn:ServiceIdentiteCertifiee:1.0.0:rechercherInsAvecCarteVitale"
ACTION_VERIFY = "urn:ServiceIdentiteCertifiee:1.0.0:verifierIns"
IDAM = "BANC-TEST-0001"
PS_ID = "810100000016"  # RPPS-based idNatPS of the test professional (CPx mode)
PS_NAME = "CLAIRE PHARMA"
SOFTWARE = {"idam": IDAM, "name": "lgo-test", "version": "1.2.0"}


def m15(num13: str) -> str:
    return num13 + nir_key(num13)


def person(
    pid: str, name: str, first: list[str], sex: str, born: str, cog: str, num13: str | None, **extra: Any
) -> dict[str, Any]:
    return {
        "id": pid,
        "birth_name": name,
        "first_names": first,
        "sex": sex,
        "birth_date": born,
        "birth_place": cog,
        "matricule": m15(num13) if num13 else None,
        "oid": extra.pop("oid", "1.2.250.1.213.1.4.8") if num13 else None,
        **extra,
    }


PERSONS: list[dict[str, Any]] = [
    person("lucie", "MARTINEAU", ["LUCIE", "ANNE", "MARIE"], "F", "1985-04-12", "75056", "2850475056123"),
    # twins: same birth name, sex and date; first names differ after the first one
    person("lea-rose", "BERNARDIN", ["LEA", "ROSE"], "F", "2001-06-03", "69123", "2010669123001"),
    person("lea-claire", "BERNARDIN", ["LEA", "CLAIRE"], "F", "2001-06-03", "69123", "2010669123002"),
    # full homonyms told apart by the birth place only
    person("paul-bdx", "LEGRAND", ["PAUL"], "M", "1970-01-01", "33063", "1700133063045"),
    person("paul-mrs", "LEGRAND", ["PAUL"], "M", "1970-01-01", "13055", "1700113055046"),
    # INSHISTO: a previous matricule with validity dates
    person(
        "histo",
        "VERGNAUD",
        ["ETIENNE"],
        "M",
        "1958-11-20",
        "87085",
        "1581187085111",
        history=[
            {
                "matricule": m15("1581199999111"),
                "oid": "1.2.250.1.213.1.4.8",
                "start": "1980-01-01",
                "end": "2015-06-30",
            }
        ],
    ),
    # NIA (temporary number)
    person(
        "nia", "PROVENCAL", ["MATHIS"], "M", "2009-07-01", "99134", "1090799134888", oid="1.2.250.1.213.1.4.9"
    ),
    # Corsica (2A) and lunar dates
    person("corse", "CASANOVA", ["ORSO", "ANTONE"], "M", "1980-03-15", "2A004", "180032A004123"),
    person("lunaire", "BENALI", ["FATIMA"], "F", "1950-00-00", "99350", "2509999350007"),
    person("lunaire-jour", "OKOYE", ["CHIDI"], "M", "1962-03-00", "99231", "1620399231008"),
    # apostrophes, hyphens, double names, first names with hyphens
    person(
        "apostrophe",
        "D'ALEMBERT-VIGNY",
        ["JEAN-BAPTISTE", "LOUIS"],
        "M",
        "1977-09-09",
        "44109",
        "1770944109010",
    ),
    person("coeur", "LE GOFF", ["COEUR", "ZOE"], "F", "1999-02-28", "29019", "2990229019011"),
    # no first name in the referential
    person("sans-prenom", "SUTRISNA", [], "M", "1981-07-14", "99231", "1810799231015"),
    # unknown to INSi (no matricule)
    person("inconnu", "FANTOME", ["CASPER"], "M", "1990-01-01", "75056", None),
    # a family for the carte Vitale: insured, a child on the parent's card, twins (rang 1 and 2)
    person("parent", "ROUSSEL", ["NADINE"], "F", "1980-05-05", "59350", "2800559350020"),
    person("enfant", "ROUSSEL", ["HUGO"], "M", "2012-08-08", "59350", "1120859350021"),
    person("jumeau1", "ROUSSEL", ["ALIX"], "F", "2015-10-10", "59350", "2151059350022"),
    person("jumeau2", "ROUSSEL", ["ELISE"], "F", "2015-10-10", "59350", "2151059350023"),
]

VITALE_CARDS: list[dict[str, Any]] = [
    {
        "id": "carte-roussel",
        "insured_person_id": "parent",
        "beneficiaries": [
            {"person_id": "parent", "rang": 1},
            {"person_id": "enfant", "rang": 1},
            {"person_id": "jumeau1", "rang": 1},
            {"person_id": "jumeau2", "rang": 2},
        ],
    },
]


def seed_payload() -> dict[str, Any]:
    return {"software": [SOFTWARE], "persons": PERSONS, "vitale_cards": VITALE_CARDS}


def num(pid: str) -> str:
    return next(p["matricule"] for p in PERSONS if p["id"] == pid)


# ---- request builders ------------------------------------------------------------------------


def _el(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    el = etree.SubElement(parent, tag, **attrs)
    if text is not None:
        el.text = text
    return el


def traits_body(
    name: str, first: list[str] | str, sex: str, born: str, cog: str | None = None
) -> etree._Element:
    ns = "http://www.cnamts.fr/INSiRecSans"
    body = etree.Element(f"{{{ns}}}RECSANSVITALE", nsmap={None: ns})
    _el(body, f"{{{ns}}}NomNaissance", name)
    for f in [first] if isinstance(first, str) else first:
        _el(body, f"{{{ns}}}Prenom", f)
    _el(body, f"{{{ns}}}Sexe", sex)
    _el(body, f"{{{ns}}}DateNaissance", born)
    if cog:
        _el(body, f"{{{ns}}}LieuNaissance", cog)
    return body


def vitale_body(
    insured13: str, born: str, rang: int, beneficiary13: str | None = None, name: str | None = None
) -> etree._Element:
    ns = "http://www.cnamts.fr/INSiRecVit"
    body = etree.Element(f"{{{ns}}}RECVITALE", nsmap={None: ns})
    if beneficiary13:
        _el(_el(body, f"{{{ns}}}MatriculeIndividu"), f"{{{ns}}}NumIdentifiant", beneficiary13)
    _el(_el(body, f"{{{ns}}}MatriculeOD"), f"{{{ns}}}NumIdentifiant", insured13)
    if name:
        _el(body, f"{{{ns}}}NomNaissance", name)
    _el(body, f"{{{ns}}}DateNaissance", born)
    _el(body, f"{{{ns}}}RangNaissance", str(rang))
    return body


def now_utc() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def contexte_lps(idam: str = IDAM, name: str = "lgo-test", version: str = "1.2.0") -> etree._Element:
    ns = "urn:siram:lps:ctxlps"
    ctx = etree.Element(f"{{{ns}}}ContexteLPS", nsmap={"ctxlps": ns}, Nature="CTXLPS", Version="01_00")
    _el(ctx, f"{{{ns}}}Id", str(uuid.uuid4()))
    _el(ctx, f"{{{ns}}}Temps", now_utc())
    _el(ctx, f"{{{ns}}}Emetteur", "899700000001")
    lps = _el(ctx, f"{{{ns}}}LPS")
    _el(lps, f"{{{ns}}}IDAM", idam, R="4")
    _el(lps, f"{{{ns}}}Version", version)
    _el(lps, f"{{{ns}}}Instance", str(uuid.uuid4()))
    _el(lps, f"{{{ns}}}Nom", f"urn:lps:{name}:{version}")
    return ctx


def contexte_bam(vitale: etree._Element | None = None) -> etree._Element:
    ns = "urn:siram:bam:ctxbam"
    ctx = etree.Element(f"{{{ns}}}ContexteBAM", nsmap={"ctxbam": ns}, Version="01_02")
    _el(ctx, f"{{{ns}}}Id", str(uuid.uuid4()))
    _el(ctx, f"{{{ns}}}Temps", now_utc())
    _el(ctx, f"{{{ns}}}Emetteur", "899700000001")
    cov = _el(ctx, f"{{{ns}}}COUVERTURE")
    if vitale is not None:
        vns = "http://www.cnamts.fr/INSiRecVit"
        insured = vitale.findtext(f"{{{vns}}}MatriculeOD/{{{vns}}}NumIdentifiant")
        _el(_el(_el(cov, f"{{{ns}}}ASSURE"), f"{{{ns}}}Id"), f"{{{ns}}}Num", insured)
        ben = _el(cov, f"{{{ns}}}BENEFICIAIRE")
        own = vitale.findtext(f"{{{vns}}}MatriculeIndividu/{{{vns}}}NumIdentifiant")
        if own:
            _el(_el(ben, f"{{{ns}}}Nir"), f"{{{ns}}}Num", own)
        _el(ben, f"{{{ns}}}DateNai", vitale.findtext(f"{{{vns}}}DateNaissance"))
        _el(ben, f"{{{ns}}}Rang", vitale.findtext(f"{{{vns}}}RangNaissance"))
    return ctx


def envelope(
    body: etree._Element,
    *,
    action: str | None = ACTION_TRAITS,
    message_id: str | None = None,
    lps: etree._Element | bool | None = True,
    bam: etree._Element | bool | None = True,
    security: etree._Element | None = None,
    extra: list[etree._Element] | None = None,
    soap_ns: str = NS_SOAP,
) -> bytes:
    env = etree.Element(f"{{{soap_ns}}}Envelope", nsmap={"soap": soap_ns})
    header = _el(env, f"{{{soap_ns}}}Header")
    if action:
        _el(header, f"{{{NS_WSA}}}Action", action)
    _el(header, f"{{{NS_WSA}}}MessageID", message_id or f"uuid:{uuid.uuid4()}")
    if bam is True:
        bam = contexte_bam(body if body.tag.endswith("RECVITALE") else None)
    if isinstance(bam, etree._Element):
        header.append(bam)
    if lps is True:
        lps = contexte_lps()
    if isinstance(lps, etree._Element):
        header.append(lps)
    if security is not None:
        header.append(security)
    for block in extra or []:
        header.append(block)
    _el(env, f"{{{soap_ns}}}Body").append(body)
    return etree.tostring(env, xml_declaration=True, encoding="utf-8")


def security(assertion: etree._Element | None = None) -> etree._Element:
    sec = etree.Element(f"{{{NS_WSSE}}}Security", nsmap={"wsse": NS_WSSE})
    if assertion is not None:
        sec.append(assertion)
    return sec


def ins_a_verifier(matricule: str) -> etree._Element:
    el = etree.Element("{urn:segur-bench:insi:1}InsAVerifier", nsmap={"bench": "urn:segur-bench:insi:1"})
    el.text = matricule
    return el


# ---- answer readers --------------------------------------------------------------------------


def resultat(data: bytes) -> etree._Element:
    root = etree.fromstring(data)
    res = root.find(f"{{{NS_SOAP}}}Body/{{{NS_RES}}}RESULTAT")
    assert res is not None, data.decode()
    return res


def code_cr(data: bytes) -> str:
    return resultat(data).findtext(f"{{{NS_RES}}}CR/{{{NS_RES}}}CodeCR") or ""


def res_text(res: etree._Element, path: str) -> str | None:
    return res.findtext("/".join(f"{{{NS_RES}}}{p}" for p in path.split("/")))


def fault_codes(data: bytes) -> tuple[str, str, str]:
    """(Code value, Subcode value, siram:Erreur@code) of a fault answer."""
    root = etree.fromstring(data)
    fault = root.find(f"{{{NS_SOAP}}}Body/{{{NS_SOAP}}}Fault")
    assert fault is not None, data.decode()
    code = fault.findtext(f"{{{NS_SOAP}}}Code/{{{NS_SOAP}}}Value") or ""
    sub = fault.findtext(f"{{{NS_SOAP}}}Code/{{{NS_SOAP}}}Subcode/{{{NS_SOAP}}}Value") or ""
    err = fault.find(f"{{{NS_SOAP}}}Detail/{{urn:siram}}Erreur")
    return code, sub, err.get("code", "") if err is not None else ""
