"""`segur-bench`: the bench's command line (French help, exit codes of CONVENTIONS)."""

from __future__ import annotations

import sys

import click

from bench import exitcodes
from bench.commands import later

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 110}


@click.group(context_settings=CONTEXT)
@click.version_option(
    package_name="segur-bench", message="segur-bench %(version)s", help="Affiche la version et quitte."
)
def cli() -> None:
    """Banc de conformité Ségur pour logiciels d'officine (LGO).

    Simulateurs des services nationaux (INSi, DMP, MSSanté...), cartes virtuelles (CPS, Vitale),
    LGO de référence et scénarios REM. Codes de sortie : 0 succès, 1 le LGO testé échoue,
    2 le banc échoue, 3 usage ou commande pas encore disponible, 4 trou de couverture REM.
    """


def _register() -> None:
    for command in (later.scan_cmd, later.load_cmd):
        cli.add_command(command)
    from bench.commands import cards, pki, rem, run, stack

    cli.add_command(run.run_cmd)
    cli.add_command(run.report_cmd)

    cli.add_command(pki.pki_group)
    cli.add_command(rem.rem_group)
    cli.add_command(cards.cards_group)
    for command in stack.COMMANDS:
        cli.add_command(command)


def _french_help(command: click.Command) -> None:
    """Gives every command an explicit French help option (click ships its text in English only)."""
    click.help_option("-h", "--help", help="Affiche cette aide et quitte.")(command)
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            _french_help(sub)


_register()
_french_help(cli)


def main(argv: list[str] | None = None) -> None:
    """Entry point: click's usage errors exit with the bench's usage code (3), in French."""
    try:
        result = cli.main(args=argv, prog_name="segur-bench", standalone_mode=False)
    except click.UsageError as error:
        if error.ctx is not None:
            click.echo(error.ctx.get_usage(), err=True)
        click.echo(f"Erreur d'usage : {error.format_message()}", err=True)
        click.echo("Voir « segur-bench --help ».", err=True)
        sys.exit(exitcodes.USAGE)
    except click.ClickException as error:
        error.show()
        sys.exit(exitcodes.USAGE)
    except click.Abort:
        click.echo("Interrompu.", err=True)
        sys.exit(exitcodes.BENCH_FAILED)
    sys.exit(result if isinstance(result, int) else exitcodes.PASS)
