"""`segur-bench rem ...` (filled by the REM catalogue work)."""

from __future__ import annotations

import click

from bench.commands._common import not_yet


@click.group("rem")
def rem_group() -> None:
    """Catalogue des exigences REM (vagues 1 et 2) et couverture par les scénarios."""


@rem_group.command("list")
def list_cmd() -> None:
    """Liste les exigences."""
    not_yet("segur-bench rem list")
