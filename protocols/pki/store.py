"""On-disk side of the test PKI: atomic writes, PEM/PKCS#12 encoding, the manifest and the process lock."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12

MANIFEST_VERSION = 1
# PKCS#12 settings readable by OpenSSL 3, Java 8u301+, .NET and NSS: PBES2/AES-256 + PBKDF2, HMAC-SHA256.
P12_KDF_ROUNDS = 20_000


def atomic_write(path: Path, data: bytes, *, private: bool = False) -> None:
    """Writes through a temporary file + rename, so a concurrent reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o600 if private else 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def cert_pem(*certs: x509.Certificate) -> bytes:
    return b"".join(cert.public_bytes(serialization.Encoding.PEM) for cert in certs)


def key_pem(key: rsa.RSAPrivateKey) -> bytes:
    """Unencrypted PKCS#8: these are test keys, and servers (Python's ssl) load them without a password."""
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def p12_bytes(
    name: str, key: rsa.RSAPrivateKey, cert: x509.Certificate, extra: list[x509.Certificate], password: str
) -> bytes:
    encryption = (
        serialization.PrivateFormat.PKCS12.encryption_builder()
        .kdf_rounds(P12_KDF_ROUNDS)
        .key_cert_algorithm(pkcs12.PBES.PBESv2SHA256AndAES256CBC)
        .hmac_hash(hashes.SHA256())
        .build(password.encode())
    )
    return pkcs12.serialize_key_and_certificates(name.encode(), key, cert, extra or None, encryption)


def load_cert(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def load_certs(path: Path) -> list[x509.Certificate]:
    return x509.load_pem_x509_certificates(path.read_bytes())


def load_key(path: Path) -> rsa.RSAPrivateKey:
    # Our own files: skipping the RSA consistency check keeps ensure() fast (it loads four CA keys).
    key = serialization.load_pem_private_key(
        path.read_bytes(), password=None, unsafe_skip_rsa_key_validation=True
    )
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError(f"{path}: clé RSA attendue")
    return key


def read_manifest(path: Path) -> dict[str, Any] | None:
    """The manifest, or None when absent, unreadable or of another version (the PKI is then rebuilt)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("version") != MANIFEST_VERSION:
        return None
    return data


def write_manifest(path: Path, manifest: dict[str, Any]) -> None:
    atomic_write(path, json.dumps(manifest, indent=2, sort_keys=True).encode("utf-8"))


class DirectoryLock:
    """Exclusive lock on <dir>/.lock (fcntl), re-entrant inside one object and safe across threads.

    flock locks belong to an open file description, so two processes (or two objects of one process)
    exclude each other; a depth counter lets the holder call locked helpers from locked helpers.
    """

    def __init__(self, directory: Path) -> None:
        self._path = directory / ".lock"
        self._thread_lock = threading.RLock()
        self._depth = 0
        self._fd: int | None = None

    @contextlib.contextmanager
    def hold(self) -> Iterator[None]:
        with self._thread_lock:
            if self._depth == 0:
                self._path.parent.mkdir(parents=True, exist_ok=True)
                self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o644)
                fcntl.flock(self._fd, fcntl.LOCK_EX)
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
                if self._depth == 0 and self._fd is not None:
                    fcntl.flock(self._fd, fcntl.LOCK_UN)
                    os.close(self._fd)
                    self._fd = None
