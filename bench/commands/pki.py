"""`segur-bench pki ...` (filled by the PKI work)."""

from __future__ import annotations

import click

from bench.commands._common import not_yet


@click.group("pki")
def pki_group() -> None:
    """PKI de test (façon IGC-Santé) : génération et export des certificats."""


@pki_group.command("export")
@click.argument("directory", type=click.Path())
def export_cmd(directory: str) -> None:
    """Exporte CA, CRL et certificats clients (PEM, clé, PKCS#12) dans DIRECTORY."""
    not_yet("segur-bench pki export")
