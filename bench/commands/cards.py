"""`segur-bench cards ...` (filled by the virtual cards work)."""

from __future__ import annotations

import click

from bench.commands._common import not_yet


@click.group("cards")
def cards_group() -> None:
    """Cartes virtuelles (Vitale, CPS) : insertion, retrait, PIN, lecteurs PC/SC."""


@cards_group.command("list")
def list_cmd() -> None:
    """Liste les cartes du monde et les lecteurs."""
    not_yet("segur-bench cards list")
