"""`segur-bench`: the bench's command line (French help, exit codes of CONVENTIONS)."""

from __future__ import annotations

import click

from bench.commands import later

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 110}


@click.group(context_settings=CONTEXT)
@click.version_option(package_name="segur-bench", message="segur-bench %(version)s")
def cli() -> None:
    """Banc de conformité Ségur pour logiciels d'officine (LGO).

    Simulateurs des services nationaux (INSi, DMP, MSSanté...), cartes virtuelles (CPS, Vitale),
    LGO de référence et scénarios REM. Codes de sortie : 0 succès, 1 le LGO testé échoue,
    2 le banc échoue, 3 usage ou commande pas encore disponible, 4 trou de couverture REM.
    """


def _register() -> None:
    for command in (later.run_cmd, later.report_cmd, later.scan_cmd, later.load_cmd):
        cli.add_command(command)
    # Each command family lives in its own module; import lazily-failing ones explicitly.
    from bench.commands import cards, pki, rem, stack

    cli.add_command(pki.pki_group)
    cli.add_command(rem.rem_group)
    cli.add_command(cards.cards_group)
    for command in stack.COMMANDS:
        cli.add_command(command)


_register()


def main() -> None:
    cli(prog_name="segur-bench")
