"""Encryption at rest of the ID-document copies (W1-INS-24): AES-256-GCM with `cryptography`, keys in
files under $SEGUR_BENCH_HOME/lgo/keys (mode 0600), never in the database.

Each key file `<key_id>.key` holds 32 random bytes (base64); `current` names the key used for new
documents, so a key can be rotated while older documents stay readable with theirs. The database
row keeps the key id, the 96-bit nonce and the ciphertext (with its tag); the associated data binds
a ciphertext to its row, so a blob copied onto another document does not decrypt.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import secrets
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

ALGORITHM = "AES-256-GCM"
KEY_BYTES = 32
NONCE_BYTES = 12
_KEY_ID = re.compile(r"^[a-z0-9-]{1,40}$")


class KeyStoreError(Exception):
    """The key file is missing, unreadable or wrong; `str()` is a French message."""


class DecryptionFailed(KeyStoreError):
    """The ciphertext does not open with its key (wrong key, altered data or another row's blob)."""


@dataclass(frozen=True)
class Sealed:
    key_id: str
    nonce: bytes
    ciphertext: bytes  # ciphertext followed by the 16-byte GCM tag


class KeyRing:
    """The LGO's document keys. The first use creates a key when there is none."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._lock = threading.Lock()

    @classmethod
    def for_home(cls, home: Path) -> KeyRing:
        return cls(home / "lgo" / "keys")

    # --- key files --------------------------------------------------------------------------------

    def _path(self, key_id: str) -> Path:
        if not _KEY_ID.fullmatch(key_id):
            raise KeyStoreError(f"Identifiant de clé « {key_id[:60]} » invalide.")
        return self.directory / f"{key_id}.key"

    def _read(self, key_id: str) -> bytes:
        # Read at each use (a few bytes): a key file replaced or removed takes effect at once.
        path = self._path(key_id)
        try:
            raw = base64.b64decode(path.read_bytes().strip(), validate=True)
        except FileNotFoundError:
            raise KeyStoreError(
                f"Clé de chiffrement « {key_id} » introuvable dans {self.directory} : les copies de pièces "
                "d'identité chiffrées avec elle ne peuvent plus être lues."
            ) from None
        except (OSError, binascii.Error, ValueError):
            raise KeyStoreError(f"Fichier de clé illisible : {path}.") from None
        if len(raw) != KEY_BYTES:
            raise KeyStoreError(f"Fichier de clé invalide (256 bits attendus) : {path}.")
        return raw

    def _create(self) -> str:
        self.directory.mkdir(parents=True, exist_ok=True)
        os.chmod(self.directory, 0o700)
        key_id = f"k{datetime.now(UTC):%Y%m%d}-{secrets.token_hex(4)}"
        path = self._path(key_id)
        # O_EXCL + 0600 from the start: the key is never readable by others, not even briefly.
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(base64.b64encode(secrets.token_bytes(KEY_BYTES)) + b"\n")
        current = self.directory / "current"
        temporary = self.directory / f".current-{secrets.token_hex(4)}"
        temporary.write_text(key_id + "\n", encoding="ascii")
        os.chmod(temporary, 0o600)
        temporary.replace(current)
        return key_id

    def current_key_id(self) -> str:
        """The key for new documents (created on first use)."""
        with self._lock:
            try:
                key_id = (self.directory / "current").read_text(encoding="ascii").strip()
            except FileNotFoundError:
                return self._create()
            except OSError:
                raise KeyStoreError(f"Fichier {self.directory / 'current'} illisible.") from None
            self._read(key_id)
            return key_id

    def rotate(self) -> str:
        """A new current key; older ones stay for the documents they sealed."""
        with self._lock:
            return self._create()

    # --- sealing ----------------------------------------------------------------------------------

    def seal(self, plaintext: bytes, associated: bytes) -> Sealed:
        key_id = self.current_key_id()
        with self._lock:
            key = self._read(key_id)
        nonce = secrets.token_bytes(NONCE_BYTES)
        return Sealed(key_id, nonce, AESGCM(key).encrypt(nonce, plaintext, associated))

    def open(self, sealed: Sealed, associated: bytes) -> bytes:
        with self._lock:
            key = self._read(sealed.key_id)
        try:
            return AESGCM(key).decrypt(sealed.nonce, sealed.ciphertext, associated)
        except InvalidTag:
            raise DecryptionFailed(
                "Déchiffrement impossible : la copie stockée ne correspond pas à sa clé "
                f"« {sealed.key_id} » (clé remplacée ou données altérées)."
            ) from None
