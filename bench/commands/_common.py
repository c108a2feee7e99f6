"""Helpers shared by the CLI commands."""

from __future__ import annotations

from typing import NoReturn

import click

from bench import exitcodes


def not_yet(what: str) -> NoReturn:
    """Ends a command whose parts come in a later issue, with the agreed wording and exit code."""
    click.echo(f"{what} : pas encore disponible dans cette version du banc.", err=True)
    raise SystemExit(exitcodes.USAGE)
