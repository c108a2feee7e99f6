"""SAML 2.0 assertion model: the INSi CPx "PS assertion" and, generally, the DMP VIHF.

`Assertion` is the general model (issuer, subject NameID, conditions, an optional AuthnStatement,
attributes whose values are text or one XML element such as an hl7:Role); `PsAssertion` is the
INSi view with its three named attributes. Signing goes through `protocols.xmldsig` with the
ds:Signature right after saml:Issuer, as the schema orders it.
"""

from __future__ import annotations

import copy
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TypeAlias

from cryptography import x509
from cryptography.x509.oid import NameOID
from lxml import etree

from protocols import xmldsig

NS_SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
NAMEID_X509_SUBJECT = "urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName"
AC_SMARTCARD_PKI = "urn:oasis:names:tc:SAML:2.0:ac:classes:SmartcardPKI"
AC_PASSWORD = "urn:oasis:names:tc:SAML:2.0:ac:classes:Password"
AC_MOBILE_TWO_FACTOR = "urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorUnregistered"

ATTR_IDENTIFIANT_FACTURATION = "identifiantFacturation"
ATTR_CODE_SPECIALITE_AMO = "codeSpecialiteAMO"
ATTR_SECTEUR_ACTIVITE = "secteurActivite"

ASSERTION_TAG = f"{{{NS_SAML}}}Assertion"
ISSUER_TAG = f"{{{NS_SAML}}}Issuer"

_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$")
_NCNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")

AttributeValue: TypeAlias = str | etree._Element


class SamlError(ValueError):
    """The assertion is not usable; the message is French."""


def _s(local: str) -> str:
    return f"{{{NS_SAML}}}{local}"


def new_assertion_id() -> str:
    return f"_{uuid.uuid4()}"


def utc_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def format_instant(value: datetime) -> str:
    """xs:dateTime in UTC, second precision, with the Z designator."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_instant(text: str | None, what: str) -> datetime:
    value = (text or "").strip()
    if not _DATETIME.match(value):
        raise SamlError(f"date invalide pour {what} : {value!r}")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise SamlError(f"date invalide pour {what} : {value!r}") from None
    if parsed.tzinfo is None:  # SAML times are UTC
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def subject_dn(cert: x509.Certificate) -> str:
    """The certificate subject as an RFC 4514 string, GN/SN spelled out (CI-SIS transport volet)."""
    return cert.subject.rfc4514_string({NameOID.GIVEN_NAME: "GN", NameOID.SURNAME: "SN"})


@dataclass
class Attribute:
    name: str
    values: list[AttributeValue]
    name_format: str | None = None


@dataclass
class AuthnStatement:
    authn_instant: datetime
    class_ref: str  # e.g. AC_SMARTCARD_PKI
    session_index: str | None = None


@dataclass
class Assertion:
    issuer: str
    name_id: str | None = None
    name_qualifier: str | None = None
    name_id_format: str | None = None
    issuer_format: str | None = NAMEID_X509_SUBJECT
    id: str = field(default_factory=new_assertion_id)
    issue_instant: datetime = field(default_factory=utc_now)
    not_before: datetime | None = None
    not_on_or_after: datetime | None = None
    authn: AuthnStatement | None = None
    attributes: list[Attribute] = field(default_factory=list)

    def values(self, name: str) -> list[AttributeValue]:
        """All values of the attributes called `name` (several Attribute elements are merged)."""
        return [v for a in self.attributes if a.name == name for v in a.values]

    def value(self, name: str) -> str | None:
        """First text value of an attribute, stripped; None when absent or structured."""
        for v in self.values(name):
            if isinstance(v, str):
                return v.strip()
        return None

    def valid_at(self, now: datetime, skew: timedelta = timedelta(0)) -> bool:
        """Conditions check: NotBefore <= now < NotOnOrAfter, with a tolerance for clock skew."""
        if self.not_before is not None and now + skew < self.not_before:
            return False
        return not (self.not_on_or_after is not None and now - skew >= self.not_on_or_after)

    def build(self, prefix: str = "saml") -> etree._Element:
        """The unsigned saml:Assertion element, children in schema order."""
        if not _NCNAME.match(self.id):
            raise SamlError(f"identifiant d'assertion invalide : {self.id!r}")
        root = etree.Element(_s("Assertion"), nsmap={prefix: NS_SAML})
        root.set("ID", self.id)
        root.set("IssueInstant", format_instant(self.issue_instant))
        root.set("Version", "2.0")
        issuer = etree.SubElement(root, _s("Issuer"))
        if self.issuer_format:
            issuer.set("Format", self.issuer_format)
        issuer.text = self.issuer
        if self.name_id is not None:
            subject = etree.SubElement(root, _s("Subject"))
            name_id = etree.SubElement(subject, _s("NameID"))
            if self.name_qualifier is not None:
                name_id.set("NameQualifier", self.name_qualifier)
            if self.name_id_format is not None:
                name_id.set("Format", self.name_id_format)
            name_id.text = self.name_id
        if self.not_before is not None or self.not_on_or_after is not None:
            conditions = etree.SubElement(root, _s("Conditions"))
            if self.not_before is not None:
                conditions.set("NotBefore", format_instant(self.not_before))
            if self.not_on_or_after is not None:
                conditions.set("NotOnOrAfter", format_instant(self.not_on_or_after))
        if self.authn is not None:
            authn = etree.SubElement(root, _s("AuthnStatement"))
            authn.set("AuthnInstant", format_instant(self.authn.authn_instant))
            if self.authn.session_index is not None:
                authn.set("SessionIndex", self.authn.session_index)
            context = etree.SubElement(authn, _s("AuthnContext"))
            etree.SubElement(context, _s("AuthnContextClassRef")).text = self.authn.class_ref
        if self.attributes:
            statement = etree.SubElement(root, _s("AttributeStatement"))
            for attribute in self.attributes:
                el = etree.SubElement(statement, _s("Attribute"))
                el.set("Name", attribute.name)
                if attribute.name_format is not None:
                    el.set("NameFormat", attribute.name_format)
                for value in attribute.values:
                    value_el = etree.SubElement(el, _s("AttributeValue"))
                    if isinstance(value, str):
                        value_el.text = value
                    else:
                        value_el.append(copy.deepcopy(value))
        return root


def _text(el: etree._Element | None) -> str | None:
    return None if el is None else (el.text or "").strip()


def parse_assertion(el: etree._Element) -> Assertion:
    """Read a saml:Assertion (signed or not; verify with xmldsig first and parse what it returns)."""
    if el.tag != ASSERTION_TAG:
        raise SamlError("élément saml:Assertion attendu")
    if el.get("Version") != "2.0":
        raise SamlError("version d'assertion SAML non prise en charge (2.0 attendue)")
    assertion_id = el.get("ID") or ""
    if not _NCNAME.match(assertion_id):
        raise SamlError("attribut ID de l'assertion absent ou invalide")
    issuer = el.find(_s("Issuer"))
    if issuer is None or not _text(issuer):
        raise SamlError("élément saml:Issuer absent ou vide")
    name_id = el.find(f"{_s('Subject')}/{_s('NameID')}")
    conditions = el.find(_s("Conditions"))
    authn: AuthnStatement | None = None
    authn_el = el.find(_s("AuthnStatement"))
    if authn_el is not None:
        class_ref = _text(authn_el.find(f"{_s('AuthnContext')}/{_s('AuthnContextClassRef')}"))
        authn = AuthnStatement(
            authn_instant=parse_instant(authn_el.get("AuthnInstant"), "AuthnInstant"),
            class_ref=class_ref or "",
            session_index=authn_el.get("SessionIndex"),
        )
    attributes: list[Attribute] = []
    for attr in el.iterfind(f"{_s('AttributeStatement')}/{_s('Attribute')}"):
        name = attr.get("Name")
        if not name:
            raise SamlError("attribut SAML sans nom")
        values: list[AttributeValue] = []
        for value in attr.iterfind(_s("AttributeValue")):
            children = [c for c in value if isinstance(c.tag, str)]
            if len(children) > 1:
                raise SamlError(f"valeur de l'attribut {name} : un seul élément attendu")
            values.append(children[0] if children else (value.text or ""))
        attributes.append(Attribute(name=name, values=values, name_format=attr.get("NameFormat")))
    return Assertion(
        issuer=_text(issuer) or "",
        issuer_format=issuer.get("Format"),
        name_id=_text(name_id),
        name_qualifier=name_id.get("NameQualifier") if name_id is not None else None,
        name_id_format=name_id.get("Format") if name_id is not None else None,
        id=assertion_id,
        issue_instant=parse_instant(el.get("IssueInstant"), "IssueInstant"),
        not_before=_optional_instant(conditions, "NotBefore"),
        not_on_or_after=_optional_instant(conditions, "NotOnOrAfter"),
        authn=authn,
        attributes=attributes,
    )


def _optional_instant(el: etree._Element | None, attribute: str) -> datetime | None:
    if el is None or el.get(attribute) is None:
        return None
    return parse_instant(el.get(attribute), attribute)


@dataclass
class PsAssertion:
    """INSi CPx assertion (spec §1.4): who the professional is, signed with the CPS card."""

    issuer: str  # subject DN of the CPS signing certificate (see subject_dn)
    name_id: str  # IdNatPS
    name_qualifier: str
    identifiant_facturation: str
    code_specialite_amo: str
    secteur_activite: str
    id: str = field(default_factory=new_assertion_id)
    issue_instant: datetime = field(default_factory=utc_now)
    not_before: datetime | None = None
    not_on_or_after: datetime | None = None

    def to_assertion(self) -> Assertion:
        return Assertion(
            issuer=self.issuer,
            issuer_format=NAMEID_X509_SUBJECT,
            name_id=self.name_id,
            name_qualifier=self.name_qualifier,
            id=self.id,
            issue_instant=self.issue_instant,
            not_before=self.not_before,
            not_on_or_after=self.not_on_or_after,
            attributes=[
                Attribute(ATTR_IDENTIFIANT_FACTURATION, [self.identifiant_facturation]),
                Attribute(ATTR_CODE_SPECIALITE_AMO, [self.code_specialite_amo]),
                Attribute(ATTR_SECTEUR_ACTIVITE, [self.secteur_activite]),
            ],
        )

    def build(self) -> etree._Element:
        return self.to_assertion().build()

    def sign(self, key: xmldsig.SigningKey, cert_chain: list[x509.Certificate]) -> etree._Element:
        return sign_assertion(self.build(), key, cert_chain)

    @classmethod
    def from_assertion(cls, assertion: Assertion) -> PsAssertion:
        missing = [
            n
            for n in (ATTR_IDENTIFIANT_FACTURATION, ATTR_CODE_SPECIALITE_AMO, ATTR_SECTEUR_ACTIVITE)
            if assertion.value(n) is None
        ]
        if missing:
            raise SamlError("attribut(s) absent(s) de l'assertion PS : " + ", ".join(missing))
        if not assertion.name_id:
            raise SamlError("identifiant du professionnel (Subject/NameID) absent")
        return cls(
            issuer=assertion.issuer,
            name_id=assertion.name_id,
            name_qualifier=assertion.name_qualifier or "",
            identifiant_facturation=assertion.value(ATTR_IDENTIFIANT_FACTURATION) or "",
            code_specialite_amo=assertion.value(ATTR_CODE_SPECIALITE_AMO) or "",
            secteur_activite=assertion.value(ATTR_SECTEUR_ACTIVITE) or "",
            id=assertion.id,
            issue_instant=assertion.issue_instant,
            not_before=assertion.not_before,
            not_on_or_after=assertion.not_on_or_after,
        )


def parse_ps_assertion(el: etree._Element) -> PsAssertion:
    return PsAssertion.from_assertion(parse_assertion(el))


def sign_assertion(
    el: etree._Element, key: xmldsig.SigningKey, cert_chain: list[x509.Certificate]
) -> etree._Element:
    """Signed copy of an assertion, ds:Signature right after saml:Issuer, reference on its ID."""
    return xmldsig.sign_enveloped(el, key, cert_chain, after=ISSUER_TAG, id_attribute="ID")


def verify_assertion(
    data: etree._Element | bytes, trust_roots: list[x509.Certificate], *, at: datetime | None = None
) -> tuple[Assertion, x509.Certificate]:
    """Verify then parse what was verified; raises xmldsig.XmlSignatureError or SamlError."""
    verified = xmldsig.verify(data, trust_roots, expected_tag=ASSERTION_TAG, at=at, id_attribute="ID")
    return parse_assertion(verified.element), verified.certificate
