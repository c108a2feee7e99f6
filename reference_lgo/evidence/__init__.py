"""Evidence documents the LGO can present for REM rows whose proof is a homologation or an
attestation (GET /driver/v1/evidence). The reference LGO ships only documents marked
"SPÉCIMEN BANC": reports flag them as non-probatory."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

FOLDER = Path(__file__).resolve().parent
FILES = FOLDER / "files"


@dataclass(frozen=True)
class Evidence:
    file: str
    title: str
    version: str
    specimen: bool
    ids: tuple[str, ...]  # ANS ids and bench ids (W1-...) the document proves
    media_type: str

    @property
    def path(self) -> Path:
        return FILES / self.file

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()


@cache
def catalogue() -> tuple[Evidence, ...]:
    entries = json.loads((FOLDER / "index.json").read_text(encoding="utf-8"))["documents"]
    return tuple(
        Evidence(
            file=entry["file"],
            title=entry["title"],
            version=entry["version"],
            specimen=entry["specimen"],
            ids=tuple(entry["ids"]),
            media_type=entry.get("media_type", "text/plain; charset=utf-8"),
        )
        for entry in entries
    )


def for_requirement(requirement_id: str) -> list[Evidence]:
    return [item for item in catalogue() if requirement_id in item.ids]


def by_file(name: str) -> Evidence | None:
    return next((item for item in catalogue() if item.file == name), None)
