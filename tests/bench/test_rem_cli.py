"""`segur-bench rem list|show|coverage` through click's runner."""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner

from bench import exitcodes
from bench.commands.rem import rem_group

ROW_LINE = re.compile(r"^W[12]-[A-Z]+-\d{2} ", re.MULTILINE)

FEATURE = """\
# language: fr
@APCV @vague1
Fonctionnalité: ApCV

  @REQ.W1-APCV-01 @DOIT @contrat-simulé
  Scénario: la preuve d'agrément ApCV est présente
    Soit le LGO testé
"""


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(rem_group, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def test_list_prints_every_row_and_the_count() -> None:
    code, out, _ = _run("list")
    assert code == exitcodes.PASS
    assert len(ROW_LINE.findall(out)) == 130
    assert out.splitlines()[0].split() == ["id", "vague", "thème", "obligation", "statut", "titre"]
    assert out.rstrip().endswith("130 exigences")
    assert "W1-INS-01   1      INS    DOIT        confirmée (LGO)" in out


def test_list_filters() -> None:
    code, out, _ = _run("list", "--wave", "1", "--theme", "mss", "--theme", "PSC", "--obligation", "doit")
    assert code == exitcodes.PASS
    assert len(ROW_LINE.findall(out)) == 21 and out.rstrip().endswith("21 exigences")
    _, out, _ = _run("list", "--wave", "2", "--obligation", "PEUT")
    assert ROW_LINE.findall(out) == ["W2-VACC-03 "] and out.rstrip().endswith("1 exigence")


def test_list_json() -> None:
    code, out, _ = _run("list", "--json", "--wave", "2")
    payload = json.loads(out)
    assert code == exitcodes.PASS and payload["count"] == 53 == len(payload["rows"])
    first = payload["rows"][0]
    assert first["bench_id"] == "W2-DMP-01" and first["assumed"] is True
    assert first["ans_ids"] == ["LGO.DMP/UX.07", "SC.DMP/UX.07"]


def test_show_prints_every_field_in_french() -> None:
    code, out, _ = _run("show", "w1-mss-07")
    assert code == exitcodes.PASS
    for label in ("Identifiant banc", "Identifiants ANS", "Vague", "Thème", "Titre", "Exigence", "Obligation",
                  "Conditionnelle", "Applicabilité LGO supposée", "Statut", "Types de preuve", "Preuve attendue",
                  "Sources"):  # fmt: skip
        assert re.search(rf"^{label} :", out, re.MULTILINE), label
    assert "LGO.MSS.07, SC.MSS/va1.07" in out
    assert re.search(r"^Conditionnelle :\s+oui$", out, re.MULTILINE)


def test_show_accepts_an_ans_id_and_rejects_unknown_ids() -> None:
    code, out, _ = _run("show", "SC.DP.05")
    assert code == exitcodes.PASS and "W1-DP-05" in out
    code, out, err = _run("show", "W1-INS-99")
    assert code == exitcodes.USAGE == 3
    assert out == "" and "Exigence inconnue : « W1-INS-99 »" in err


def test_coverage_passes_when_every_doit_row_is_covered(tmp_path: Path) -> None:
    (tmp_path / "apcv.feature").write_text(FEATURE, encoding="utf-8")
    code, out, _ = _run("coverage", "--wave", "1", "--theme", "APCV", "--features", str(tmp_path))
    assert code == exitcodes.PASS
    assert re.search(r"^1\s+APCV\s+1\s+1\s+1\s+0\s+0$", out, re.MULTILINE)
    assert "Aucun trou de couverture." in out


def test_coverage_gap_exits_4_and_lists_it(tmp_path: Path) -> None:
    (tmp_path / "apcv.feature").write_text(FEATURE, encoding="utf-8")
    code, out, _ = _run(
        "coverage", "--wave", "1", "--theme", "APCV", "--theme", "PORT", "--features", str(tmp_path)
    )
    assert code == exitcodes.COVERAGE_GAP == 4
    assert "W1-PORT-01   Export des données Ségur" in out
    assert "Couverture incomplète : 1 trou de couverture." in out


def test_coverage_reports_unknown_tag_ids(tmp_path: Path) -> None:
    (tmp_path / "apcv.feature").write_text(FEATURE.replace("W1-APCV-01", "W1-APCV-02"), encoding="utf-8")
    code, out, _ = _run("coverage", "--theme", "APCV", "--features", str(tmp_path), "--json")
    payload = json.loads(out)
    assert code == exitcodes.COVERAGE_GAP
    assert payload["gaps"] == ["W1-APCV-01"] and payload["ok"] is False
    assert payload["unknown_tag_ids"] == {
        "W1-APCV-02": [
            {"feature": "apcv.feature", "line": 6, "name": "la preuve d'agrément ApCV est présente"}
        ]
    }
    _, text, _ = _run("coverage", "--theme", "APCV", "--features", str(tmp_path))
    assert "@REQ.W1-APCV-02 : identifiant absent du catalogue (apcv.feature:6" in text


def test_coverage_bad_inputs(tmp_path: Path) -> None:
    code, _, err = _run("coverage", "--features", str(tmp_path / "absent"))
    assert code == exitcodes.USAGE and "Dossier des scénarios introuvable" in err
    (tmp_path / "casse.feature").write_text(
        "# language: fr\nFonctionnalité: x\n  Scénario: a\n    Soit b\n  texte libre |\n", encoding="utf-8"
    )
    code, _, err = _run("coverage", "--features", str(tmp_path))
    assert code == exitcodes.BENCH_FAILED and "casse.feature, ligne 5 : Gherkin illisible" in err
