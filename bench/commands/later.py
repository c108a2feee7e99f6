"""Commands whose parts arrive in later issues: they exist, document themselves, and exit 3."""

from __future__ import annotations

import click

from bench.commands._common import not_yet


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
def run_cmd(target: str, tags: str | None, out: str | None) -> None:
    """Exécute les scénarios REM contre une cible et écrit junit.xml, results.json et rapport.html."""
    not_yet("segur-bench run")


@click.command("report")
@click.argument("run_dir", type=click.Path())
def report_cmd(run_dir: str) -> None:
    """Reconstruit rapport.html à partir d'un dossier de run."""
    not_yet("segur-bench report")


@click.command("scan")
@click.argument("args", nargs=-1)
def scan_cmd(args: tuple[str, ...]) -> None:
    """Douchettes virtuelles : génère et émet des codes (DataMatrix GS1, QR)."""
    not_yet("segur-bench scan")


@click.command("load")
@click.argument("args", nargs=-1)
def load_cmd(args: tuple[str, ...]) -> None:
    """Profils de charge locust sur le chemin chaud de la dispensation."""
    not_yet("segur-bench load")
