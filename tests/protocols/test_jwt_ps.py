"""PS identity token (bench contract): round trip and every refusal reason."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from joserfc import jwt
from joserfc.jwk import RSAKey

from protocols.jwt_ps import MAX_LIFETIME_S, PsTokenError, _registry, make_ps_token, verify_ps_token
from protocols.pki import Credential, TestPKI

ID_NAT_PS = "810000000001"
NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture(scope="module")
def pki(bench_home: Path) -> TestPKI:
    return TestPKI.ensure(bench_home / "pki")


@pytest.fixture(scope="module")
def auth(pki: TestPKI) -> Credential:
    return pki.professional(ID_NAT_PS, "auth", "Jeanne DUPONT")


def _token(credential: Credential, **overrides: object) -> str:
    args: dict[str, object] = {
        "id_nat_ps": ID_NAT_PS,
        "profession": "21",
        "section": "A",
        "structure_id": "3750100000001",
        "now": NOW,
    }
    args.update(overrides)
    return make_ps_token(credential, **args)  # type: ignore[arg-type]


def _forge(credential: Credential, claims: dict[str, object], header: dict[str, object] | None = None) -> str:
    """A token signed with the right key but with content make_ps_token refuses to produce."""
    x5c = [base64.b64encode(c.public_bytes(serialization.Encoding.DER)).decode() for c in credential.chain]
    return jwt.encode(
        header or {"alg": "RS256", "x5c": x5c},
        claims,
        RSAKey(credential.key, credential.key),
        registry=_registry(),
    )


def _refusal(token: str, pki: TestPKI, now: datetime = NOW) -> PsTokenError:
    with pytest.raises(PsTokenError) as caught:
        verify_ps_token(token, pki.trust_roots(), now=now, is_revoked=pki.is_revoked)
    return caught.value


def test_round_trip(pki: TestPKI, auth: Credential) -> None:
    token = _token(auth)
    header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    assert header["alg"] == "RS256" and len(header["x5c"]) == 2
    claims = verify_ps_token(
        token, pki.trust_roots(), now=NOW + timedelta(seconds=60), is_revoked=pki.is_revoked
    )
    assert claims["sub"] == ID_NAT_PS
    assert (claims["profession"], claims["section"], claims["structure"]) == ("21", "A", "3750100000001")
    assert claims["exp"] - claims["iat"] == MAX_LIFETIME_S


def test_expired_token(pki: TestPKI, auth: Credential) -> None:
    token = _token(auth, lifetime_s=60)
    error = _refusal(token, pki, now=NOW + timedelta(seconds=120))
    assert error.code == "expired" and "expiré" in str(error)


def test_token_from_the_future(pki: TestPKI, auth: Credential) -> None:
    error = _refusal(_token(auth), pki, now=NOW - timedelta(minutes=5))
    assert error.code == "not_yet_valid"


def test_lifetime_cap(pki: TestPKI, auth: Credential) -> None:
    with pytest.raises(ValueError, match="120"):
        _token(auth, lifetime_s=MAX_LIFETIME_S + 1)
    iat = int(NOW.timestamp())
    claims = {
        "sub": ID_NAT_PS,
        "iat": iat,
        "exp": iat + 3600,
        "profession": "21",
        "section": "A",
        "structure": "S",
    }
    assert _refusal(_forge(auth, claims), pki).code == "lifetime"


def test_signer_outside_the_trusted_pki(pki: TestPKI) -> None:
    wrong = pki.client("insi-auto-wrong-ca")
    iat = int(NOW.timestamp())
    claims = {
        "sub": ID_NAT_PS,
        "iat": iat,
        "exp": iat + 60,
        "profession": "21",
        "section": "A",
        "structure": "S",
    }
    error = _refusal(_forge(wrong, claims), pki)
    assert error.code == "chain" and "non reconnue" in str(error)


def test_signature_by_another_key_than_the_x5c_leaf(pki: TestPKI, auth: Credential) -> None:
    other = pki.professional("810000000003", "auth", "Luc BERNARD")
    token = _token(auth)
    other_token = _token(other, id_nat_ps="810000000003")
    # auth's header and claims, other's signature
    spliced = ".".join([*token.split(".")[:2], other_token.split(".")[2]])
    assert _refusal(spliced, pki).code == "signature"


def test_subject_must_be_the_certificate_id_nat_ps(pki: TestPKI, auth: Credential) -> None:
    with pytest.raises(ValueError, match="810000000009"):
        _token(auth, id_nat_ps="810000000009")
    iat = int(NOW.timestamp())
    claims = {
        "sub": "810000000009",
        "iat": iat,
        "exp": iat + 60,
        "profession": "21",
        "section": "A",
        "structure": "S",
    }
    assert _refusal(_forge(auth, claims), pki).code == "claims"


def test_signing_certificate_without_client_auth_is_refused(pki: TestPKI) -> None:
    sign = pki.professional(ID_NAT_PS, "sign", "Jeanne DUPONT")
    assert _refusal(_token(sign), pki).code == "chain"


def test_revoked_signer(pki: TestPKI, auth: Credential) -> None:
    with pytest.raises(PsTokenError) as caught:
        verify_ps_token(_token(auth), pki.trust_roots(), now=NOW, is_revoked=lambda cert: True)
    assert caught.value.code == "revoked"


@pytest.mark.parametrize("alg", ["none", "HS256", "RS512"])
def test_other_algorithms_are_refused(pki: TestPKI, auth: Credential, alg: str) -> None:
    token = _token(auth)
    header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    header["alg"] = alg
    encoded = base64.urlsafe_b64encode(json.dumps(header).encode()).rstrip(b"=").decode()
    assert _refusal(".".join([encoded, *token.split(".")[1:]]), pki).code == "algorithm"


@pytest.mark.parametrize("token", ["", "abc", "a.b.c", "x" * 20_000])
def test_garbage_is_refused_cleanly(pki: TestPKI, token: str) -> None:
    assert _refusal(token, pki).code == "malformed"


def test_missing_claims_and_pharmacist_section(pki: TestPKI, auth: Credential) -> None:
    iat = int(NOW.timestamp())
    base = {
        "sub": ID_NAT_PS,
        "iat": iat,
        "exp": iat + 60,
        "profession": "21",
        "section": "A",
        "structure": "S",
    }
    no_structure = {k: v for k, v in base.items() if k != "structure"}
    error = _refusal(_forge(auth, no_structure), pki)
    assert error.code == "claims" and "structure" in str(error)
    no_section = {k: v for k, v in base.items() if k != "section"}
    assert "section" in str(_refusal(_forge(auth, no_section), pki))
    with pytest.raises(ValueError, match="section"):
        _token(auth, section=None)
    assert "section" not in verify_ps_token(
        _token(auth, profession="10", section=None), pki.trust_roots(), now=NOW
    )  # a physician has no roll section
