"""INSi request handling without sockets: every CR, every fault, CPx mode, switches, findings,
and the schema validity of every answer (RESULTAT and siram:Erreur against our XSDs)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from insi_testkit import (
    ACTION_TRAITS,
    ACTION_VERIFY,
    ACTION_VITALE,
    NS_RES,
    PS_ID,
    PS_NAME,
    code_cr,
    contexte_lps,
    envelope,
    fault_codes,
    ins_a_verifier,
    m15,
    num,
    res_text,
    resultat,
    security,
    traits_body,
    vitale_body,
)
from lxml import etree

from protocols import saml
from protocols.pki import TestPKI
from simulators.core.peer import PeerIdentity
from simulators.insi import schemas
from simulators.insi.models import InsiBackend
from simulators.insi.wire import InsiHandler, Outcome

SOAP12 = "application/soap+xml; charset=utf-8"
NS_SOAP = "http://www.w3.org/2003/05/soap-envelope"


def peer(pki: TestPKI, name: str = "insi-auto") -> PeerIdentity:
    found = PeerIdentity.from_chain([pki.client(name).cert, pki.organisations.cert])
    assert found is not None
    return found


def call(
    handler: InsiHandler, pki: TestPKI, data: bytes, who: str = "insi-auto", content_type: str = SOAP12
) -> Outcome:
    out = handler.process(data, content_type, peer(pki, who), datetime.now(UTC))
    assert_schema_valid(out.body)
    return out


def assert_schema_valid(data: bytes) -> None:
    """Every RESULTAT and every siram:Erreur we send validates against our XSDs."""
    root = etree.fromstring(data)
    body = root.find(f"{{{NS_SOAP}}}Body")
    assert body is not None
    for el in body.iter(f"{{{NS_RES}}}RESULTAT", "{urn:siram}Erreur"):
        assert schemas.errors(el) == [], etree.tostring(el)


def rules_of(out: Outcome) -> set[str]:
    return {c.rule for c in out.checks}


def test_cr00_answer_with_wsa_headers_and_traits(handler: InsiHandler, pki: TestPKI) -> None:
    out = call(
        handler,
        pki,
        envelope(
            traits_body("MARTINEAU", "LUCIE", "F", "1985-04-12"),
            message_id="uuid:11111111-2222-3333-4444-555555555555",
        ),
    )
    assert out.status == 200 and out.operation == "rechercherInsAvecTraitsIdentite"
    res = resultat(out.body)
    assert res_text(res, "CR/CodeCR") == "00" and res_text(res, "CR/LibelleCR") == "OK"
    assert res_text(res, "INDIVIDU/INSACTIF/IdIndividu/NumIdentifiant") == num("lucie")[:13]
    assert res_text(res, "INDIVIDU/INSACTIF/IdIndividu/Cle") == num("lucie")[13:]
    assert res_text(res, "INDIVIDU/INSACTIF/OID") == "1.2.250.1.213.1.4.8"
    assert res_text(res, "INDIVIDU/TIQ/Prenom") == "LUCIE"
    assert res_text(res, "INDIVIDU/TIQ/ListePrenom") == "LUCIE ANNE MARIE"
    assert res_text(res, "INDIVIDU/TIQ/LieuNaissance") == "75056"
    root = etree.fromstring(out.body)
    wsa = "{http://www.w3.org/2005/08/addressing}"
    assert root.findtext(f"{{{NS_SOAP}}}Header/{wsa}Action") == ACTION_TRAITS + "Response"
    assert root.findtext(f"{{{NS_SOAP}}}Header/{wsa}RelatesTo") == "uuid:11111111-2222-3333-4444-555555555555"
    assert out.correlation["ins"] == num("lucie")
    assert out.correlation["idam"] == "BANC-TEST-0001"
    assert out.correlation["message_id"] == "uuid:11111111-2222-3333-4444-555555555555"
    assert out.correlation["auth"] == "INSI-AUTO"
    assert not [c for c in out.checks if c.severity == "error"], out.checks


def test_cr01_and_cr02_answers(handler: InsiHandler, pki: TestPKI) -> None:
    out01 = call(handler, pki, envelope(traits_body("MARTINEAU", "LUCIA", "F", "1985-04-12")))
    res = resultat(out01.body)
    assert (res_text(res, "CR/CodeCR"), res_text(res, "CR/LibelleCR")) == ("01", "Aucune identite trouvee")
    assert res.find(f"{{{NS_RES}}}INDIVIDU") is None
    out02 = call(handler, pki, envelope(traits_body("BERNARDIN", "LEA", "F", "2001-06-03")))
    assert code_cr(out02.body) == "02" and "ins" not in out02.correlation


def test_inshisto_nia_corsica_and_lunar_in_answers(handler: InsiHandler, pki: TestPKI) -> None:
    res = resultat(call(handler, pki, envelope(traits_body("VERGNAUD", "ETIENNE", "M", "1958-11-20"))).body)
    assert res_text(res, "INDIVIDU/INSHISTO/IdIndividu/NumIdentifiant") == "1581199999111"
    assert res_text(res, "INDIVIDU/INSHISTO/DateFin") == "2015-06-30"
    res = resultat(call(handler, pki, envelope(traits_body("PROVENCAL", "MATHIS", "M", "2009-07-01"))).body)
    assert res_text(res, "INDIVIDU/INSACTIF/OID") == "1.2.250.1.213.1.4.9"
    res = resultat(
        call(handler, pki, envelope(traits_body("CASANOVA", "ORSO", "M", "1980-03-15", "2A004"))).body
    )
    assert res_text(res, "INDIVIDU/INSACTIF/IdIndividu/NumIdentifiant") == "180032A004123"
    res = resultat(call(handler, pki, envelope(traits_body("BENALI", "FATIMA", "F", "1950-00-00"))).body)
    assert res_text(res, "INDIVIDU/TIQ/DateNaissance") == "1950-00-00"


def test_test_oids_switch(handler: InsiHandler, backend: InsiBackend, pki: TestPKI) -> None:
    backend.seed({"switches": {"test_oids": True}})
    res = resultat(call(handler, pki, envelope(traits_body("VERGNAUD", "ETIENNE", "M", "1958-11-20"))).body)
    assert res_text(res, "INDIVIDU/INSACTIF/OID") == "1.2.250.1.213.1.4.10"
    assert res_text(res, "INDIVIDU/INSHISTO/OID") == "1.2.250.1.213.1.4.10"


def test_vitale_search(handler: InsiHandler, pki: TestPKI) -> None:
    body = vitale_body(num("parent")[:13], "2015-10-10", 2)
    out = call(handler, pki, envelope(body, action=ACTION_VITALE))
    assert out.operation == "rechercherInsAvecCarteVitale" and code_cr(out.body) == "00"
    assert out.correlation["ins"] == num("jumeau2")
    assert not [c for c in out.checks if c.severity == "error"], out.checks


def test_vitale_coverage_inconsistent_with_body_is_a_finding(handler: InsiHandler, pki: TestPKI) -> None:
    from insi_testkit import contexte_bam

    body = vitale_body(num("parent")[:13], "2012-08-08", 1)
    bam = contexte_bam(vitale_body(num("parent")[:13], "2012-08-09", 1))
    out = call(handler, pki, envelope(body, action=ACTION_VITALE, bam=bam))
    assert code_cr(out.body) == "00"
    assert "INSI-BAM-07" in rules_of(out)


def test_cr01_as_fault_switch(handler: InsiHandler, backend: InsiBackend, pki: TestPKI) -> None:
    backend.seed({"switches": {"cr01_as_fault": True}})
    out = call(handler, pki, envelope(traits_body("MARTINEAU", "LUCIA", "F", "1985-04-12")))
    assert out.status == 400
    assert fault_codes(out.body) == ("soap:Sender", "soap:siram_200", "desir_201")
    assert (
        code_cr(call(handler, pki, envelope(traits_body("MARTINEAU", "LUCIE", "F", "1985-04-12"))).body)
        == "00"
    )


def test_unknown_idam_is_siram_100_desir_550(handler: InsiHandler, pki: TestPKI) -> None:
    data = envelope(
        traits_body("MARTINEAU", "LUCIE", "F", "1985-04-12"),
        lps=contexte_lps(idam="INCONNU-42"),
        message_id="uuid:b3549edd-4ae9-472a-b26f-fd2fb4ef397f",
    )
    out = call(handler, pki, data)
    assert out.status == 400
    assert fault_codes(out.body) == ("soap:Sender", "soap:siram_100", "desir_550")
    root = etree.fromstring(out.body)
    assert "L'accès par ce progiciel au service n'est pas autorisé" in "".join(root.itertext())
    erreur = root.find(".//{urn:siram}Erreur")
    assert erreur is not None and erreur.get("severite") == "erreur"
    assert erreur.get("messageID") == "uuid:b3549edd-4ae9-472a-b26f-fd2fb4ef397f"
    assert out.correlation["idam"] == "INCONNU-42" and out.correlation["fault"] == "desir_550"


def test_seeded_editor_idam_is_then_accepted(
    handler: InsiHandler, backend: InsiBackend, pki: TestPKI
) -> None:
    data = envelope(traits_body("MARTINEAU", "LUCIE", "F", "1985-04-12"), lps=contexte_lps(idam="EDITEUR-77"))
    assert fault_codes(call(handler, pki, data).body)[2] == "desir_550"
    backend.seed({"software": [{"idam": "EDITEUR-77", "name": "lgo-test", "version": "1.2.0"}]})
    assert code_cr(call(handler, pki, data).body) == "00"


@pytest.mark.parametrize("who", ["org-auth", "org-sign"])
def test_wrong_cn_is_desir_560(handler: InsiHandler, pki: TestPKI, who: str) -> None:
    out = call(handler, pki, envelope(traits_body("MARTINEAU", "LUCIE", "F", "1985-04-12")), who=who)
    assert fault_codes(out.body) == ("soap:Sender", "soap:siram_100", "DESIR_560")
    assert "INSI-SEC-01" in rules_of(out)


def test_insi_manu_is_accepted(handler: InsiHandler, pki: TestPKI) -> None:
    out = call(handler, pki, envelope(traits_body("MARTINEAU", "LUCIE", "F", "1985-04-12")), who="insi-manu")
    assert code_cr(out.body) == "00" and out.correlation["auth"] == "INSI-MANU"


def test_missing_contexte_lps_is_refused(handler: InsiHandler, pki: TestPKI) -> None:
    out = call(handler, pki, envelope(traits_body("MARTINEAU", "LUCIE", "F", "1985-04-12"), lps=None))
    assert fault_codes(out.body) == ("soap:Sender", "soap:siram_400", "desir_400")
    assert "INSI-CTX-01" in rules_of(out)


def test_missing_contexte_bam_is_a_finding_only(handler: InsiHandler, pki: TestPKI) -> None:
    out = call(handler, pki, envelope(traits_body("MARTINEAU", "LUCIE", "F", "1985-04-12"), bam=None))
    assert code_cr(out.body) == "00" and "INSI-BAM-01" in rules_of(out)


@pytest.mark.parametrize(
    ("body", "rule"),
    [
        (traits_body("MARTINEAU", "LUCIE", "X", "1985-04-12"), "INSI-TRAITS-02"),
        (traits_body("MARTINEAU", "LUCIE", "F", "1985-02-30"), "INSI-TRAITS-03"),
        (traits_body("MARTINEAU", "LUCIE", "F", "1985-13-00"), "INSI-TRAITS-03"),
        (traits_body("MART1NEAU", "LUCIE", "F", "1985-04-12"), "INSI-TRAITS-04"),
        (traits_body("MARTINEAU", "LUC<IE", "F", "1985-04-12"), "INSI-TRAITS-04"),
        (traits_body("MARTINEAU", "LUCIE", "F", "12/04/1985"), "INSI-TRAITS-00"),
        (traits_body("MARTINEAU", "LUCIE", "F", "1985-04-12", "7505"), "INSI-TRAITS-00"),
        (traits_body("", "LUCIE", "F", "1985-04-12"), "INSI-TRAITS-01"),
    ],
)
def test_malformed_traits_are_donnees_invalides(
    handler: InsiHandler, pki: TestPKI, body: etree._Element, rule: str
) -> None:
    out = call(handler, pki, envelope(body))
    assert fault_codes(out.body) == ("soap:Sender", "soap:siram_400", "desir_400")
    assert rule in rules_of(out)


def test_non_canonical_traits_are_searched_with_a_warning(handler: InsiHandler, pki: TestPKI) -> None:
    out = call(handler, pki, envelope(traits_body("d’Alembert-Vigny", "Jean-Baptiste", "M", "1977-09-09")))
    assert code_cr(out.body) == "00"
    assert [c.severity for c in out.checks if c.rule == "INSI-TRAITS-05"] == ["warning", "warning"]


def test_malformed_vitale_body(handler: InsiHandler, pki: TestPKI) -> None:
    body = vitale_body(num("parent")[:13], "2012-08-08", 1)
    for child in body:
        if child.tag.endswith("RangNaissance"):
            body.remove(child)
    out = call(handler, pki, envelope(body, action=ACTION_VITALE))
    assert fault_codes(out.body)[2] == "desir_400" and "INSI-VIT-01" in rules_of(out)


@pytest.mark.parametrize(
    "data",
    [
        b"<not-xml",
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>',
        b"<x/>",
    ],
)
def test_malformed_body_is_a_sender_fault(handler: InsiHandler, pki: TestPKI, data: bytes) -> None:
    out = call(handler, pki, data)
    assert out.status == 400 and fault_codes(out.body)[0] == "soap:Sender"
    assert "INSI-SOAP-01" in rules_of(out)


def test_soap11_envelope_is_version_mismatch(handler: InsiHandler, pki: TestPKI) -> None:
    data = envelope(
        traits_body("MARTINEAU", "LUCIE", "F", "1985-04-12"),
        soap_ns="http://schemas.xmlsoap.org/soap/envelope/",
    )
    out = call(handler, pki, data, content_type="text/xml; charset=utf-8")
    assert out.status == 500
    assert fault_codes(out.body)[0] == "soap:VersionMismatch"
    assert {"INSI-HTTP-01", "INSI-SOAP-01"} <= rules_of(out)


def test_unknown_action_is_action_not_supported(handler: InsiHandler, pki: TestPKI) -> None:
    out = call(
        handler, pki, envelope(traits_body("MARTINEAU", "LUCIE", "F", "1985-04-12"), action="urn:autre")
    )
    assert fault_codes(out.body)[:2] == ("soap:Sender", "wsa:ActionNotSupported")


def test_action_body_mismatch_and_missing_action(handler: InsiHandler, pki: TestPKI) -> None:
    out = call(
        handler, pki, envelope(traits_body("MARTINEAU", "LUCIE", "F", "1985-04-12"), action=ACTION_VITALE)
    )
    assert fault_codes(out.body)[2] == "desir_400" and "INSI-WSA-03" in rules_of(out)
    out = call(handler, pki, envelope(traits_body("MARTINEAU", "LUCIE", "F", "1985-04-12"), action=None))
    assert code_cr(out.body) == "00" and "INSI-WSA-01" in rules_of(out)


def test_must_understand_unknown_header(handler: InsiHandler, pki: TestPKI) -> None:
    extra = etree.Element("{urn:autre}Bloc")
    extra.set(f"{{{NS_SOAP}}}mustUnderstand", "true")
    out = call(handler, pki, envelope(traits_body("MARTINEAU", "LUCIE", "F", "1985-04-12"), extra=[extra]))
    assert fault_codes(out.body)[0] == "soap:MustUnderstand"


# ---- verification (logical operation) --------------------------------------------------------


def test_verification_by_extension_action(handler: InsiHandler, pki: TestPKI) -> None:
    data = envelope(
        traits_body("VERGNAUD", "ETIENNE", "M", "1958-11-20"),
        action=ACTION_VERIFY,
        extra=[ins_a_verifier(m15("1581199999111"))],
    )
    out = call(handler, pki, data)
    assert out.operation == "verifierIns" and code_cr(out.body) == "00"
    assert out.correlation["verification"] == "historique"
    root = etree.fromstring(out.body)
    assert root.findtext(".//{http://www.w3.org/2005/08/addressing}Action") == ACTION_VERIFY + "Response"
    (vrf,) = [c for c in out.checks if c.rule == "INSI-VRF-01"]
    assert vrf.requirement_ids == ("W1-INS-20",) and vrf.severity == "warning"


def test_verification_marker_on_a_plain_traits_search(handler: InsiHandler, pki: TestPKI) -> None:
    data = envelope(
        traits_body("MARTINEAU", "LUCIE", "F", "1985-04-12"), extra=[ins_a_verifier(num("lucie"))]
    )
    assert handler.classify(data) == "verifierIns"
    out = call(handler, pki, data)
    assert out.operation == "verifierIns" and out.correlation["verification"] == "conforme"


# ---- CPx mode ----------------------------------------------------------------------------------


def signed_assertion(pki: TestPKI, name_id: str = PS_ID) -> etree._Element:
    sign = pki.professional(PS_ID, "sign", PS_NAME)
    assertion = saml.PsAssertion(
        issuer=saml.subject_dn(sign.cert),
        name_id=name_id,
        name_qualifier="1.2.250.1.71.4.2.1",
        identifiant_facturation="991234567",
        code_specialite_amo="50",
        secteur_activite="SA33",
    )
    return assertion.sign(sign.key, [sign.cert, pki.personnes.cert])


def cpx_peer(pki: TestPKI) -> PeerIdentity:
    auth = pki.professional(PS_ID, "auth", PS_NAME)
    found = PeerIdentity.from_chain([auth.cert, pki.personnes.cert])
    assert found is not None
    return found


def test_cpx_mode_with_a_signed_assertion(handler: InsiHandler, pki: TestPKI) -> None:
    data = envelope(
        traits_body("MARTINEAU", "LUCIE", "F", "1985-04-12"), security=security(signed_assertion(pki))
    )
    out = handler.process(data, SOAP12, cpx_peer(pki), datetime.now(UTC))
    assert code_cr(out.body) == "00"
    assert out.correlation["auth"] == "CPx" and out.correlation["ps"] == PS_ID
    assert not [c for c in out.checks if c.rule.startswith("INSI-CPX")], out.checks


def test_cpx_tampered_assertion_is_desir_570(handler: InsiHandler, pki: TestPKI) -> None:
    assertion = signed_assertion(pki)
    name_id = assertion.find(f".//{{{saml.NS_SAML}}}NameID")
    assert name_id is not None
    name_id.text = "810100000024"
    data = envelope(traits_body("MARTINEAU", "LUCIE", "F", "1985-04-12"), security=security(assertion))
    out = handler.process(data, SOAP12, cpx_peer(pki), datetime.now(UTC))
    assert_schema_valid(out.body)
    assert fault_codes(out.body) == ("soap:Sender", "soap:siram_100", "desir_570")
    assert "INSI-CPX-01" in rules_of(out)


def test_cpx_assertion_signed_by_an_organisation_is_refused(handler: InsiHandler, pki: TestPKI) -> None:
    org = pki.client("org-sign")
    assertion = saml.PsAssertion(
        issuer=saml.subject_dn(org.cert),
        name_id=PS_ID,
        name_qualifier="x",
        identifiant_facturation="1",
        code_specialite_amo="50",
        secteur_activite="SA33",
    ).sign(org.key, [org.cert, pki.organisations.cert])
    data = envelope(traits_body("MARTINEAU", "LUCIE", "F", "1985-04-12"), security=security(assertion))
    out = handler.process(data, SOAP12, cpx_peer(pki), datetime.now(UTC))
    assert fault_codes(out.body)[2] == "desir_570" and "INSI-CPX-02" in rules_of(out)


def test_cpx_assertion_field_findings(handler: InsiHandler, pki: TestPKI) -> None:
    assertion = signed_assertion(pki, name_id="810100000024")
    data = envelope(traits_body("MARTINEAU", "LUCIE", "F", "1985-04-12"), security=security(assertion))
    out = handler.process(data, SOAP12, cpx_peer(pki), datetime.now(UTC))
    assert code_cr(out.body) == "00"
    assert "INSI-CPX-04" in rules_of(out)


def test_certificate_mode_security_header_must_be_empty(handler: InsiHandler, pki: TestPKI) -> None:
    sec = security()
    etree.SubElement(sec, "{urn:autre}Jeton").text = "x"
    out = call(handler, pki, envelope(traits_body("MARTINEAU", "LUCIE", "F", "1985-04-12"), security=sec))
    assert code_cr(out.body) == "00" and "INSI-SEC-02" in rules_of(out)


def test_person_without_first_name_answer_is_schema_valid(handler: InsiHandler, pki: TestPKI) -> None:
    body = traits_body("SUTRISNA", [], "M", "1981-07-14")
    out = call(handler, pki, envelope(body))
    res = resultat(out.body)
    assert res_text(res, "CR/CodeCR") == "00"
    assert res.find(f"{{{NS_RES}}}INDIVIDU/{{{NS_RES}}}TIQ/{{{NS_RES}}}Prenom") is None
    assert res_text(res, "INDIVIDU/TIQ/ListePrenom") in ("", None)
    assert "INSI-TRAITS-07" in rules_of(out)


def test_unknown_body_element(handler: InsiHandler, pki: TestPKI) -> None:
    out = call(handler, pki, envelope(etree.Element("{urn:autre}Requete")))
    assert fault_codes(out.body)[2] == "desir_400" and "INSI-BODY-01" in rules_of(out)
    out = call(handler, pki, envelope(etree.Element("{urn:autre}Requete"), action="urn:autre"))
    assert fault_codes(out.body)[1] == "wsa:ActionNotSupported"
