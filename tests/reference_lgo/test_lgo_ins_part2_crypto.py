"""reference_lgo.services.crypto_store: AES-256-GCM with keys in files (0600) outside the database,
key id kept with each ciphertext, a ciphertext bound to its row, rotation keeping old keys."""

from __future__ import annotations

import base64
import stat
from pathlib import Path

import pytest

from reference_lgo.services.crypto_store import ALGORITHM, DecryptionFailed, KeyRing, KeyStoreError, Sealed

SCAN = b"%PDF-1.4\n" + bytes(range(256)) * 40


def test_sealed_bytes_differ_from_the_file_and_open_back(tmp_path: Path) -> None:
    keys = KeyRing.for_home(tmp_path)
    sealed = keys.seal(SCAN, b"row-1")
    assert ALGORITHM == "AES-256-GCM"
    assert SCAN not in sealed.ciphertext and len(sealed.ciphertext) == len(SCAN) + 16
    assert len(sealed.nonce) == 12
    assert keys.open(sealed, b"row-1") == SCAN
    # Two seals of the same file never give the same bytes (random nonce).
    assert keys.seal(SCAN, b"row-1").ciphertext != sealed.ciphertext


def test_key_file_is_private_and_holds_256_random_bits(tmp_path: Path) -> None:
    keys = KeyRing.for_home(tmp_path)
    key_id = keys.current_key_id()
    path = tmp_path / "lgo" / "keys" / f"{key_id}.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert len(base64.b64decode(path.read_bytes())) == 32
    assert KeyRing.for_home(tmp_path).current_key_id() == key_id  # a new process finds the same key


def test_wrong_key_altered_data_or_another_row_fail(tmp_path: Path) -> None:
    keys = KeyRing.for_home(tmp_path)
    sealed = keys.seal(SCAN, b"row-1")
    with pytest.raises(DecryptionFailed, match="Déchiffrement impossible"):
        keys.open(sealed, b"row-2")
    altered = Sealed(sealed.key_id, sealed.nonce, bytes([sealed.ciphertext[0] ^ 1]) + sealed.ciphertext[1:])
    with pytest.raises(DecryptionFailed):
        keys.open(altered, b"row-1")
    # The key file replaced by another key (same id): the copy no longer opens.
    (tmp_path / "lgo" / "keys" / f"{sealed.key_id}.key").write_bytes(base64.b64encode(b"\x01" * 32))
    with pytest.raises(DecryptionFailed):
        KeyRing.for_home(tmp_path).open(sealed, b"row-1")


def test_rotation_keeps_older_copies_readable(tmp_path: Path) -> None:
    keys = KeyRing.for_home(tmp_path)
    old = keys.seal(SCAN, b"a")
    new_id = keys.rotate()
    assert new_id != old.key_id and keys.current_key_id() == new_id
    newer = keys.seal(b"\x89PNG\r\n\x1a\n...", b"b")
    assert newer.key_id == new_id
    assert keys.open(old, b"a") == SCAN


def test_missing_or_forged_key_ids_are_refused(tmp_path: Path) -> None:
    keys = KeyRing.for_home(tmp_path)
    sealed = keys.seal(SCAN, b"a")
    (tmp_path / "lgo" / "keys" / f"{sealed.key_id}.key").unlink()
    with pytest.raises(KeyStoreError, match="introuvable"):
        KeyRing.for_home(tmp_path).open(sealed, b"a")
    with pytest.raises(KeyStoreError, match="invalide"):
        keys.open(Sealed("../../etc/passwd", sealed.nonce, sealed.ciphertext), b"a")
