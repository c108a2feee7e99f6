"""Evidence presence (CONVENTIONS "REM catalogue"): a requirement proven by a homologation (CNDA,
SESAM-Vitale) or an attestation cannot be tested by the bench; the target presents its documents
(`GET /driver/v1/evidence?ans_id=…`: file, sha256, version), the bench downloads each one, checks its
digest and version, and attaches it to the report. A bench specimen ("spécimen banc") is flagged
non-probatory there; a document that reads as a specimen but is declared real fails the scenario.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any
from urllib.parse import quote

from bench.steps_lib import evidence
from bench.steps_lib.state import ScenarioBench

EVIDENCE = "/evidence"
SPECIMEN_MARK = re.compile(r"SP[ÉE]CIMEN\s+BANC", re.IGNORECASE)
_SAFE_FILE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,199}")


def present(bench: ScenarioBench, requirement_id: str) -> list[dict[str, Any]]:
    """The documents the target presents for a requirement (ANS id or bench id); at least one."""
    answer = bench.target.call("GET", EVIDENCE, params={"ans_id": requirement_id})
    documents = answer.json_object().get("documents")
    if not isinstance(documents, list):
        raise AssertionError(f"Réponse de GET /evidence sans liste « documents » : {answer.text[:300]}")
    found = [item for item in documents if isinstance(item, dict)]
    if not found:
        raise AssertionError(
            f"Le LGO ne présente aucune pièce justificative pour l'exigence {requirement_id} (homologation ou "
            "attestation attendue)"
        )
    bench.remember("proofs", (requirement_id, found))
    return found


def _documents(bench: ScenarioBench) -> tuple[str, list[dict[str, Any]]]:
    requirement_id, documents = bench.recall("proofs")
    return str(requirement_id), list(documents)


def _reads_as_specimen(content: bytes) -> bool:
    """The mark in the document's bytes (texts; uncompressed PDF text too, best effort)."""
    return SPECIMEN_MARK.search(content.decode("utf-8", errors="replace")) is not None


def check_and_attach(bench: ScenarioBench) -> None:
    """Each document: a plain file name, downloaded, its sha256 the announced one, attached to the report
    (flagged non-probatory when it is a specimen)."""
    requirement_id, documents = _documents(bench)
    for document in documents:
        file = str(document.get("file") or "")
        if not _SAFE_FILE.fullmatch(file) or ".." in file:
            raise AssertionError(
                f"Pièce de l'exigence {requirement_id} au nom de fichier invalide : {file!r}"
            )
        announced = str(document.get("sha256") or "").lower()
        if not re.fullmatch(r"[0-9a-f]{64}", announced):
            raise AssertionError(f"Pièce « {file} » sans empreinte SHA-256 valide : {announced!r}")
        path = f"{EVIDENCE}/files/{quote(file)}"
        answer = bench.target.fetch("GET", path)
        if answer.status != 200 or not answer.content:
            raise AssertionError(
                f"Pièce « {file} » non téléchargeable (GET /driver/v1{path} : statut {answer.status})"
            )
        actual = hashlib.sha256(answer.content).hexdigest()
        if actual != announced:
            raise AssertionError(
                f"Pièce « {file} » : empreinte SHA-256 du fichier téléchargé {actual} différente de celle annoncée "
                f"{announced}"
            )
        media_type = str(
            document.get("media_type") or _content_type(answer.headers) or "application/octet-stream"
        )
        declared = document.get("specimen") is True
        reads_specimen = _reads_as_specimen(answer.content)
        evidence.attach(
            bench,
            str(document.get("title") or file),
            answer.content,
            media_type=media_type,
            filename=file,
            version=str(document.get("version") or "") or None,
            source=f"GET /driver/v1{EVIDENCE}?ans_id={requirement_id}",
            specimen=declared or reads_specimen,
        )
        if reads_specimen and not declared:
            raise AssertionError(
                f"La pièce « {file} » porte la mention « spécimen banc » mais le LGO la déclare probante "
                "(specimen: false) : un spécimen du banc ne prouve pas une homologation"
            )


def _content_type(headers: dict[str, str]) -> str | None:
    return next((value for key, value in headers.items() if key.lower() == "content-type"), None)


def check_version(bench: ScenarioBench) -> None:
    """Each document is for the version of the software under test (`GET /driver/v1/` → lgo.version)."""
    requirement_id, documents = _documents(bench)
    info = bench.target.call("GET", "/").json_object()
    lgo = info.get("lgo") if isinstance(info.get("lgo"), dict) else {}
    version = str((lgo or {}).get("version") or "")
    if not version:
        raise AssertionError(f"GET /driver/v1/ ne donne pas la version du logiciel (lgo.version) : {info}")
    wrong = [
        f"{d.get('file')} ({d.get('version')})" for d in documents if str(d.get("version") or "") != version
    ]
    if wrong:
        raise AssertionError(
            f"Pièces de l'exigence {requirement_id} pour une autre version que celle du logiciel ({version}) : "
            + ", ".join(wrong)
        )
