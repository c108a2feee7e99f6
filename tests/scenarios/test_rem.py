"""The REM catalogue data, its loaders and the coverage computation."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

import scenarios.rem as rem
from scenarios.rem.coverage import FeatureParseError, collect_requirement_tags, compute_coverage

# rem-catalog.md §10: rows per theme and (confirmed LGO, confirmed socle, reconstructed).
SECTION_10 = {
    (1, "INS"): (25, 2, 22, 1),
    (1, "DMP"): (10, 5, 4, 1),
    (1, "DOC"): (7, 4, 1, 2),
    (1, "MSS"): (19, 13, 0, 6),
    (1, "PSC"): (2, 0, 0, 2),
    (1, "APCV"): (1, 1, 0, 0),
    (1, "EP"): (2, 1, 1, 0),
    (1, "DP"): (6, 6, 0, 0),
    (1, "PORT"): (1, 0, 0, 1),
    (1, "TBB"): (4, 3, 1, 0),
    (2, "DMP"): (14 + 6, 0, 0, 14 + 6),  # "consultation intégrée" + "documents historiques"
    (2, "MSS"): (10, 0, 0, 10),
    (2, "DOC"): (2, 0, 0, 2),
    (2, "VACC"): (3, 0, 0, 3),
    (2, "INS"): (2, 0, 0, 2),
    (2, "PSC"): (4, 0, 0, 4),
    (2, "SSI"): (7, 0, 0, 7),
    # "Autres" (5 rows), each under the tag code of its own ANS theme:
    (2, "ORDN"): (1, 0, 0, 1),
    (2, "RUM"): (1, 0, 0, 1),
    (2, "RGPD"): (1, 0, 0, 1),
    (2, "ERGO"): (1, 0, 0, 1),
    (2, "TBB"): (1, 0, 0, 1),
}
HEADER_LINE = (
    "bench_id,ans_ids,wave,theme,title_fr,summary_fr,obligation,conditional,assumed,"
    "evidence_type,evidence_fr,status,sources"
)


def _raw_rows(wave: int) -> list[dict[str, str]]:
    with rem.catalogue_path(wave).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_every_row_parses_with_the_expected_counts() -> None:
    assert len(rem.load_catalogue(1)) == 77
    assert len(rem.load_catalogue(2)) == 53
    assert len(rem.load_catalogue()) == 130
    assert {row.wave for row in rem.load_catalogue(2)} == {2}


def test_files_start_with_the_binding_header() -> None:
    for wave in (1, 2):
        first = rem.catalogue_path(wave).read_text(encoding="utf-8").splitlines()[0]
        assert first == HEADER_LINE


def test_per_theme_counts_match_section_10() -> None:
    counts: Counter[tuple[int, str, str]] = Counter(
        (row.wave, row.theme, row.status) for row in rem.load_catalogue()
    )
    themes: Counter[tuple[int, str]] = Counter((row.wave, row.theme) for row in rem.load_catalogue())
    assert set(themes) == set(SECTION_10)
    for key, (total, lgo, socle, reconstructed) in SECTION_10.items():
        assert themes[key] == total, key
        assert counts[(*key, "confirmed-lgo")] == lgo, key
        assert counts[(*key, "confirmed-socle")] == socle, key
        assert counts[(*key, "reconstructed")] == reconstructed, key


def test_bench_ids_are_unique_and_numbered_from_01_per_theme() -> None:
    ids = [row.bench_id for row in rem.load_catalogue()]
    assert len(ids) == len(set(ids))
    by_theme: dict[tuple[int, str], list[int]] = {}
    for row in rem.load_catalogue():
        by_theme.setdefault((row.wave, row.theme), []).append(int(row.bench_id.rsplit("-", 1)[1]))
    for key, numbers in by_theme.items():
        assert numbers == list(range(1, len(numbers) + 1)), key


def test_raw_values_are_legal() -> None:
    """Checked on the raw text, independently of the pydantic model."""
    for wave in (1, 2):
        for raw in _raw_rows(wave):
            assert raw["wave"] == str(wave)
            assert raw["theme"] in rem.THEMES
            assert raw["bench_id"].startswith(f"W{wave}-{raw['theme']}-")
            assert raw["obligation"] in {"DOIT", "PEUT", "INCONNU"}
            assert raw["conditional"] in {"oui", "non"}
            assert raw["assumed"] in {"oui", "non"}
            assert raw["status"] in {"confirmed-lgo", "confirmed-socle", "reconstructed"}
            kinds = raw["evidence_type"].split(";")
            assert kinds == ["aucune"] or set(kinds) <= set(rem.EVIDENCE_TYPES), raw["bench_id"]
            assert raw["assumed"] == ("non" if raw["status"] == "confirmed-lgo" else "oui")
            assert all(raw[name].strip() for name in ("title_fr", "summary_fr", "evidence_fr", "sources"))


def test_mss_rows_keep_their_lgo_ids() -> None:
    for number in range(1, 14):
        row = rem.get_row(f"W1-MSS-{number:02d}")
        assert f"LGO.MSS.{number:02d}" in row.ans_ids
    assert rem.find_by_ans_id("lgo.mss.07") == [rem.get_row("W1-MSS-07")]


def test_ans_ids_are_real_ids_with_ranges_expanded() -> None:
    for row in rem.load_catalogue():
        for ans_id in row.ans_ids:
            assert rem.ANS_ID_RE.match(ans_id), ans_id
            assert "–" not in ans_id and not ans_id.endswith(".LGC"), ans_id
    assert rem.get_row("W2-DMP-04").ans_ids == ("LGO.DMP/UX.11", "LGO.DMP/UX.12", "LGO.DMP/UX.13")
    assert rem.get_row("W2-MSS-01").ans_ids == tuple(f"LGO.MSS/CONF.{n:02d}" for n in (1, 2, 3, 22))
    assert rem.get_row("W2-DMP-07").ans_ids == ("LGO.DMP/UX.24", "LGO.DMP/UX.25", "LGO.DMP/UX.29")
    # LGC equivalents and provisional ids are kept, in the sources.
    assert "≈ LGC INS.07" in rem.get_row("W1-INS-01").sources
    assert rem.get_row("W2-ERGO-01").ans_ids == ()
    assert "identifiant provisoire LGO.ERGO" in rem.get_row("W2-ERGO-01").sources


def test_obligations_and_conditions_follow_the_catalogue() -> None:
    peut = {row.bench_id for row in rem.load_catalogue() if row.obligation == "PEUT"}
    assert peut == {"W1-INS-25", "W1-DMP-09", "W1-EP-02", "W1-DP-01", "W1-TBB-04", "W2-VACC-03"}
    assert all(rem.get_row(bench_id).evidence_type == () for bench_id in peut)  # préconisation: no proof
    conditional = {row.bench_id for row in rem.load_catalogue() if row.conditional}
    assert conditional == {"W1-INS-21", "W1-INS-24", "W1-MSS-07", "W2-SSI-03", "W2-SSI-05"}
    assert [row.bench_id for row in rem.load_catalogue() if row.obligation == "INCONNU"] == ["W2-TBB-01"]


def test_get_row_is_case_insensitive_and_rejects_unknown_ids() -> None:
    assert rem.get_row(" w1-ins-01 ").bench_id == "W1-INS-01"
    with pytest.raises(rem.UnknownRequirement, match="W9-INS-01"):
        rem.get_row("W9-INS-01")
    with pytest.raises(ValueError, match="vague inconnue"):
        rem.load_catalogue(3)


def _write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=rem.HEADER, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"obligation": "DOT"}, "champ « obligation » : valeur « DOT » non permise"),
        ({"conditional": "yes"}, "« yes » au lieu de « oui » ou « non »"),
        ({"assumed": "oui"}, "« assumed » doit valoir « oui » exactement quand"),
        ({"evidence_type": "demo;aucune"}, "« aucune » ne se combine"),
        ({"evidence_type": "video"}, "champ « evidence_type.0 » : valeur « video » non permise"),
        ({"ans_ids": "SC.INS.29–36.LGC"}, "identifiant ANS mal formé"),
        ({"bench_id": "W1-DMP-01"}, "incohérent avec la vague 1 et le thème INS"),
        ({"wave": "2", "bench_id": "W2-INS-01"}, "exigence de vague 2 dans le fichier de la vague 1"),
        ({"sources": ""}, "aucune source"),
    ],
)
def test_validation_errors_are_french_and_name_the_line(
    tmp_path: Path, change: dict[str, str], expected: str
) -> None:
    good = _raw_rows(1)[:2]
    bad = {**good[1], **change}
    path = _write_csv(tmp_path / "officine-va1.csv", [good[0], bad])
    with pytest.raises(rem.RemCatalogueError) as excinfo:
        rem.parse_catalogue_file(path, 1)
    assert str(excinfo.value).startswith("officine-va1.csv, ligne 3 : ")
    assert expected in str(excinfo.value)


def test_multiline_fields_keep_the_starting_line_number(tmp_path: Path) -> None:
    rows = _raw_rows(1)[:3]
    rows[0] = {**rows[0], "summary_fr": "première ligne\nseconde ligne"}
    rows[2] = {**rows[2], "status": "confirmé"}
    path = _write_csv(tmp_path / "officine-va1.csv", rows)
    with pytest.raises(rem.RemCatalogueError, match="ligne 5 : champ « status »"):
        rem.parse_catalogue_file(path, 1)


def test_header_and_shape_errors(tmp_path: Path) -> None:
    path = tmp_path / "officine-va1.csv"
    path.write_text("id,title\nW1-INS-01,x\n", encoding="utf-8")
    with pytest.raises(rem.RemCatalogueError, match="ligne 1 : en-tête inattendu"):
        rem.parse_catalogue_file(path, 1)
    path.write_text(HEADER_LINE + "\nW1-INS-01,x\n", encoding="utf-8")
    with pytest.raises(rem.RemCatalogueError, match="ligne 2 : 2 colonnes au lieu de 13"):
        rem.parse_catalogue_file(path, 1)
    path.write_bytes(HEADER_LINE.encode() + b"\nW1-INS-01,\xe9\n")
    with pytest.raises(rem.RemCatalogueError, match="non UTF-8"):
        rem.parse_catalogue_file(path, 1)


def test_shipped_not_tested_file_loads_with_known_ids() -> None:
    reasons = rem.load_not_tested()
    known = {row.bench_id for row in rem.load_catalogue()}
    assert set(reasons) <= known
    assert rem.NOT_TESTED_FILE.read_text(encoding="utf-8").startswith("#")


def test_not_tested_loader_rejects_bad_entries(tmp_path: Path) -> None:
    path = tmp_path / "non-testees.yaml"
    path.write_text('W1-INS-01: "Service DMP pas encore simulé."\nW1-INS-02: raison\n', encoding="utf-8")
    assert rem.load_not_tested(path) == {"W1-INS-01": "Service DMP pas encore simulé.", "W1-INS-02": "raison"}
    path.write_text("W1-INS-01: a\nW1-INS-01: b\n", encoding="utf-8")
    with pytest.raises(rem.RemCatalogueError, match="ligne 2 : « W1-INS-01 » apparaît deux fois"):
        rem.load_not_tested(path)
    path.write_text("W1-INS-01:\n", encoding="utf-8")
    with pytest.raises(rem.RemCatalogueError, match="doit être un texte non vide"):
        rem.load_not_tested(path)
    path.write_text("INS-01: raison\n", encoding="utf-8")
    with pytest.raises(rem.RemCatalogueError, match="hors format"):
        rem.load_not_tested(path)
    path.write_text("- W1-INS-01\n", encoding="utf-8")
    with pytest.raises(rem.RemCatalogueError, match="table « identifiant: raison »"):
        rem.load_not_tested(path)
    path.write_text("W1-INS-01: [a\n", encoding="utf-8")
    with pytest.raises(rem.RemCatalogueError, match="YAML invalide"):
        rem.load_not_tested(path)


FEATURE_PSC = """\
# language: fr
@PSC @vague1
Fonctionnalité: Connexion Pro Santé Connect

  @REQ.W1-PSC-01 @DOIT
  Scénario: le pharmacien se connecte avec sa e-CPS
    Soit un pharmacien avec une e-CPS
    Quand il se connecte par Pro Santé Connect
    Alors il est connecté

  @REQ.W1-PSC-99
  Scénario: un identifiant mal recopié
    Soit un pharmacien avec une e-CPS
"""
FEATURE_DP = """\
# language: fr
@DP @REQ.W1-DP-02
Fonctionnalité: Dossier pharmaceutique

  Scénario: édition de l'historique
    Soit un patient avec un DP

  Plan du scénario: consultation sur 12 mois
    Soit un patient avec <n> dispensations
    @REQ.W1-DP-03
    Exemples:
      | n |
      | 3 |

  Règle: les rappels de lots
    @REQ.W1-DP-05
    Scénario: lot rappelé
      Soit un lot rappelé
"""


def _features(tmp_path: Path) -> Path:
    folder = tmp_path / "features"
    (folder / "psc").mkdir(parents=True)
    (folder / "dp").mkdir()
    (folder / "psc" / "connexion.feature").write_text(FEATURE_PSC, encoding="utf-8")
    (folder / "dp" / "dp.feature").write_text(FEATURE_DP, encoding="utf-8")
    (folder / "vide.feature").write_text("", encoding="utf-8")
    return folder


def test_tags_are_collected_at_feature_scenario_outline_and_rule_level(tmp_path: Path) -> None:
    tags = collect_requirement_tags(_features(tmp_path))
    assert [str(ref) for ref in tags["W1-PSC-01"]] == [
        "psc/connexion.feature:6 « le pharmacien se connecte avec sa e-CPS »"
    ]
    # Feature-level tag: every scenario of the feature, the outline counted once.
    assert [ref.line for ref in tags["W1-DP-02"]] == [5, 8, 17]
    assert [ref.name for ref in tags["W1-DP-03"]] == ["consultation sur 12 mois"]
    assert [ref.name for ref in tags["W1-DP-05"]] == ["lot rappelé"]
    assert "W1-PSC-99" in tags


def test_coverage_reports_covered_reason_gap_and_unknown_ids(tmp_path: Path) -> None:
    folder = _features(tmp_path)
    reasons = {"W1-DP-04": "Le simulateur DP arrive plus tard.", "W1-DP-02": "obsolète", "W1-XX-01": "?"}
    report = compute_coverage(folder, wave=1, themes=["psc", "DP"], not_tested=reasons)
    by_id = {item.row.bench_id: item for item in report.rows}
    assert set(by_id) == {"W1-PSC-01", "W1-PSC-02", *(f"W1-DP-0{n}" for n in range(1, 7))}
    assert by_id["W1-PSC-01"].scenarios and not by_id["W1-PSC-01"].is_gap
    assert by_id["W1-DP-04"].reason == "Le simulateur DP arrive plus tard." and not by_id["W1-DP-04"].is_gap
    assert not by_id["W1-DP-01"].is_gap  # PEUT: never a gap
    assert [item.row.bench_id for item in report.gaps] == ["W1-PSC-02", "W1-DP-06"]
    assert [item.row.bench_id for item in report.stale_reasons] == ["W1-DP-02"]
    assert list(report.unknown_tag_ids) == ["W1-PSC-99"]
    assert report.unknown_reason_ids == ()  # W1-XX-01 is outside the selected themes
    assert not report.ok
    summary = {(s.wave, s.theme): s for s in report.summaries()}
    assert (summary[(1, "DP")].rows, summary[(1, "DP")].doit, summary[(1, "DP")].covered) == (6, 5, 3)
    assert (summary[(1, "DP")].reason_only, summary[(1, "DP")].gaps) == (1, 1)
    everything = compute_coverage(folder, not_tested=reasons)
    assert everything.unknown_reason_ids == ("W1-XX-01",)
    assert everything.to_json()["unknown_tag_ids"]["W1-PSC-99"][0]["feature"] == "psc/connexion.feature"


def test_full_coverage_is_ok(tmp_path: Path) -> None:
    folder = _features(tmp_path)
    (folder / "psc" / "connexion.feature").write_text(
        FEATURE_PSC.replace("@REQ.W1-PSC-99", "@REQ.W1-PSC-02"), encoding="utf-8"
    )
    report = compute_coverage(folder, wave=1, themes=["PSC"], not_tested={})
    assert report.ok and not report.gaps and not report.has_errors


def test_unreadable_gherkin_names_the_file_and_line(tmp_path: Path) -> None:
    folder = tmp_path / "features"
    folder.mkdir()
    (folder / "casse.feature").write_text(
        "# language: fr\nFonctionnalité: x\n  Scénario: a\n    Soit b\n  texte libre | \n", encoding="utf-8"
    )
    with pytest.raises(FeatureParseError, match=r"^casse\.feature, ligne 5 : Gherkin illisible"):
        collect_requirement_tags(folder)
