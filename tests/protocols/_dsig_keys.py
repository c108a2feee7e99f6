"""Throwaway test PKI for the XML signature tests (independent of protocols.pki on purpose)."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

NOW = dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class Signer:
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
    cert: x509.Certificate
    chain: list[x509.Certificate]  # leaf first, then intermediates


@dataclass(frozen=True)
class Pki:
    root: x509.Certificate
    intermediate: x509.Certificate
    cps_sign: Signer  # RSA, KeyUsage nonRepudiation only, like a CPS signature certificate
    org_sign: Signer  # RSA, KeyUsage digitalSignature
    ec_sign: Signer  # ECDSA P-256
    expired: Signer
    no_signing_usage: Signer  # KeyUsage keyEncipherment only
    foreign: Signer  # chains to another root
    foreign_root: x509.Certificate
    ca_signer: Signer  # an intermediate CA whose KeyUsage also allows digitalSignature


def _name(*attrs: tuple[x509.ObjectIdentifier, str]) -> x509.Name:
    return x509.Name([x509.NameAttribute(oid, value) for oid, value in attrs])


def _ca(
    subject: x509.Name,
    key: ec.EllipticCurvePrivateKey,
    issuer: x509.Name,
    issuer_key: ec.EllipticCurvePrivateKey,
    *,
    digital_signature: bool = False,
) -> x509.Certificate:
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - dt.timedelta(days=1000))
        .not_valid_after(NOW + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(digital_signature, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False
        )
        .sign(issuer_key, hashes.SHA256())
    )


def _leaf(
    subject: x509.Name,
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey,
    issuer: x509.Certificate,
    issuer_key: ec.EllipticCurvePrivateKey,
    *,
    digital_signature: bool = False,
    non_repudiation: bool = False,
    key_encipherment: bool = False,
    expired: bool = False,
) -> x509.Certificate:
    start = NOW - dt.timedelta(days=400 if expired else 1)
    end = NOW - dt.timedelta(days=5) if expired else NOW + dt.timedelta(days=365)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature, non_repudiation, key_encipherment, False, False, False, False, False, False
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False
        )
        .sign(issuer_key, hashes.SHA256())
    )


def ps_subject(id_nat_ps: str = "810001234567") -> x509.Name:
    return _name(
        (NameOID.COUNTRY_NAME, "FR"),
        (NameOID.TITLE, "Pharmacien"),
        (NameOID.SURNAME, "DURAND"),
        (NameOID.GIVEN_NAME, "CLAIRE"),
        (NameOID.COMMON_NAME, id_nat_ps),
    )


@functools.cache
def pki() -> Pki:
    root_key = ec.generate_private_key(ec.SECP256R1())
    root_name = _name((NameOID.COUNTRY_NAME, "FR"), (NameOID.COMMON_NAME, "TEST AC RACINE BANC"))
    root = _ca(root_name, root_key, root_name, root_key)
    inter_key = ec.generate_private_key(ec.SECP256R1())
    inter_name = _name((NameOID.COUNTRY_NAME, "FR"), (NameOID.COMMON_NAME, "TEST AC PERSONNES BANC"))
    inter = _ca(inter_name, inter_key, root_name, root_key)

    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cps = _leaf(ps_subject(), rsa_key, inter, inter_key, non_repudiation=True)
    org = _leaf(
        _name((NameOID.COUNTRY_NAME, "FR"), (NameOID.COMMON_NAME, "ORG-SIGN")),
        rsa_key,
        inter,
        inter_key,
        digital_signature=True,
    )
    ec_key = ec.generate_private_key(ec.SECP256R1())
    ec_cert = _leaf(ps_subject("810009999999"), ec_key, inter, inter_key, digital_signature=True)
    expired = _leaf(ps_subject(), rsa_key, inter, inter_key, non_repudiation=True, expired=True)
    no_sig = _leaf(ps_subject(), rsa_key, inter, inter_key, key_encipherment=True)

    foreign_key = ec.generate_private_key(ec.SECP256R1())
    foreign_name = _name((NameOID.COUNTRY_NAME, "FR"), (NameOID.COMMON_NAME, "AUTRE AC"))
    foreign_root = _ca(foreign_name, foreign_key, foreign_name, foreign_key)
    foreign = _leaf(ps_subject(), rsa_key, foreign_root, foreign_key, non_repudiation=True)
    rogue_ca_key = ec.generate_private_key(ec.SECP256R1())
    rogue_ca_name = _name((NameOID.COUNTRY_NAME, "FR"), (NameOID.COMMON_NAME, "TEST AC SIGNANTE"))
    rogue_ca = _ca(rogue_ca_name, rogue_ca_key, root_name, root_key, digital_signature=True)
    return Pki(
        root=root,
        intermediate=inter,
        cps_sign=Signer(rsa_key, cps, [cps, inter]),
        org_sign=Signer(rsa_key, org, [org, inter]),
        ec_sign=Signer(ec_key, ec_cert, [ec_cert, inter]),
        expired=Signer(rsa_key, expired, [expired, inter]),
        no_signing_usage=Signer(rsa_key, no_sig, [no_sig, inter]),
        foreign=Signer(rsa_key, foreign, [foreign]),
        foreign_root=foreign_root,
        ca_signer=Signer(rogue_ca_key, rogue_ca, [rogue_ca]),
    )
