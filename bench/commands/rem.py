"""`segur-bench rem list|show|coverage`: the REM catalogue and its coverage by the scenarios."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

import click

from bench import exitcodes, paths
from scenarios.rem import (
    EVIDENCE_LABELS_FR,
    OBLIGATIONS,
    STATUS_LABELS_FR,
    THEME_NAMES_FR,
    THEMES,
    RemCatalogueError,
    RemRow,
    UnknownRequirement,
    find_by_ans_id,
    get_row,
    load_catalogue,
)
from scenarios.rem.coverage import CoverageReport, FeatureParseError, compute_coverage  # behave loads lazily

WAVE_OPTION = click.option(
    "--wave", type=click.Choice(["1", "2"]), default=None, help="Seulement la vague 1 ou la vague 2."
)
THEME_OPTION = click.option(
    "--theme",
    "themes",
    multiple=True,
    type=click.Choice(THEMES, case_sensitive=False),
    metavar="THÈME",
    help=f"Seulement ce thème, option répétable ({', '.join(THEMES)}).",
)
JSON_OPTION = click.option("--json", "as_json", is_flag=True, help="Sortie JSON au lieu du texte.")


def _fail(message: str, code: int) -> NoReturn:
    click.echo(message, err=True)
    raise SystemExit(code)


def _catalogue(wave: str | None, themes: Sequence[str]) -> list[RemRow]:
    try:
        rows = load_catalogue(int(wave) if wave else None)
    except RemCatalogueError as exc:
        _fail(f"Catalogue REM invalide : {exc}", exitcodes.BENCH_FAILED)
    wanted = {theme.upper() for theme in themes}
    return [row for row in rows if not wanted or row.theme in wanted]


def _table(headers: Sequence[str], lines: Sequence[Sequence[str]]) -> str:
    """Left-aligned columns; the last one is not padded (long titles simply run on)."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *lines, strict=True)]
    out = []
    for cells in (headers, *lines):
        padded = [str(cell).ljust(width) for cell, width in zip(cells[:-1], widths, strict=False)]
        out.append("  ".join([*padded, str(cells[-1])]).rstrip())
    return "\n".join(out)


def _count(number: int, word: str) -> str:
    return f"{number} {word}{'s' if number > 1 else ''}"


@click.group("rem")
def rem_group() -> None:
    """Catalogue des exigences REM (vagues 1 et 2) et couverture par les scénarios."""


@rem_group.command("list")
@WAVE_OPTION
@THEME_OPTION
@click.option(
    "--obligation",
    type=click.Choice(OBLIGATIONS, case_sensitive=False),
    metavar="|".join(OBLIGATIONS),
    default=None,
    help="Seulement les exigences DOIT, PEUT ou INCONNU.",
)
@JSON_OPTION
def list_cmd(wave: str | None, themes: tuple[str, ...], obligation: str | None, as_json: bool) -> None:
    """Liste les exigences du catalogue REM officine (identifiant, vague, thème, obligation, statut, titre)."""
    rows = _catalogue(wave, themes)
    if obligation:
        rows = [row for row in rows if row.obligation == obligation.upper()]
    if as_json:
        payload = {"version": 1, "count": len(rows), "rows": [row.model_dump(mode="json") for row in rows]}
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    if rows:
        headers = ("id", "vague", "thème", "obligation", "statut", "titre")
        lines = [
            (
                row.bench_id,
                str(row.wave),
                row.theme,
                row.obligation,
                STATUS_LABELS_FR[row.status],
                row.title_fr,
            )
            for row in rows
        ]
        click.echo(_table(headers, lines))
    click.echo(_count(len(rows), "exigence"))


def _field(label: str, value: str, width: int = 100) -> str:
    indent = " " * 30
    return textwrap.fill(
        value,
        width=width,
        initial_indent=f"{label + ' :':<30}",
        subsequent_indent=indent,
        break_on_hyphens=False,
    )


def _describe(row: RemRow) -> str:
    evidence = "; ".join(EVIDENCE_LABELS_FR[kind] for kind in row.evidence_type) or "aucune"
    fields = [
        ("Identifiant banc", row.bench_id),
        ("Identifiants ANS", ", ".join(row.ans_ids) or "aucun (identifiant ANS non connu)"),
        ("Vague", str(row.wave)),
        ("Thème", f"{row.theme} — {THEME_NAMES_FR[row.theme]}"),
        ("Titre", row.title_fr),
        ("Exigence", row.summary_fr),
        ("Obligation", row.obligation),
        ("Conditionnelle", "oui" if row.conditional else "non"),
        ("Applicabilité LGO supposée", "oui" if row.assumed else "non"),
        ("Statut", STATUS_LABELS_FR[row.status]),
        ("Types de preuve", evidence),
        ("Preuve attendue", row.evidence_fr),
        ("Sources", "; ".join(row.sources)),
    ]
    return "\n".join(_field(label, value) for label, value in fields)


@rem_group.command("show")
@click.argument("requirement_id")
def show_cmd(requirement_id: str) -> None:
    """Affiche une exigence en entier. REQUIREMENT_ID : identifiant banc (W1-INS-01) ou identifiant ANS
    (LGO.MSS.01)."""
    try:
        rows = [get_row(requirement_id)]
    except UnknownRequirement:
        rows = find_by_ans_id(requirement_id)
    except RemCatalogueError as exc:
        _fail(f"Catalogue REM invalide : {exc}", exitcodes.BENCH_FAILED)
    if not rows:
        _fail(
            f"Exigence inconnue : « {requirement_id} ». Les identifiants valides sont donnés par "
            "« segur-bench rem list ».",
            exitcodes.USAGE,
        )
    click.echo("\n\n".join(_describe(row) for row in rows))


@rem_group.command("coverage")
@WAVE_OPTION
@THEME_OPTION
@click.option(
    "--features",
    "features_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Dossier des fichiers .feature (par défaut : features/ du banc).",
)
@JSON_OPTION
def coverage_cmd(wave: str | None, themes: tuple[str, ...], features_dir: Path | None, as_json: bool) -> None:
    """Couverture des exigences par les scénarios (@REQ.<id>) et les raisons de non-test.

    Code de sortie 4 si une exigence DOIT (conditionnelle comprise) de la sélection n'a ni scénario ni
    raison dans scenarios/rem/non-testees.yaml, ou si un tag ou une raison nomme un identifiant inconnu ;
    0 sinon.
    """
    folder = features_dir or paths.repo_root() / "features"
    if not folder.is_dir():
        _fail(f"Dossier des scénarios introuvable : {folder}", exitcodes.USAGE)
    rows = _catalogue(wave, themes)
    try:
        report = compute_coverage(
            folder, catalogue=rows, wave=int(wave) if wave else None, themes=themes or None
        )
    except FeatureParseError as exc:
        _fail(f"Scénario illisible : {exc}", exitcodes.BENCH_FAILED)
    except RemCatalogueError as exc:
        _fail(f"Catalogue REM invalide : {exc}", exitcodes.BENCH_FAILED)
    if as_json:
        click.echo(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    else:
        click.echo(_coverage_text(report, wave, themes))
    raise SystemExit(exitcodes.PASS if report.ok else exitcodes.COVERAGE_GAP)


def _coverage_text(report: CoverageReport, wave: str | None, themes: Sequence[str]) -> str:
    selection = f"vague {wave}" if wave else "vagues 1 et 2"
    if themes:
        selection += ", thèmes " + ", ".join(theme.upper() for theme in themes)
    out = [f"Couverture REM ({selection})", ""]
    summaries = report.summaries()
    headers = ("vague", "thème", "exigences", "DOIT", "couvertes", "raison", "trous")
    lines: list[tuple[str, ...]] = [
        (str(s.wave), s.theme, str(s.rows), str(s.doit), str(s.covered), str(s.reason_only), str(s.gaps))
        for s in summaries
    ]
    totals = [
        sum(getattr(s, name) for s in summaries)
        for name in ("rows", "doit", "covered", "reason_only", "gaps")
    ]
    lines.append(("total", "", *(str(total) for total in totals)))
    out += [_table(headers, lines), ""]
    gaps = report.gaps
    if gaps:
        out.append(f"Trous de couverture (exigence DOIT sans scénario ni raison) : {len(gaps)}")
        out += [f"  {item.row.bench_id:<12} {item.row.title_fr}" for item in gaps]
        out.append("")
    if report.has_errors:
        out.append("Erreurs :")
        for bench_id, refs in sorted(report.unknown_tag_ids.items()):
            where = ", ".join(str(ref) for ref in refs)
            out.append(f"  @REQ.{bench_id} : identifiant absent du catalogue ({where})")
        for bench_id in report.unknown_reason_ids:
            out.append(
                f"  non-testees.yaml : raison donnée pour « {bench_id} », identifiant absent du catalogue"
            )
        out.append("")
    stale = report.stale_reasons
    if stale:
        out.append("Avertissements :")
        for item in stale:
            count = _count(len(item.scenarios), "scénario")
            out.append(
                f"  {item.row.bench_id} : couverte par {count} mais garde une raison de non-test à retirer"
            )
        out.append("")
    if report.ok:
        out.append("Aucun trou de couverture.")
    else:
        problems = []
        if gaps:
            problems.append(_count(len(gaps), "trou") + " de couverture")
        if report.has_errors:
            errors = len(report.unknown_tag_ids) + len(report.unknown_reason_ids)
            problems.append(_count(errors, "erreur"))
        out.append("Couverture incomplète : " + ", ".join(problems) + ".")
    return "\n".join(out)
