"""`segur-bench run` and `segur-bench report` (CONVENTIONS "Runs and results")."""

from __future__ import annotations

from pathlib import Path
from typing import NoReturn

import click

from bench import exitcodes
from bench.commands._common import not_yet


def _fail(message: str, code: int) -> NoReturn:
    click.echo(message, err=True)
    raise SystemExit(code)


@click.command("run")
@click.option(
    "--target",
    default="reference",
    show_default=True,
    help="LGO à tester : reference, driver:URL (URL de base incluant /driver/v1) ou manual.",
)
@click.option(
    "--tags", "tags", default=None, help="Expression de tags behave (jokers admis : @REQ.W1-INS-*)."
)
@click.option("--out", "out", default=None, help="Dossier du run (défaut : var/runs/<UTC>-<id>/).")
@click.option(
    "--features",
    "features_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Dossier des fichiers .feature (défaut : features/ du banc).",
)
def run_cmd(target: str, tags: str | None, out: str | None, features_dir: Path | None) -> None:
    """Exécute les scénarios REM contre une cible et écrit junit.xml, results.json et rapport.html.

    Utilise la pile en cours, ou en démarre une (« segur-bench up --detach ») et l'arrête à la fin.
    Une ligne de progression par scénario. Codes de sortie : 0 tous réussis, 1 le LGO échoue,
    2 le banc échoue, 3 usage ou cible pas encore disponible.
    """
    from bench import paths
    from bench.runner import NothingSelected, RunOptions, run_suite
    from bench.runner.stack import stack_for_run
    from bench.runner.tags import TagError, validate_tag_expression
    from bench.targets import BenchError, TargetSpecError, parse_target

    try:
        spec = parse_target(target)
    except TargetSpecError as exc:
        _fail(f"Erreur d'usage : {exc}", exitcodes.USAGE)
    if spec.kind == "manual":
        not_yet("segur-bench run --target manual")
    if tags:
        try:
            validate_tag_expression(tags)
        except TagError as exc:
            _fail(f"Erreur d'usage : {exc}", exitcodes.USAGE)
    folder = (features_dir or paths.repo_root() / "features").resolve()
    if not folder.is_dir():
        _fail(f"Erreur d'usage : dossier des scénarios introuvable : {folder}", exitcodes.USAGE)
    out_dir = Path(out).resolve() if out else None
    if out_dir is not None and out_dir.exists() and any(out_dir.iterdir()):
        _fail(f"Erreur d'usage : le dossier du run existe et n'est pas vide : {out_dir}", exitcodes.USAGE)
    options = RunOptions(target=spec, tags=tags, out_dir=out_dir, features_dir=folder)
    try:
        with stack_for_run(with_lgo=spec.kind == "reference", progress=click.echo) as endpoints:
            click.echo(f"Run contre la cible {spec} (plan de contrôle {endpoints.control})")
            report = run_suite(options, endpoints)
    except NothingSelected as exc:
        _fail(f"Erreur d'usage : {exc}", exitcodes.USAGE)
    except BenchError as exc:
        _fail(f"Le banc a échoué : {exc}", exitcodes.BENCH_FAILED)
    counts = report.results.counts()
    click.echo(
        f"{len(report.results.scenarios)} scénario(s) : {counts['pass']} réussi(s), {counts['fail']} en échec, "
        f"{counts['error']} en erreur du banc, {counts['skip']} ignoré(s)"
    )
    for warning in report.warnings:
        click.echo(f"Attention : {warning}", err=True)
    click.echo(f"Rapports : {report.run_dir} (rapport.html, junit.xml, results.json)")
    if report.exit_code != exitcodes.PASS:
        click.echo(f"Sortie de behave : {report.log}")
    raise SystemExit(report.exit_code)


@click.command("report")
@click.argument("run_dir", type=click.Path(path_type=Path, file_okay=False))
def report_cmd(run_dir: Path) -> None:
    """Reconstruit rapport.html à partir d'un dossier de run (results.json et exchanges/)."""
    from reports import EvidenceError, rebuild_html

    if not (run_dir / "results.json").is_file():
        _fail(
            f"Erreur d'usage : {run_dir} n'est pas un dossier de run (results.json absent)", exitcodes.USAGE
        )
    try:
        path = rebuild_html(run_dir)
    except EvidenceError as exc:
        _fail(f"Rapport impossible : {exc}", exitcodes.BENCH_FAILED)
    click.echo(f"Rapport reconstruit : {path}")
