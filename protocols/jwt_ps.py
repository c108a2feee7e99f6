"""PS identity token: a bench contract for the REST services whose real access is not public.

CONVENTIONS "PS identity for bench-contract REST services" (until Pro Santé Connect lands):
`Authorization: Bearer <JWT>`, a JWS compact token

- header: ``alg`` = ``RS256`` (only), ``typ`` = ``JWT``, ``x5c`` = the signer's certificate then its
  intermediates (standard base64 DER, RFC 7515 §4.1.6); the chain must lead to a trusted test root;
- signed with the professional's *authentication* key (test PKI ``ps-<rpps>-auth``, or the CPS card):
  the leaf must allow digitalSignature and clientAuth;
- claims: ``sub`` = idNatPS, equal to the leaf's subject serialNumber; ``iat``, ``nbf``, ``exp`` with
  ``exp - iat`` at most 120 s; ``jti``; ``profession`` (e.g. "21" pharmacien), ``section`` (roll
  section of a pharmacist, e.g. "A"; required when profession is "21") and ``structure`` (the
  structure's identifier, e.g. its IdNatStruct).
"""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509 import verification
from cryptography.x509.oid import ExtendedKeyUsageOID
from joserfc import errors as jose_errors
from joserfc import jws, jwt
from joserfc.jwk import RSAKey

from protocols.pki import Credential, id_nat_ps_of

ALGORITHM = "RS256"
MAX_LIFETIME_S = 120
MAX_TOKEN_BYTES = 16_384
MAX_CHAIN_LENGTH = 4
DEFAULT_LEEWAY_S = 30  # tolerated clock difference between the LGO's machine and the bench
PHARMACIST = "21"


class PsTokenError(ValueError):
    """A refused token; `code` names the reason for the service's error body, the message is French."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class _Registry(jws.JWSRegistry):
    # joserfc caps the protected header at 512 bytes; an x5c chain of two RSA-2048 certificates needs ~4 KB.
    max_header_length = MAX_TOKEN_BYTES


def _registry() -> _Registry:
    return _Registry(algorithms=[ALGORITHM])


def _utc(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(UTC)
    return now if now.tzinfo is not None else now.replace(tzinfo=UTC)


def make_ps_token(
    credential: Credential,
    id_nat_ps: str,
    profession: str,
    section: str | None,
    structure_id: str,
    lifetime_s: int = MAX_LIFETIME_S,
    now: datetime | None = None,
) -> str:
    """Signs a PS identity token with a professional's authentication credential."""
    if not 0 < lifetime_s <= MAX_LIFETIME_S:
        raise ValueError(f"durée de vie du jeton PS invalide : {lifetime_s} s (de 1 à {MAX_LIFETIME_S} s)")
    if id_nat_ps_of(credential.cert) != id_nat_ps:
        raise ValueError(
            f"le certificat {credential.name} ne porte pas l'identifiant national PS {id_nat_ps}"
        )
    if not profession or not structure_id or (profession == PHARMACIST and not section):
        raise ValueError("profession, section (pharmacien) et identifiant de structure sont obligatoires")
    issued = int(_utc(now).timestamp())
    claims: dict[str, Any] = {
        "sub": id_nat_ps,
        "iat": issued,
        "nbf": issued,
        "exp": issued + lifetime_s,
        "jti": str(uuid.uuid4()),
        "profession": profession,
        "structure": structure_id,
    }
    if section:
        claims["section"] = section
    x5c = [
        base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode() for cert in credential.chain
    ]
    header = {"alg": ALGORITHM, "x5c": x5c}
    return jwt.encode(header, claims, RSAKey(credential.key, credential.key), registry=_registry())


def _leaf_policy() -> verification.ExtensionPolicy:
    """Leaf rules: digitalSignature and clientAuth; no Web PKI SAN requirement (PS certificates have none)."""

    def key_usage(policy: object, cert: x509.Certificate, value: x509.KeyUsage | None) -> None:
        if value is None or not value.digital_signature:
            raise ValueError("KeyUsage sans digitalSignature")

    def ext_key_usage(policy: object, cert: x509.Certificate, value: x509.ExtendedKeyUsage | None) -> None:
        if value is None or ExtendedKeyUsageOID.CLIENT_AUTH not in value:
            raise ValueError("ExtendedKeyUsage sans clientAuth")

    return (
        verification.ExtensionPolicy.permit_all()
        .require_present(x509.KeyUsage, verification.Criticality.AGNOSTIC, key_usage)
        .require_present(x509.ExtendedKeyUsage, verification.Criticality.AGNOSTIC, ext_key_usage)
    )


def _chain_from_header(header: dict[str, Any]) -> list[x509.Certificate]:
    x5c = header.get("x5c")
    if not isinstance(x5c, list) or not x5c or len(x5c) > MAX_CHAIN_LENGTH:
        raise PsTokenError(
            "chain", f"en-tête x5c absent ou invalide (1 à {MAX_CHAIN_LENGTH} certificats attendus)"
        )
    try:
        return [x509.load_der_x509_certificate(base64.b64decode(item, validate=True)) for item in x5c]
    except (TypeError, ValueError, binascii.Error) as exc:
        raise PsTokenError("chain", "certificat illisible dans l'en-tête x5c") from exc


def _check_chain(chain: list[x509.Certificate], trust_roots: list[x509.Certificate], now: datetime) -> None:
    for cert in chain:
        if now > cert.not_valid_after_utc:
            raise PsTokenError(
                "chain", f"certificat expiré dans la chaîne x5c : {cert.subject.rfc4514_string()}"
            )
        if now < cert.not_valid_before_utc:
            raise PsTokenError("chain", f"certificat pas encore valide : {cert.subject.rfc4514_string()}")
    verifier = (
        verification.PolicyBuilder()
        .store(verification.Store(trust_roots))
        .time(now)
        .extension_policies(
            ee_policy=_leaf_policy(), ca_policy=verification.ExtensionPolicy.webpki_defaults_ca()
        )
        .build_client_verifier()
    )
    try:
        verifier.verify(chain[0], chain[1:])
    except verification.VerificationError as exc:
        raise PsTokenError(
            "chain", f"chaîne de certificats non reconnue par les AC de confiance ({exc})"
        ) from exc


def verify_ps_token(
    token: str | bytes,
    trust_roots: list[x509.Certificate],
    *,
    now: datetime | None = None,
    is_revoked: Callable[[x509.Certificate], bool] | None = None,
    leeway_s: int = DEFAULT_LEEWAY_S,
) -> dict[str, Any]:
    """Verifies a PS identity token and returns its claims; raises `PsTokenError` (French message)."""
    current = _utc(now)
    raw = token.encode("ascii", "replace") if isinstance(token, str) else bytes(token)
    if len(raw) > MAX_TOKEN_BYTES:
        raise PsTokenError("malformed", f"jeton PS trop long (plus de {MAX_TOKEN_BYTES} octets)")
    registry = _registry()
    try:
        header = jws.extract_compact(raw, registry=registry).headers()
    except (jose_errors.JoseError, ValueError) as exc:
        raise PsTokenError("malformed", "jeton PS illisible (JWS compact attendu)") from exc
    if header.get("alg") != ALGORITHM:
        raise PsTokenError(
            "algorithm", f"algorithme de signature refusé : {header.get('alg')!r} ({ALGORITHM} attendu)"
        )
    chain = _chain_from_header(header)
    _check_chain(chain, trust_roots, current)
    if is_revoked is not None and is_revoked(chain[0]):
        raise PsTokenError("revoked", "le certificat du signataire est révoqué")
    try:
        public_pem = (
            chain[0]
            .public_key()
            .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        )
        claims = jwt.decode(raw, RSAKey.import_key(public_pem), registry=registry).claims
    except jose_errors.BadSignatureError as exc:
        raise PsTokenError("signature", "signature du jeton PS invalide") from exc
    except (jose_errors.JoseError, ValueError) as exc:
        raise PsTokenError("malformed", "jeton PS illisible") from exc
    return _check_claims(claims, chain[0], current, leeway_s)


def _check_claims(
    claims: dict[str, Any], leaf: x509.Certificate, now: datetime, leeway_s: int
) -> dict[str, Any]:
    essential: jwt.ClaimsOption = {"essential": True}
    registry = jwt.JWTClaimsRegistry(
        now=int(now.timestamp()),
        leeway=leeway_s,
        sub=essential,
        iat=essential,
        exp=essential,
        profession=essential,
        structure=essential,
    )
    try:
        registry.validate(claims)  # presence, types (NumericDate, strings) and the time window
    except jose_errors.ExpiredTokenError as exc:
        raise PsTokenError("expired", "jeton PS expiré") from exc
    except jose_errors.MissingClaimError as exc:
        raise PsTokenError("claims", f"revendication obligatoire absente du jeton PS : {exc.claim}") from exc
    except jose_errors.ClaimError as exc:
        if exc.claim in ("iat", "nbf") and isinstance(claims.get(exc.claim), int | float):
            raise PsTokenError(
                "not_yet_valid", f"jeton PS pas encore valide ({exc.claim} dans le futur)"
            ) from exc
        raise PsTokenError("claims", f"revendication {exc.claim} invalide dans le jeton PS") from exc
    if claims["profession"] == PHARMACIST and not claims.get("section"):
        raise PsTokenError("claims", "section du pharmacien absente du jeton PS")
    if claims["sub"] != id_nat_ps_of(leaf):
        raise PsTokenError("claims", "sub différent de l'identifiant national PS du certificat signataire")
    if claims["exp"] - claims["iat"] > MAX_LIFETIME_S:
        raise PsTokenError("lifetime", f"durée de vie du jeton PS supérieure à {MAX_LIFETIME_S} s")
    return claims
