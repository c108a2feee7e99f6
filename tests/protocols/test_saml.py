from __future__ import annotations

import datetime as dt
import re

import pytest
from _dsig_keys import pki
from lxml import etree

from protocols import saml, xmldsig
from protocols.saml import NS_SAML, Assertion, Attribute, AuthnStatement, PsAssertion, SamlError

NS = {"saml": NS_SAML, "ds": xmldsig.NS_DS}
NS_HL7 = "urn:hl7-org:v3"
UTC = dt.UTC
T0 = dt.datetime(2026, 3, 2, 9, 15, 30, 123456, tzinfo=UTC)


def _ps(**overrides: object) -> PsAssertion:
    fields: dict[str, object] = {
        "issuer": saml.subject_dn(pki().cps_sign.cert),
        "name_id": "810001234567",
        "name_qualifier": "CPS",
        "identifiant_facturation": "991234567",
        "code_specialite_amo": "50",
        "secteur_activite": "SA33",
        "issue_instant": T0,
        "not_before": T0,
        "not_on_or_after": T0 + dt.timedelta(minutes=5),
    }
    fields.update(overrides)
    return PsAssertion(**fields)  # type: ignore[arg-type]


def test_subject_dn_spells_gn_and_sn() -> None:
    dn = saml.subject_dn(pki().cps_sign.cert)
    assert dn == "CN=810001234567,GN=CLAIRE,SN=DURAND,2.5.4.12=Pharmacien,C=FR"


def test_ps_assertion_wire_shape() -> None:
    el = _ps().build()
    assert el.tag == saml.ASSERTION_TAG and el.prefix == "saml"
    assert el.get("Version") == "2.0"
    assert el.get("IssueInstant") == "2026-03-02T09:15:30Z"  # UTC, second precision
    assert [etree.QName(c).localname for c in el] == ["Issuer", "Subject", "Conditions", "AttributeStatement"]
    issuer = el.find("saml:Issuer", NS)
    assert issuer is not None
    assert issuer.get("Format") == "urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName"
    assert issuer.text == saml.subject_dn(pki().cps_sign.cert)
    name_id = el.find("saml:Subject/saml:NameID", NS)
    assert name_id is not None and name_id.get("NameQualifier") == "CPS" and name_id.text == "810001234567"
    conditions = el.find("saml:Conditions", NS)
    assert conditions is not None
    assert conditions.get("NotBefore") == "2026-03-02T09:15:30Z"
    assert conditions.get("NotOnOrAfter") == "2026-03-02T09:20:30Z"
    attrs = el.findall("saml:AttributeStatement/saml:Attribute", NS)
    assert [(a.get("Name"), a.findtext("saml:AttributeValue", namespaces=NS)) for a in attrs] == [
        ("identifiantFacturation", "991234567"),
        ("codeSpecialiteAMO", "50"),
        ("secteurActivite", "SA33"),
    ]


def test_default_id_and_instant() -> None:
    ps = PsAssertion("CN=x", "810001234567", "CPS", "1", "2", "SA33")
    assert re.fullmatch(r"_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", ps.id)
    assert ps.issue_instant.tzinfo is not None and ps.issue_instant.microsecond == 0
    assert PsAssertion("CN=x", "1", "CPS", "1", "2", "3").id != ps.id
    el = ps.build()
    assert el.find("saml:Conditions", NS) is None  # no validity window unless asked


def test_signed_ps_assertion_roundtrip() -> None:
    ps = _ps()
    signed = ps.sign(pki().cps_sign.key, pki().cps_sign.chain)
    assert [etree.QName(c).localname for c in signed][:2] == ["Issuer", "Signature"]
    ref = signed.find("ds:Signature/ds:SignedInfo/ds:Reference", NS)
    assert ref is not None and ref.get("URI") == f"#{ps.id}"
    assertion, cert = saml.verify_assertion(etree.tostring(signed), [pki().root])
    assert cert == pki().cps_sign.cert
    back = PsAssertion.from_assertion(assertion)
    whole = T0.replace(microsecond=0)  # the wire carries whole seconds
    expected = {
        "issue_instant": whole,
        "not_before": whole,
        "not_on_or_after": whole + dt.timedelta(minutes=5),
    }
    assert back == PsAssertion(**{**ps.__dict__, **expected})


def test_tampered_signed_assertion_is_refused() -> None:
    signed = _ps().sign(pki().cps_sign.key, pki().cps_sign.chain)
    value = signed.find("saml:AttributeStatement/saml:Attribute/saml:AttributeValue", NS)
    assert value is not None
    value.text = "000000000"
    with pytest.raises(xmldsig.XmlSignatureError) as info:
        saml.verify_assertion(signed, [pki().root])
    assert info.value.code == "digest"


def test_parse_an_assertion_written_by_another_client() -> None:
    # Shape produced by a public INSi client: default namespace, milliseconds, no Conditions.
    data = (
        f'<Assertion xmlns="{NS_SAML}" ID="_c6a7f665-9b82-4b4f-9f1c-6f918d1c70b8" '
        'IssueInstant="2022-04-12T15:07:10.065Z" Version="2.0">'
        '<Issuer Format="urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName">'
        "GN=OLIVIER+CN=00B6087510+SN=INFIRMCS,C=FR</Issuer>"
        '<Subject><NameID NameQualifier="CPS">00B6087510</NameID></Subject>'
        '<AttributeStatement><Attribute Name="identifiantFacturation"><AttributeValue>123456789</AttributeValue>'
        '</Attribute><Attribute Name="codeSpecialiteAMO"><AttributeValue> 24 </AttributeValue></Attribute>'
        '<Attribute Name="secteurActivite"><AttributeValue>SA05</AttributeValue></Attribute>'
        "</AttributeStatement></Assertion>"
    ).encode()
    ps = saml.parse_ps_assertion(etree.fromstring(data))
    assert ps.id == "_c6a7f665-9b82-4b4f-9f1c-6f918d1c70b8"
    assert ps.issue_instant == dt.datetime(2022, 4, 12, 15, 7, 10, 65000, tzinfo=UTC)
    assert ps.name_id == "00B6087510" and ps.name_qualifier == "CPS"
    assert ps.code_specialite_amo == "24"
    assert ps.not_before is None and ps.not_on_or_after is None


def test_ps_assertion_without_a_required_attribute_is_refused() -> None:
    el = _ps().build()
    statement = el.find("saml:AttributeStatement", NS)
    assert statement is not None
    statement.remove(statement[1])
    with pytest.raises(SamlError, match="codeSpecialiteAMO"):
        saml.parse_ps_assertion(el)


def _attribute_of(el: etree._Element) -> etree._Element:
    found = el.find("saml:AttributeStatement/saml:Attribute", NS)
    assert found is not None
    return found


@pytest.mark.parametrize(
    ("mutate", "needle"),
    [
        (lambda el: el.set("Version", "1.1"), "version"),
        (lambda el: el.set("ID", "1-starts-with-digit"), "ID"),
        (lambda el: el.attrib.pop("ID"), "ID"),
        (lambda el: el.set("IssueInstant", "2026-03-02"), "IssueInstant"),
        (lambda el: el.set("IssueInstant", "2026-13-45T99:00:00Z"), "IssueInstant"),
        (lambda el: el.remove(el.find("saml:Issuer", NS)), "Issuer"),
        (lambda el: el.find("saml:Conditions", NS).set("NotOnOrAfter", "demain"), "NotOnOrAfter"),
        (lambda el: _attribute_of(el).attrib.pop("Name"), "sans nom"),
    ],
)
def test_invalid_assertions_are_refused(mutate: object, needle: str) -> None:
    el = _ps().build()
    mutate(el)  # type: ignore[operator]
    with pytest.raises(SamlError, match=needle):
        saml.parse_assertion(el)


def test_wrong_root_is_refused() -> None:
    with pytest.raises(SamlError):
        saml.parse_assertion(etree.fromstring(f'<saml:Response xmlns:saml="{NS_SAML}"/>'))


def test_instants_with_offsets_are_converted_to_utc() -> None:
    assert saml.parse_instant("2026-03-02T10:15:30+01:00", "x") == dt.datetime(
        2026, 3, 2, 9, 15, 30, tzinfo=UTC
    )
    assert saml.parse_instant("2026-03-02T09:15:30", "x").tzinfo == UTC
    paris = dt.timezone(dt.timedelta(hours=2))
    assert saml.format_instant(dt.datetime(2026, 6, 1, 12, 0, 0, 999, tzinfo=paris)) == "2026-06-01T10:00:00Z"


def test_validity_window() -> None:
    a = saml.parse_assertion(_ps().build())
    start = T0.replace(microsecond=0)
    assert a.valid_at(start)
    assert not a.valid_at(start - dt.timedelta(seconds=1))
    assert a.valid_at(start - dt.timedelta(seconds=1), skew=dt.timedelta(seconds=5))
    assert not a.valid_at(start + dt.timedelta(minutes=5))
    assert a.valid_at(start + dt.timedelta(minutes=5), skew=dt.timedelta(seconds=1))


def _vihf_like() -> Assertion:
    role = etree.Element(f"{{{NS_HL7}}}Role", nsmap={None: NS_HL7})
    role.set("code", "21")
    role.set("codeSystem", "1.2.250.1.71.1.2.7")
    section = etree.Element(f"{{{NS_HL7}}}Role", nsmap={None: NS_HL7})
    section.set("code", "A")
    section.set("codeSystem", "1.2.250.1.71.4.2.6")
    return Assertion(
        issuer=saml.subject_dn(pki().org_sign.cert),
        name_id="810001234567",
        issue_instant=T0,
        authn=AuthnStatement(authn_instant=T0, class_ref=saml.AC_SMARTCARD_PKI),
        attributes=[
            Attribute("VIHF_Version", ["3.0"]),
            Attribute("urn:oasis:names:tc:xacml:2.0:subject:role", [role, section]),
            Attribute("Secteur_Activite", ["SA33^1.2.250.1.71.4.2.4"]),
            Attribute("Ressource_URN", ["urn:dmp"]),
        ],
    )


def test_general_assertion_with_authn_and_structured_values() -> None:
    model = _vihf_like()
    el = model.build(prefix="saml2")
    assert el.prefix == "saml2"
    assert [etree.QName(c).localname for c in el] == [
        "Issuer",
        "Subject",
        "AuthnStatement",
        "AttributeStatement",
    ]
    s = pki().org_sign
    signed = saml.sign_assertion(el, s.key, s.chain)
    parsed, _ = saml.verify_assertion(signed, [pki().root])
    assert parsed.authn is not None and parsed.authn.class_ref == saml.AC_SMARTCARD_PKI
    assert parsed.authn.authn_instant == T0.replace(microsecond=0)
    roles = parsed.values("urn:oasis:names:tc:xacml:2.0:subject:role")
    assert [(r.tag, r.get("code")) for r in roles if not isinstance(r, str)] == [
        (f"{{{NS_HL7}}}Role", "21"),
        (f"{{{NS_HL7}}}Role", "A"),
    ]
    assert parsed.value("urn:oasis:names:tc:xacml:2.0:subject:role") is None  # structured only
    assert parsed.value("VIHF_Version") == "3.0"
    assert parsed.value("absent") is None
    # The model's own elements were copied into the assertion, not moved.
    original_role = model.attributes[1].values[0]
    assert not isinstance(original_role, str) and original_role.getparent() is None


def test_attributes_from_several_statements_are_merged() -> None:
    el = Assertion(issuer="CN=x", attributes=[Attribute("a", ["1"])]).build()
    second = etree.SubElement(el, f"{{{NS_SAML}}}AttributeStatement")
    attr = etree.SubElement(second, f"{{{NS_SAML}}}Attribute", Name="a")
    etree.SubElement(attr, f"{{{NS_SAML}}}AttributeValue").text = "2"
    assert saml.parse_assertion(el).values("a") == ["1", "2"]


def test_value_with_two_elements_is_refused() -> None:
    el = Assertion(issuer="CN=x", attributes=[Attribute("a", ["1"])]).build()
    value = el.find("saml:AttributeStatement/saml:Attribute/saml:AttributeValue", NS)
    assert value is not None
    value.text = None
    etree.SubElement(value, "{urn:x}one")
    etree.SubElement(value, "{urn:x}two")
    with pytest.raises(SamlError):
        saml.parse_assertion(el)


def test_build_refuses_an_invalid_id() -> None:
    with pytest.raises(SamlError):
        Assertion(issuer="CN=x", id="not an id").build()
