"""Evidence from a run: `results.json`, `junit.xml` and the French `rapport.html`, built from the
scenario results and the journal records saved in the run directory, never from logs."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from pydantic import ValidationError

from reports.evidence import BodyStore, EvidenceError, load_records, save_records
from reports.html import build_html
from reports.junit import build_junit
from reports.model import Attachment, ExchangeRecord, RunResults, ScenarioResult, Screenshot, StepResult

RESULTS_FILE = "results.json"
JUNIT_FILE = "junit.xml"
HTML_FILE = "rapport.html"

__all__ = [
    "HTML_FILE",
    "JUNIT_FILE",
    "RESULTS_FILE",
    "Attachment",
    "BodyStore",
    "EvidenceError",
    "ExchangeRecord",
    "RunResults",
    "ScenarioResult",
    "Screenshot",
    "StepResult",
    "load_results",
    "rebuild_html",
    "write_attachments",
    "write_reports",
]


def write_reports(run_dir: Path, results: RunResults, records: Iterable[ExchangeRecord]) -> None:
    """Writes results.json, junit.xml, exchanges/records.json and rapport.html into run_dir
    (the bodies are already in exchanges/)."""
    run_dir.mkdir(parents=True, exist_ok=True)
    records = list(records)
    save_records(run_dir, records)
    write_attachments(run_dir, results)
    (run_dir / RESULTS_FILE).write_text(
        json.dumps(results.model_dump(mode="json"), ensure_ascii=False, indent=2), encoding="utf-8"
    )
    (run_dir / JUNIT_FILE).write_bytes(build_junit(results))
    (run_dir / HTML_FILE).write_text(build_html(results, records, run_dir), encoding="utf-8")


def write_attachments(run_dir: Path, results: RunResults) -> None:
    """Each attachment still holding its bytes is written to its `file`; a name that would leave the run
    directory is refused (the attachment then keeps a note instead of a file)."""
    root = run_dir.resolve()
    for scenario in results.scenarios:
        for attachment in scenario.attachments:
            if attachment.content is None or attachment.file is None:
                continue
            path = (root / attachment.file).resolve()
            if not path.is_relative_to(root) or path == root:
                attachment.note = f"pièce non conservée : nom de fichier refusé ({attachment.file})"
                attachment.file = None
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(attachment.content)
            attachment.content = None


def load_results(run_dir: Path) -> RunResults:
    path = run_dir / RESULTS_FILE
    if not path.is_file():
        raise EvidenceError(f"{RESULTS_FILE} introuvable dans {run_dir} : est-ce un dossier de run ?")
    try:
        return RunResults.model_validate_json(path.read_bytes())
    except ValidationError as exc:
        raise EvidenceError(
            f"{path} ne respecte pas le format attendu : {exc.error_count()} erreur(s)"
        ) from None


def rebuild_html(run_dir: Path) -> Path:
    """`segur-bench report RUN_DIR`: rewrites rapport.html from what the run directory holds."""
    results = load_results(run_dir)
    records = load_records(run_dir)
    path = run_dir / HTML_FILE
    path.write_text(build_html(results, records, run_dir), encoding="utf-8")
    return path
