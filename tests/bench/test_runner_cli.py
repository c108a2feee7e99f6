"""`segur-bench run` usage errors and `segur-bench report RUN_DIR` (click's CliRunner, no stack)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from click.testing import CliRunner

from bench import exitcodes
from bench.commands.run import report_cmd, run_cmd
from reports import write_reports
from reports.model import RunResults, ScenarioResult, StepResult


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(run_cmd, list(args))
    return result.exit_code, result.output


def test_run_usage_errors(tmp_path: Path) -> None:
    code, output = _run("--target", "editeur")
    assert code == exitcodes.USAGE and "cible inconnue « editeur »" in output
    code, output = _run("--target", "manual")
    assert code == exitcodes.USAGE and "pas encore disponible" in output
    code, output = _run("--tags", "@a and (")
    assert code == exitcodes.USAGE and "expression de tags invalide" in output
    (tmp_path / "occupé").mkdir()
    (tmp_path / "occupé" / "x").write_text("x")
    code, output = _run("--out", str(tmp_path / "occupé"))
    assert code == exitcodes.USAGE and "n'est pas vide" in output
    code, output = _run("--features", str(tmp_path / "absent"))
    assert code == exitcodes.USAGE and "dossier des scénarios introuvable" in output


def test_report_rebuilds_the_html(tmp_path: Path) -> None:
    now = datetime(2026, 11, 22, 9, tzinfo=UTC)
    results = RunResults(
        bench_version="0.1.0",
        target="reference",
        started_at=now,
        ended_at=now,
        scenarios=[
            ScenarioResult(
                name="Connexion par carte CPS",
                feature="socle/connexion.feature",
                result="pass",
                steps=[StepResult(keyword="Quand", name="le porteur se connecte", result="pass")],
            )
        ],
    )
    write_reports(tmp_path, results, [])
    (tmp_path / "rapport.html").unlink()
    result = CliRunner().invoke(report_cmd, [str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "Rapport reconstruit" in result.output
    assert "Connexion par carte CPS" in (tmp_path / "rapport.html").read_text(encoding="utf-8")


def test_report_refuses_what_is_not_a_run(tmp_path: Path) -> None:
    result = CliRunner().invoke(report_cmd, [str(tmp_path)])
    assert result.exit_code == exitcodes.USAGE and "n'est pas un dossier de run" in result.output
    (tmp_path / "results.json").write_text(json.dumps({"target": "x"}), encoding="utf-8")
    result = CliRunner().invoke(report_cmd, [str(tmp_path)])
    assert result.exit_code == exitcodes.BENCH_FAILED and "format attendu" in result.output
