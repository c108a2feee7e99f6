"""Certificate and CRL profiles of the bench's IGC-Santé-like test PKI (built with `cryptography`).

Hierarchy (names shaped like the IGC-Santé test chain; the organisation is the bench's own):

    TEST AC RACINE IGC-SANTE ELEMENTAIRE                      root, self-signed
    ├── TEST AC IGC-SANTE ELEMENTAIRE ORGANISATIONS           servers, INSI-AUTO/MANU, org auth/sign
    └── TEST AC IGC-SANTE ELEMENTAIRE PERSONNES               professionals (CPS-like auth and sign)
    TEST AC INCONNUE                                          separate untrusted root (wrong-CA variant)

Every certificate carries a CRL Distribution Point on the bench control plane,
``http://127.0.0.1:7900/_bench/pki/crl/<ca>.crl`` (DER, RFC 5280 §4.2.1.13), where ``<ca>`` is the
issuing CA key: ``root``, ``organisations`` or ``personnes``.

Professional subject DN (the real IGC-Santé layout is not public, cards digest §8.1), chosen so that
the national PS identifier is machine-readable::

    C=FR, O=ANS-BANC-SEGUR, OU=<Authentification|Signature> CPS, serialNumber=<idNatPS>, CN=<display name>
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

ORG_NAME = "ANS-BANC-SEGUR"
CA_UNIT = "IGC-SANTE TEST BANC"
CRL_URL = "http://127.0.0.1:7900/_bench/pki/crl/{ca}.crl"

ROOT, ORGANISATIONS, PERSONNES, UNKNOWN = "root", "organisations", "personnes", "inconnue"
TRUSTED_CAS = (ROOT, ORGANISATIONS, PERSONNES)
CA_COMMON_NAMES = {
    ROOT: "TEST AC RACINE IGC-SANTE ELEMENTAIRE",
    ORGANISATIONS: "TEST AC IGC-SANTE ELEMENTAIRE ORGANISATIONS",
    PERSONNES: "TEST AC IGC-SANTE ELEMENTAIRE PERSONNES",
    UNKNOWN: "TEST AC INCONNUE",
}
CA_PARENT: dict[str, str | None] = {ROOT: None, ORGANISATIONS: ROOT, PERSONNES: ROOT, UNKNOWN: None}

CA_VALIDITY = timedelta(days=20 * 365)
LEAF_VALIDITY = timedelta(days=3 * 365)
# Backdated so that a scenario freezing the bench clock a little in the past still sees valid certificates;
# CAs further back so that every leaf (the expired variant included) lies inside its issuer's validity.
BACKDATE = timedelta(days=365)
CA_BACKDATE = 5 * BACKDATE
CRL_VALIDITY = timedelta(days=30)
KEY_SIZE = 2048  # the CPS card signs RSA PKCS#1 v1.5; the whole hierarchy stays RSA-2048


class Usage(Enum):
    """What a leaf is for; fixes its KeyUsage and ExtendedKeyUsage."""

    SERVER = "server"  # TLS server: digitalSignature + keyEncipherment, EKU serverAuth, SANs
    CLIENT_AUTH = (
        "client-auth"  # TLS client / token signing: digitalSignature + keyEncipherment, EKU clientAuth
    )
    SIGNATURE = "signature"  # documents (VIHF, XAdES, CPS sign): digitalSignature + nonRepudiation, no EKU


@dataclass(frozen=True)
class LeafSpec:
    """Everything that decides a leaf certificate's content (compared to detect a needed re-issue)."""

    issuer: str
    subject: x509.Name
    usage: Usage
    dns_names: tuple[str, ...] = ()
    expired: bool = False  # negative variant: whole validity in the past
    revoked: bool = False  # negative variant: serial listed in the issuer's CRL


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)


def org_name(common_name: str, unit: str | None = None) -> x509.Name:
    attributes = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORG_NAME),
    ]
    if unit:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit))
    attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    return x509.Name(attributes)


def ca_name(ca: str) -> x509.Name:
    return org_name(CA_COMMON_NAMES[ca], CA_UNIT)


def professional_name(id_nat_ps: str, usage: str, display_name: str) -> x509.Name:
    unit = "Authentification CPS" if usage == "auth" else "Signature CPS"
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORG_NAME),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, id_nat_ps),
            x509.NameAttribute(NameOID.COMMON_NAME, display_name),
        ]
    )


def id_nat_ps_of(cert: x509.Certificate) -> str | None:
    """The national PS identifier carried by a professional certificate (subject serialNumber)."""
    values = cert.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)
    return str(values[0].value) if values else None


def rpps_part(id_nat_ps: str) -> str:
    """File-name part of a professional (`ps-<rpps>-auth`): the RPPS of an RPPS-based idNatPS ("8" + 11
    digits), the idNatPS itself otherwise (ADELI-based "0" + ADELI, PSC test identities)."""
    if len(id_nat_ps) == 12 and id_nat_ps.isdigit() and id_nat_ps.startswith("8"):
        return id_nat_ps[1:]
    return id_nat_ps


def crl_distribution_point(ca: str) -> x509.CRLDistributionPoints:
    url = x509.UniformResourceIdentifier(CRL_URL.format(ca=ca))
    return x509.CRLDistributionPoints([x509.DistributionPoint([url], None, None, None)])


def _ski(key: rsa.RSAPrivateKey) -> x509.SubjectKeyIdentifier:
    return x509.SubjectKeyIdentifier.from_public_key(key.public_key())


def _aki(issuer_cert: x509.Certificate) -> x509.AuthorityKeyIdentifier:
    ski = issuer_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    return x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski)


def make_ca(
    ca: str,
    key: rsa.RSAPrivateKey,
    now: datetime,
    parent: tuple[x509.Certificate, rsa.RSAPrivateKey] | None,
) -> x509.Certificate:
    """A CA certificate: critical BasicConstraints(CA), keyCertSign + cRLSign, SKI/AKI (STACK-NOTES)."""
    subject = ca_name(ca)
    issuer_name, signing_key = (parent[0].subject, parent[1]) if parent else (subject, key)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - CA_BACKDATE)
        .not_valid_after(now + CA_VALIDITY)
        .add_extension(
            x509.BasicConstraints(ca=True, path_length=None if parent is None else 0), critical=True
        )
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(_ski(key), critical=False)
    )
    if parent is not None:
        parent_ca = CA_PARENT[ca]
        assert parent_ca is not None, f"{ca} is a root"
        builder = builder.add_extension(_aki(parent[0]), critical=False)
        builder = builder.add_extension(crl_distribution_point(parent_ca), critical=False)
    return builder.sign(signing_key, hashes.SHA256())


def _key_usage(usage: Usage) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=usage is Usage.SIGNATURE,
        key_encipherment=usage is not Usage.SIGNATURE,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )


def _san(dns_names: tuple[str, ...]) -> x509.SubjectAlternativeName:
    names: list[x509.GeneralName] = []
    for value in dns_names:
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(value)))
        except ValueError:
            names.append(x509.DNSName(value))
    return x509.SubjectAlternativeName(names)


def make_leaf(
    spec: LeafSpec,
    key: rsa.RSAPrivateKey,
    issuer: tuple[x509.Certificate, rsa.RSAPrivateKey],
    now: datetime,
) -> x509.Certificate:
    issuer_cert, issuer_key = issuer
    if spec.expired:
        not_before, not_after = now - 2 * BACKDATE, now - timedelta(days=30)
    else:
        not_before, not_after = now - BACKDATE, now + LEAF_VALIDITY
    builder = (
        x509.CertificateBuilder()
        .subject_name(spec.subject)
        .issuer_name(issuer_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(min(not_after, issuer_cert.not_valid_after_utc))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(spec.usage), critical=True)
        .add_extension(_ski(key), critical=False)
        .add_extension(_aki(issuer_cert), critical=False)
    )
    if spec.usage is Usage.SERVER:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        )
    elif spec.usage is Usage.CLIENT_AUTH:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False
        )
    if spec.dns_names:
        builder = builder.add_extension(_san(spec.dns_names), critical=False)
    if spec.issuer in TRUSTED_CAS:
        builder = builder.add_extension(crl_distribution_point(spec.issuer), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def make_crl(
    issuer: tuple[x509.Certificate, rsa.RSAPrivateKey],
    revoked: list[tuple[int, datetime]],
    number: int,
    now: datetime,
) -> x509.CertificateRevocationList:
    """A CRL v2 with CRL number and AKI, listing (serial, revocation date) pairs as keyCompromise."""
    issuer_cert, issuer_key = issuer
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer_cert.subject)
        .last_update(now - timedelta(hours=1))
        .next_update(now + CRL_VALIDITY)
        .add_extension(x509.CRLNumber(number), critical=False)
        .add_extension(_aki(issuer_cert), critical=False)
    )
    for serial, revoked_at in revoked:
        entry = (
            x509.RevokedCertificateBuilder()
            .serial_number(serial)
            .revocation_date(revoked_at)
            .add_extension(x509.CRLReason(x509.ReasonFlags.key_compromise), critical=False)
            .build()
        )
        builder = builder.add_revoked_certificate(entry)
    return builder.sign(issuer_key, hashes.SHA256())
