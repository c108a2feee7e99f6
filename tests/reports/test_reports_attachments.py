"""Documents attached by scenarios (evidence presence, printouts): written under pieces/ with the
reports, listed per scenario with their digest and version, and a "spécimen banc" flagged as not
probatory for its scenario, its requirement and the whole run."""

from __future__ import annotations

import json
from pathlib import Path

from reports_testkit import results, scenario

import reports
from reports.html import RequirementInfo, build_html
from reports.model import Attachment

SPECIMEN = "SPÉCIMEN BANC — DOCUMENT NON PROBANT\n".encode()


def lookup(bench_id: str) -> RequirementInfo:
    return RequirementInfo(bench_id, f"Titre de {bench_id}", "DOIT", "INS")


def _attachment(
    name: str, *, specimen: bool, file: str = "pieces/run-s001-01-autorisation.txt"
) -> Attachment:
    return Attachment(
        name=name,
        file=file,
        media_type="text/plain; charset=utf-8",
        sha256="5b" * 32,
        size=len(SPECIMEN),
        version="0.1.0",
        source="GET /driver/v1/evidence?ans_id=W1-INS-22",
        specimen=specimen,
        content=SPECIMEN,
    )


def test_attachments_are_written_and_a_specimen_is_flagged(tmp_path: Path) -> None:
    run = results(
        [
            scenario(
                "Autorisation CNDA présentée",
                "pass",
                requirement_ids=["W1-INS-22"],
                attachments=[_attachment("Autorisation CNDA INSi (spécimen banc)", specimen=True)],
            ),
            scenario(
                "Fiche imprimée",
                "pass",
                requirement_ids=["W1-INS-23"],
                attachments=[
                    _attachment("Fiche d'identité", specimen=False, file="pieces/run-s002-01-fiche.pdf"),
                ],
            ),
        ]
    )
    reports.write_reports(tmp_path, run, [])
    assert (tmp_path / "pieces" / "run-s001-01-autorisation.txt").read_bytes() == SPECIMEN
    saved = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    first = saved["scenarios"][0]["attachments"][0]
    assert first["specimen"] is True and first["sha256"] == "5b" * 32 and "content" not in first
    html = (tmp_path / "rapport.html").read_text(encoding="utf-8")
    assert "Pièces jointes" in html and 'href="pieces/run-s001-01-autorisation.txt"' in html
    assert "spécimen banc : non probant" in html and "ne sont pas probantes" in html
    specimen_row = html.split('id="exigence-W1-INS-22"')[1].split("</tr>")[0]
    real_row = html.split('id="exigence-W1-INS-23"')[1].split("</tr>")[0]
    assert "non probant" in specimen_row and "non probant" not in real_row
    assert "document présenté par la cible" in html
    # rebuilt from disk: the files are there, the flag stays
    (tmp_path / "rapport.html").unlink()
    rebuilt = reports.rebuild_html(tmp_path).read_text(encoding="utf-8")
    assert (
        'href="pieces/run-s001-01-autorisation.txt"' in rebuilt and "spécimen banc : non probant" in rebuilt
    )


def test_no_specimen_no_warning(tmp_path: Path) -> None:
    run = results([scenario("Fiche imprimée", "pass", requirement_ids=["W1-INS-23"])])
    html = build_html(run, [], tmp_path, lookup=lookup)
    assert "ne sont pas probantes" not in html and "Pièces jointes" not in html


def test_an_attachment_cannot_leave_the_run_directory(tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    run = results(
        [
            scenario(
                "Pièce hostile", "pass", attachments=[_attachment("x", specimen=False, file="../evade.txt")]
            )
        ]
    )
    reports.write_reports(run_dir, run, [])
    assert not (tmp_path / "evade.txt").exists()
    saved = json.loads((run_dir / "results.json").read_text(encoding="utf-8"))
    kept = saved["scenarios"][0]["attachments"][0]
    assert kept["file"] is None and "nom de fichier refusé" in kept["note"]
    assert "nom de fichier refusé" in (run_dir / "rapport.html").read_text(encoding="utf-8")


def test_a_missing_attachment_file_is_reported(tmp_path: Path) -> None:
    attachment = _attachment("Autorisation", specimen=False)
    attachment.content = None  # as read back from results.json, file never written
    run = results([scenario("Pièce perdue", "pass", attachments=[attachment])])
    html = build_html(run, [], tmp_path, lookup=lookup)
    assert "fichier de la pièce absent : pieces/run-s001-01-autorisation.txt" in html
    assert 'href="pieces/' not in html
