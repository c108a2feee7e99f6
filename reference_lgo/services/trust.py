"""Validation of a professional's card certificate against the trust files of the settings: the
exported CA chain (PEM) and the CRL folder. Uses `cryptography`'s X.509 path validation; the CRL
check is written here because `cryptography` does not do revocation.

The LGO trusts files, never the bench's PKI generator (it must behave like an editor's LGO).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from cryptography.x509.verification import (
    Criticality,
    ExtensionPolicy,
    PolicyBuilder,
    Store,
    VerificationError,
)

from reference_lgo.services.errors import CardLoginError

MAX_TRUST_FILE = 1_000_000


def _fail(code: str, message: str) -> CardLoginError:
    return CardLoginError(message, code=code)


@dataclass(frozen=True)
class TrustFiles:
    roots: list[x509.Certificate]
    intermediates: list[x509.Certificate]
    crls: list[x509.CertificateRevocationList]


def _read(path: Path, what: str) -> bytes:
    try:
        if path.stat().st_size > MAX_TRUST_FILE:
            raise _fail("confiance_indisponible", f"{what} trop volumineux : {path}")
        return path.read_bytes()
    except OSError:
        raise _fail(
            "confiance_indisponible",
            f"{what} introuvable ou illisible : {path}. Vérifiez les paramètres de l'officine.",
        ) from None


def load_trust(chain_path: str, crl_dir: str) -> TrustFiles:
    if not chain_path or not crl_dir:
        raise _fail(
            "confiance_indisponible",
            "Chaîne de confiance ou dossier des CRL non renseigné dans les paramètres de l'officine.",
        )
    try:
        certificates = x509.load_pem_x509_certificates(_read(Path(chain_path), "Chaîne des AC de confiance"))
    except ValueError:
        raise _fail(
            "confiance_indisponible", f"Chaîne des AC illisible (PEM attendu) : {chain_path}"
        ) from None
    roots = [c for c in certificates if c.subject == c.issuer]
    if not roots:
        raise _fail("confiance_indisponible", f"Aucune AC racine dans {chain_path}.")
    folder = Path(crl_dir)
    if not folder.is_dir():
        raise _fail("confiance_indisponible", f"Dossier des listes de révocation introuvable : {crl_dir}")
    crls = []
    for path in sorted(folder.iterdir()):
        if path.suffix not in (".pem", ".crl", ".der"):
            continue
        data = _read(path, "Liste de révocation")
        try:
            crl = (
                x509.load_pem_x509_crl(data)
                if data.lstrip().startswith(b"-----")
                else x509.load_der_x509_crl(data)
            )
        except ValueError:
            raise _fail("confiance_indisponible", f"Liste de révocation illisible : {path}") from None
        crls.append(crl)
    return TrustFiles(roots, [c for c in certificates if c.subject != c.issuer], crls)


def _ee_policy() -> ExtensionPolicy:
    # Card certificates carry no subjectAltName (the identity is in the subject DN): allow its absence.
    return ExtensionPolicy.webpki_defaults_ee().may_be_present(
        x509.SubjectAlternativeName, Criticality.AGNOSTIC, None
    )


def _check_validity(certificate: x509.Certificate, now: datetime) -> None:
    if now > certificate.not_valid_after_utc:
        day = certificate.not_valid_after_utc.strftime("%d/%m/%Y")
        raise _fail("certificat_expire", f"Le certificat de la carte a expiré le {day}.")
    if now < certificate.not_valid_before_utc:
        raise _fail("certificat_invalide", "Le certificat de la carte n'est pas encore valide.")


def _check_key_usage(certificate: x509.Certificate) -> None:
    try:
        usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return
    if not usage.digital_signature:
        raise _fail("certificat_invalide", "Le certificat lu n'est pas un certificat d'authentification.")
    if not isinstance(certificate.public_key(), rsa.RSAPublicKey):
        raise _fail("certificat_invalide", "Clé du certificat de la carte non RSA (CPS3 : RSA attendu).")


def _check_revocation(
    chain: list[x509.Certificate], crls: list[x509.CertificateRevocationList], now: datetime
) -> None:
    """Each non-root certificate of the chain against its issuer's CRL (signature and freshness checked)."""
    for certificate, issuer in itertools.pairwise(chain):
        candidates = [crl for crl in crls if crl.issuer == issuer.subject]
        public_key = issuer.public_key()
        valid = [
            crl
            for crl in candidates
            if isinstance(public_key, rsa.RSAPublicKey) and crl.is_signature_valid(public_key)
        ]
        name = issuer.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        ca = str(name[0].value) if name else issuer.subject.rfc4514_string()
        if not valid:
            raise _fail("revocation_inconnue", f"Aucune liste de révocation valide pour l'AC « {ca} ».")
        crl = max(valid, key=lambda c: c.last_update_utc)
        if crl.next_update_utc is not None and crl.next_update_utc < now:
            raise _fail("revocation_inconnue", f"La liste de révocation de l'AC « {ca} » est périmée.")
        if crl.get_revoked_certificate_by_serial_number(certificate.serial_number) is not None:
            who = "de la carte" if certificate is chain[0] else f"de l'AC « {ca} »"
            raise _fail("certificat_revoque", f"Le certificat {who} est révoqué.")


def validate_card_certificate(
    certificate: x509.Certificate, trust: TrustFiles, now: datetime
) -> list[x509.Certificate]:
    """The verified chain (leaf first) or CardLoginError with a French reason."""
    _check_validity(certificate, now)
    _check_key_usage(certificate)
    verifier = (
        PolicyBuilder()
        .store(Store(trust.roots))
        .time(now)
        .extension_policies(ca_policy=ExtensionPolicy.webpki_defaults_ca(), ee_policy=_ee_policy())
        .build_client_verifier()
    )
    try:
        chain = verifier.verify(certificate, trust.intermediates).chain
    except VerificationError:
        raise _fail(
            "certificat_non_reconnu",
            "Le certificat de la carte n'est pas émis par une autorité de confiance de l'officine.",
        ) from None
    _check_revocation(list(chain), trust.crls, now)
    return list(chain)


def id_nat_ps_of(certificate: x509.Certificate) -> str:
    """idNatPS from the subject: serialNumber (bench DN layout, see protocols.pki.profiles)."""
    values = certificate.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)
    value = str(values[0].value).strip() if values else ""
    if not value:
        raise _fail(
            "certificat_invalide", "Le certificat de la carte ne porte pas d'identifiant national (idNatPS)."
        )
    return value
