"""Commands whose parts arrive in later issues: they exist, document themselves, and exit 3."""

from __future__ import annotations

import click

from bench.commands._common import not_yet


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
