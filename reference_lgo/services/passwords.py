"""Password hashing with Argon2id (argon2-cffi, OWASP-recommended) and the local password policy."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from reference_lgo.services.errors import InvalidInput

MIN_LENGTH = 8
MAX_LENGTH = 128

_hasher = PasswordHasher()
# Verified when the login is unknown, so that both failures take the same time.
_DUMMY_HASH = _hasher.hash("compte-inexistant-banc")


def check_policy(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise InvalidInput(
            f"Le mot de passe doit comporter au moins {MIN_LENGTH} caractères.", field="password"
        )
    if len(password) > MAX_LENGTH:
        raise InvalidInput(f"Le mot de passe dépasse {MAX_LENGTH} caractères.", field="password")


def hash_password(password: str) -> str:
    check_policy(password)
    return _hasher.hash(password)


def verify(stored_hash: str | None, password: str) -> bool:
    """True when `password` matches; a missing hash (card-only account) never matches."""
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)
