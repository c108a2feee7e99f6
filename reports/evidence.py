"""The evidence kept in a run directory: the journal records of the run and their raw bodies.

Layout (CONVENTIONS "Runs and results"): `exchanges/records.json` holds the records as the control
plane returned them; `exchanges/<sha256>.<ext>` holds each body once, named by its digest. The
HTML report can then be rebuilt without the stack.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from pathlib import Path

from reports.model import ExchangeRecord

EXCHANGES_DIR = "exchanges"
RECORDS_FILE = "records.json"
_SHA256 = re.compile(r"[0-9a-f]{64}")
_EXTENSIONS = (
    ("soap+xml", "xml"),
    ("xml", "xml"),
    ("json", "json"),
    ("html", "html"),
    ("multipart", "mime"),
    ("pkix-cert", "der"),
    ("x-x509", "der"),
    ("pdf", "pdf"),
    ("text", "txt"),
)


class EvidenceError(ValueError):
    """A run directory's evidence is missing or damaged (French message)."""


def extension_for(content_type: str | None) -> str:
    kind = (content_type or "").split(";", 1)[0].strip().lower()
    for marker, extension in _EXTENSIONS:
        if marker in kind:
            return extension
    return "bin"


class BodyStore:
    """Bodies of one run directory, content-addressed."""

    def __init__(self, run_dir: Path) -> None:
        self.folder = run_dir / EXCHANGES_DIR

    def path(self, sha256: str) -> Path | None:
        if not _SHA256.fullmatch(sha256):
            return None
        found = sorted(self.folder.glob(f"{sha256}.*"))
        return found[0] if found else None

    def read(self, sha256: str) -> bytes | None:
        path = self.path(sha256)
        return path.read_bytes() if path is not None else None

    def write(self, sha256: str, data: bytes, content_type: str | None) -> Path:
        """Stores a body after checking it is the one the journal names (a mismatch is a bench fault)."""
        if not _SHA256.fullmatch(sha256):
            raise EvidenceError(f"empreinte de corps invalide : {sha256!r}")
        actual = hashlib.sha256(data).hexdigest()
        if actual != sha256:
            raise EvidenceError(f"corps {sha256} : empreinte reçue {actual}, différente de celle du journal")
        self.folder.mkdir(parents=True, exist_ok=True)
        existing = self.path(sha256)
        if existing is not None:
            return existing
        target = self.folder / f"{sha256}.{extension_for(content_type)}"
        target.write_bytes(data)
        return target


def save_records(run_dir: Path, records: Iterable[ExchangeRecord]) -> Path:
    folder = run_dir / EXCHANGES_DIR
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / RECORDS_FILE
    payload = [record.model_dump(mode="json") for record in records]
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def load_records(run_dir: Path) -> list[ExchangeRecord]:
    """The records saved with a run; none when the run journaled nothing."""
    path = run_dir / EXCHANGES_DIR / RECORDS_FILE
    if not path.is_file():
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise EvidenceError(f"{path} illisible : {exc}") from None
    if not isinstance(data, list):
        raise EvidenceError(f"{path} : une liste d'échanges est attendue")
    try:
        return [ExchangeRecord.model_validate(item) for item in data]
    except ValueError as exc:
        raise EvidenceError(f"{path} : échange mal formé ({exc})") from None
