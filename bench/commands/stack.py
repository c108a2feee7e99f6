"""Stack commands: demo, up, down, status, endpoints (filled by the simulator core work)."""

from __future__ import annotations

import click

from bench.commands._common import not_yet


@click.command("demo")
def demo_cmd() -> None:
    """Démarre simulateurs + LGO de référence avec le monde par défaut (Ctrl-C arrête tout)."""
    not_yet("segur-bench demo")


@click.command("up")
@click.option("--detach", is_flag=True, help="Rend la main une fois la pile prête.")
@click.option("--services", default=None, help="Services à démarrer, séparés par des virgules.")
@click.option("--no-lgo", is_flag=True, help="Ne démarre pas le LGO de référence.")
@click.option("--cards", type=click.Choice(["pcsc", "bench", "none"]), default=None,
              help="Transport des cartes virtuelles (défaut : pcsc si pcscd et vpcd sont installés).")
def up_cmd(detach: bool, services: str | None, no_lgo: bool, cards: str | None) -> None:
    """Démarre les simulateurs et le LGO de référence."""
    not_yet("segur-bench up")


@click.command("down")
def down_cmd() -> None:
    """Arrête la pile démarrée par `up --detach`."""
    not_yet("segur-bench down")


@click.command("status")
def status_cmd() -> None:
    """État de chaque service de la pile."""
    not_yet("segur-bench status")


@click.command("endpoints")
@click.option("--json", "as_json", is_flag=True, help="Sortie JSON (version 1, voir docs/).")
def endpoints_cmd(as_json: bool) -> None:
    """Adresses des services, du plan de contrôle, du LGO et des identifiants exportés."""
    not_yet("segur-bench endpoints")


COMMANDS = [demo_cmd, up_cmd, down_cmd, status_cmd, endpoints_cmd]
