"""Enveloped XML signatures (signxml): exclusive C14N, SHA-256 digest, RSA-SHA256 (ECDSA-SHA256 too).

Signing references the element's own ID attribute and puts the whole certificate chain in
KeyInfo/X509Data. Verification validates the chain against given trust roots and returns only what
was actually verified (signxml's `signed_xml`), after checking that the signature sits directly
in the element it signs and references that very element (defence against signature wrapping).
"""

from __future__ import annotations

import base64
import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeAlias

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa, utils
from cryptography.hazmat.primitives.asymmetric.padding import AsymmetricPadding, PKCS1v15
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from cryptography.x509 import verification
from lxml import etree
from signxml import (
    CanonicalizationMethod,
    DigestAlgorithm,
    SignatureConfiguration,
    SignatureMethod,
    XMLSigner,
    XMLVerifier,
)
from signxml.exceptions import InvalidCertificate, InvalidDigest, InvalidInput, InvalidSignature
from signxml.util import X509CertChainVerifier

from protocols import xmlsafe

NS_DS = "http://www.w3.org/2000/09/xmldsig#"
EXC_C14N = CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0
ACCEPTED_SIGNATURE_METHODS = frozenset({SignatureMethod.RSA_SHA256, SignatureMethod.ECDSA_SHA256})
ACCEPTED_DIGESTS = frozenset({DigestAlgorithm.SHA256})

# DER DigestInfo prefixes (RFC 8017 §9.2 note 1). Written by hand: cryptography has no public API
# for it, and a card doing PSO CDS "case 4" expects DigestInfo rather than a bare hash.
_DIGEST_INFO_PREFIX: dict[str, bytes] = {
    "sha256": bytes.fromhex("3031300d060960864801650304020105000420"),
    "sha384": bytes.fromhex("3041300d060960864801650304020205000430"),
    "sha512": bytes.fromhex("3051300d060960864801650304020305000440"),
}


class XmlSignatureError(ValueError):
    """Signature refused. `reason` is French; `code` is stable for findings and tests:
    malformed, no-signature, algorithm, reference, digest, signature, untrusted, expired, tag."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


# --- Keys held elsewhere (CPS card) ------------------------------------------------------------


def digest_info(digest: bytes, algorithm: hashes.HashAlgorithm) -> bytes:
    """DER DigestInfo for a hash, as a card signs it with PKCS#1 v1.5 padding."""
    prefix = _DIGEST_INFO_PREFIX.get(algorithm.name)
    if prefix is None or len(digest) != algorithm.digest_size:
        raise ValueError(f"algorithme de hachage non pris en charge : {algorithm.name}")
    return prefix + digest


class CallbackRSAKey:
    """An RSA private key whose operation happens elsewhere (the CPS card through PSO CDS).

    `sign_digest(digest, algorithm)` receives the hash of the data and returns the PKCS#1 v1.5
    signature (build the DigestInfo with `digest_info` if the card wants it). signxml only calls
    `.sign(data, padding=PKCS1v15(), algorithm=...)` and never needs the private numbers.
    """

    def __init__(
        self,
        public_key: rsa.RSAPublicKey,
        sign_digest: Callable[[bytes, hashes.HashAlgorithm], bytes],
        *,
        check: bool = True,
    ) -> None:
        self._public_key = public_key
        self._sign_digest = sign_digest
        self._check = check

    @property
    def key_size(self) -> int:
        return self._public_key.key_size

    def public_key(self) -> rsa.RSAPublicKey:
        return self._public_key

    def sign(self, data: bytes, padding: AsymmetricPadding, algorithm: hashes.HashAlgorithm) -> bytes:
        if not isinstance(padding, PKCS1v15):
            raise ValueError("la carte ne signe qu'en PKCS#1 v1.5")
        if not isinstance(algorithm, hashes.HashAlgorithm):
            raise ValueError("algorithme de hachage attendu (données non pré-hachées)")
        hasher = hashes.Hash(algorithm)
        hasher.update(data)
        digest, hash_alg = hasher.finalize(), algorithm
        signature = self._sign_digest(digest, hash_alg)
        if self._check:
            # A card answering garbage must fail here, not as an invalid signature on the wire.
            try:
                self._public_key.verify(signature, digest, PKCS1v15(), utils.Prehashed(hash_alg))
            except Exception as exc:
                raise ValueError(
                    "la signature rendue par la carte ne correspond pas à sa clé publique"
                ) from exc
        return signature


SigningKey: TypeAlias = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | CallbackRSAKey


# --- Signing ----------------------------------------------------------------------------------


def _id_of(element: etree._Element, id_attribute: str) -> tuple[str, str]:
    """(value, local name) of the ID attribute; `id_attribute` is a local name or a Clark name."""
    value = element.get(id_attribute)
    if not value:
        raise ValueError(f"l'élément à signer n'a pas d'attribut {id_attribute}")
    return value, etree.QName(id_attribute).localname


def sign_enveloped(
    element: etree._Element,
    key: SigningKey,
    cert_chain: list[x509.Certificate],
    *,
    after: str | etree.QName | None = None,
    id_attribute: str = "ID",
) -> etree._Element:
    """Return a signed copy of `element` (the input is left unchanged).

    `cert_chain` is leaf first, then intermediates; all go to KeyInfo/X509Data. `after` names the
    child after which ds:Signature goes (SAML: saml:Issuer); by default it is the last child.
    `id_attribute` is "ID" (SAML), "Id", or a Clark name such as "{wsu-ns}Id".
    """
    if not cert_chain:
        raise ValueError("chaîne de certificats vide")
    id_value, id_local = _id_of(element, id_attribute)
    method = (
        SignatureMethod.ECDSA_SHA256
        if isinstance(key, ec.EllipticCurvePrivateKey)
        else SignatureMethod.RSA_SHA256
    )
    signer = XMLSigner(
        signature_algorithm=method, digest_algorithm=DigestAlgorithm.SHA256, c14n_algorithm=EXC_C14N
    )
    placeholder: etree._Element | None = None
    if after is not None:
        anchor = element.find(str(etree.QName(after)))
        if anchor is None:
            raise ValueError(f"élément {etree.QName(after).localname} introuvable pour placer la signature")
        # signxml replaces a ds:Signature Id="placeholder" found in the document.
        placeholder = etree.Element(f"{{{NS_DS}}}Signature", Id="placeholder", nsmap={"ds": NS_DS})
        anchor.addnext(placeholder)
        placeholder.tail, anchor.tail = anchor.tail, None
    try:
        signed: etree._Element = signer.sign(
            element,
            key=key,  # type: ignore[arg-type]  # duck-typed CallbackRSAKey is enough for signxml
            cert=list(cert_chain),
            reference_uri=f"#{id_value}",
            id_attribute=id_local,
        )
    finally:
        if placeholder is not None:
            prev = placeholder.getprevious()
            if prev is not None:
                prev.tail = placeholder.tail
            element.remove(placeholder)
    return signed


# --- Verification -----------------------------------------------------------------------------


@functools.lru_cache(maxsize=16)
def _store(roots: tuple[x509.Certificate, ...]) -> verification.Store:
    return verification.Store(list(roots))


def _key_usage_allows_signing(policy: Any, cert: x509.Certificate, ku: x509.KeyUsage) -> None:
    # CPS signature certificates carry nonRepudiation only; signxml's default wants digitalSignature.
    if not (ku.digital_signature or ku.content_commitment):
        raise ValueError("KeyUsage sans digitalSignature ni nonRepudiation")


def _not_a_ca(policy: Any, cert: x509.Certificate, bc: x509.BasicConstraints | None) -> None:
    # permit_all() would accept a CA certificate as the signer; a document signer is an end entity.
    if bc is not None and bc.ca:
        raise ValueError("un certificat d'autorité ne peut pas être le signataire")


def _is_ca(cert: x509.Certificate) -> bool:
    try:
        return bool(cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except x509.ExtensionNotFound:
        return False


class _RootsChainVerifier(X509CertChainVerifier):
    """signxml's chain verifier fed with certificate objects instead of a PEM file path."""

    def __init__(self, roots: tuple[x509.Certificate, ...], verification_time: datetime | None) -> None:
        ee = (
            verification.ExtensionPolicy.permit_all()
            .require_present(x509.KeyUsage, verification.Criticality.AGNOSTIC, _key_usage_allows_signing)
            .may_be_present(x509.BasicConstraints, verification.Criticality.AGNOSTIC, _not_a_ca)
        )
        super().__init__(ca_pem_file="", verification_time=verification_time, ee_policy=ee)
        self._roots = roots

    @property
    def store(self) -> verification.Store:
        return _store(self._roots)

    def verify(self, cert_chain: list[x509.Certificate]) -> x509.Certificate:
        # X509Data implies no order. signxml tries the list then its reverse and reports the second
        # error (hiding "not valid at validation time", hence its expiry diagnosis), and the reverse
        # can promote a CA certificate to signer. Pick the one end-entity certificate instead.
        leaves = [c for c in cert_chain if not _is_ca(c)]
        leaf = leaves[0] if len(leaves) == 1 else cert_chain[0]
        try:
            return self._do_verify([leaf, *(c for c in cert_chain if c is not leaf)])
        except verification.VerificationError as exc:
            raise InvalidCertificate(exc) from None


class _Verifier(XMLVerifier):
    def __init__(self, roots: tuple[x509.Certificate, ...], at: datetime | None) -> None:
        super().__init__()
        self._roots = roots
        self._at = at

    def get_cert_chain_verifier(
        self, ca_pem_file: Any, ee_policy: Any, ca_policy: Any
    ) -> X509CertChainVerifier:
        return _RootsChainVerifier(self._roots, self._at)


@dataclass(frozen=True)
class VerifiedXml:
    element: (
        etree._Element
    )  # the signed element, re-parsed from the verified canonical bytes, no ds:Signature
    certificate: x509.Certificate  # the signer, chain-validated against the trust roots
    signed_data: bytes  # the canonical bytes the digest covers


def verify(
    element_or_bytes: etree._Element | bytes,
    trust_roots: list[x509.Certificate],
    *,
    expected_tag: str,
    at: datetime | None = None,
    id_attribute: str = "ID",
    max_bytes: int = xmlsafe.DEFAULT_MAX_BYTES,
) -> VerifiedXml:
    """Verify the enveloped signature of an element and return only what it really covers.

    Refuses (XmlSignatureError): no or several signatures, a reference to anything but the element
    itself (wrapping), duplicate IDs, forbidden algorithms, bad digest or value, a chain not ending
    in `trust_roots`, a signer certificate expired or not yet valid at `at` (default: now), and a
    signed element whose tag is not `expected_tag` (Clark name).
    """
    if isinstance(element_or_bytes, bytes | bytearray):
        try:
            root = xmlsafe.parse(bytes(element_or_bytes), max_bytes=max_bytes)
        except xmlsafe.XmlRejected as exc:
            raise XmlSignatureError("malformed", exc.reason) from None
    else:
        root = element_or_bytes
    if root.tag != expected_tag:
        raise XmlSignatureError("tag", f"élément signé inattendu : {etree.QName(root).localname}")
    signatures = root.findall(f"{{{NS_DS}}}Signature")
    if not signatures:
        raise XmlSignatureError("no-signature", "aucune signature XML dans l'élément")
    if len(signatures) > 1:
        raise XmlSignatureError("malformed", "plusieurs signatures XML dans l'élément")
    own_id = root.get(id_attribute)
    references = signatures[0].findall(f"{{{NS_DS}}}SignedInfo/{{{NS_DS}}}Reference")
    if len(references) != 1:
        raise XmlSignatureError("reference", "la signature doit contenir exactement une référence")
    if not own_id or references[0].get("URI") != f"#{own_id}":
        raise XmlSignatureError("reference", "la signature ne porte pas sur l'élément qui la contient")
    config = SignatureConfiguration(
        location="./",  # directly inside the signed element: enveloped, nowhere else
        expect_references=1,
        signature_methods=ACCEPTED_SIGNATURE_METHODS,
        digest_algorithms=ACCEPTED_DIGESTS,
        verification_time=_utc(at),
    )
    try:
        result: Any = _Verifier(tuple(trust_roots), _utc(at)).verify(
            root,
            expect_config=config,
            parser=xmlsafe.parser(),
            id_attribute=etree.QName(id_attribute).localname,
        )
    except InvalidDigest:
        raise XmlSignatureError(
            "digest", "empreinte (DigestValue) incorrecte : contenu signé modifié"
        ) from None
    except InvalidCertificate as exc:
        text = str(exc)
        if "expired" in text:
            raise XmlSignatureError("expired", "certificat du signataire (ou de sa chaîne) expiré") from None
        if "not yet valid" in text:
            raise XmlSignatureError("expired", "certificat du signataire pas encore valide") from None
        raise XmlSignatureError(
            "untrusted", "certificat du signataire non reconnu par les autorités de confiance"
        ) from None
    except InvalidSignature:
        raise XmlSignatureError("signature", "valeur de signature (SignatureValue) incorrecte") from None
    except InvalidInput as exc:
        text = str(exc)
        if "forbidden by configuration" in text or "Unsupported" in text:
            raise XmlSignatureError("algorithm", "algorithme de signature ou d'empreinte refusé") from None
        if "Ambiguous reference" in text:
            raise XmlSignatureError("reference", "identifiant référencé présent plusieurs fois") from None
        raise XmlSignatureError("malformed", "signature XML mal formée") from None
    except (etree.LxmlError, ValueError, KeyError, TypeError):
        raise XmlSignatureError("malformed", "signature XML mal formée") from None
    signed = result.signed_xml
    if signed is None or signed.tag != expected_tag or signed.get(id_attribute) != own_id:
        raise XmlSignatureError("tag", "l'élément vérifié n'est pas celui attendu")
    cert = _signing_certificate(result.signature_xml, result.signature_key)
    return VerifiedXml(element=signed, certificate=cert, signed_data=result.signed_data)


def _utc(at: datetime | None) -> datetime | None:
    if at is None:
        return None
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def _signing_certificate(signature: etree._Element, key_pem: bytes) -> x509.Certificate:
    """The X509Data certificate whose public key signxml used (signxml reports only the key)."""
    for node in signature.findall(f"{{{NS_DS}}}KeyInfo/{{{NS_DS}}}X509Data/{{{NS_DS}}}X509Certificate"):
        cert = x509.load_der_x509_certificate(base64.b64decode("".join((node.text or "").split())))
        if cert.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo) == key_pem:
            return cert
    raise XmlSignatureError("malformed", "certificat du signataire introuvable dans KeyInfo")
