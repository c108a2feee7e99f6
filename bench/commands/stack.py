"""Stack commands: demo, up, down, status, endpoints (the simulators process and its supervisor)."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import click

from bench import exitcodes, paths, supervisor
from bench.supervisor import StackError, StackOptions, StackState

NO_LGO = "LGO de référence : non démarré (--no-lgo)."


def _default_cards() -> str:
    from simulators.core.settings import default_cards_mode

    return default_cards_mode()


def _fr_seconds(value: float) -> str:
    return f"{value:.2f}".replace(".", ",")


def _print_endpoints(state: StackState, info: dict[str, Any]) -> None:
    click.echo("Simulateurs :")
    for name, service in info.get("services", {}).items():
        if service.get("port"):
            mtls = " (TLS mutuel)" if service.get("mtls") else ""
            url = f"https://localhost:{service['port']}{service.get('base_path', '')}"
            click.echo(f"  {name:<14} {url}{mtls}")
        else:
            details = service.get("details") or {}
            click.echo(f"  {name:<14} mode {details.get('mode', state.cards)}" + _cards_hint(details))
    click.echo(f"Plan de contrôle : {state.control_url} (OpenAPI : {state.control_url}/openapi.json)")
    click.echo(f"Identifiants exportés : {Path(state.home) / 'pki' / 'export'}")
    urls = supervisor.lgo_urls(state)
    if urls is None:
        click.echo(NO_LGO)
    else:
        click.echo(f"LGO de référence : {urls['ui']} (API de pilotage : {urls['driver']})")


def _cards_hint(details: dict[str, Any]) -> str:
    if details.get("pcscd_socket"):
        return f", pcscd {details['pcscd_socket']}"
    if details.get("bench_reader"):
        return f", lecteur du banc {details['bench_reader']}"
    return ""


def _start(
    services: str | None, cards: str | None, banner: str | None, *, with_lgo: bool, seed: bool = False
) -> tuple[StackState, subprocess.Popen[bytes]]:
    home = paths.home()
    wanted = [s.strip() for s in services.split(",") if s.strip()] if services else None
    options = StackOptions(services=wanted, cards=cards or _default_cards())
    started = time.monotonic()
    ours = False  # stop on failure only a stack this call started, never one already running
    try:
        # The child ensures the PKI too (file-locked); the export overlaps its start.
        supervisor.prepare_pki(home / "pki", lambda line: click.echo(line), export=False)
        state, process = supervisor.start(
            home,
            options,
            lambda: supervisor.prepare_pki(home / "pki", lambda line: None, world=options.world),
        )
        ours = True
        info = supervisor.health(state) or {}
        if with_lgo:
            supervisor.start_lgo(home, state, info)
            if seed:
                supervisor.seed_lgo(state, options.world)
    except StackError as exc:
        if ours:
            supervisor.stop(home)
        click.echo(str(exc), err=True)
        raise SystemExit(exitcodes.BENCH_FAILED) from exc
    except Exception as exc:  # PKI, world or seed errors: the bench failed, said in French
        if ours:
            supervisor.stop(home)
        click.echo(f"Démarrage impossible : {exc}", err=True)
        raise SystemExit(exitcodes.BENCH_FAILED) from exc
    if banner:
        click.echo(banner)
    _print_endpoints(state, info)
    click.echo(f"Pile prête en {_fr_seconds(time.monotonic() - started)} s.")
    return state, process


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _foreground(state: StackState, process: subprocess.Popen[bytes]) -> None:
    click.echo("Ctrl-C pour arrêter.")
    # SIGTERM/SIGHUP (a closed terminal, a supervisor) stop the stack as cleanly as Ctrl-C does.
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _interrupt)
    try:
        code = process.wait()
    except KeyboardInterrupt:
        click.echo("\nArrêt de la pile…")
        supervisor.stop(Path(state.home))
        click.echo("Pile arrêtée.")
        return
    supervisor.stop(Path(state.home))
    click.echo(f"Le processus des simulateurs s'est arrêté (code {code}) ; journal : {state.log}", err=True)
    raise SystemExit(exitcodes.BENCH_FAILED)


@click.command("demo")
def demo_cmd() -> None:
    """Démarre simulateurs + LGO de référence avec le monde par défaut (Ctrl-C arrête tout)."""
    banner = (
        "Démo segur-bench : simulateurs des services nationaux, cartes virtuelles et LGO de référence,\n"
        "monde « default » (comptes, pharmacie et réglages chargés par l'API de pilotage)."
    )
    state, process = _start(None, None, banner, with_lgo=True, seed=True)
    _print_demo_accounts()
    _foreground(state, process)


def _print_demo_accounts() -> None:
    from scenarios import load_world

    world = load_world("default")
    click.echo("Comptes de démonstration (identifiant / mot de passe, rôle) :")
    for account in world.lgo_seed.accounts:
        click.echo(f"  {account.login:<14} {account.password:<20} {account.role}")
    cards = ", ".join(f"{c.id} (code {c.pin})" for c in world.cps_cards)
    click.echo(f"Cartes CPS du monde : {cards}")


@click.command("up")
@click.option("--detach", is_flag=True, help="Rend la main une fois la pile prête.")
@click.option("--services", default=None, help="Services à démarrer, séparés par des virgules.")
@click.option("--no-lgo", is_flag=True, help="Ne démarre pas le LGO de référence.")
@click.option(
    "--cards",
    type=click.Choice(["pcsc", "bench", "none"]),
    default=None,
    help="Transport des cartes virtuelles (défaut : pcsc si pcscd et vpcd sont installés).",
)
def up_cmd(detach: bool, services: str | None, no_lgo: bool, cards: str | None) -> None:
    """Démarre les simulateurs et le LGO de référence."""
    state, process = _start(services, cards, None, with_lgo=not no_lgo)
    if detach:
        click.echo(f"Pile détachée (pid {state.pid}) : « segur-bench down » pour l'arrêter.")
        return
    _foreground(state, process)


@click.command("down")
def down_cmd() -> None:
    """Arrête la pile démarrée par `up --detach`."""
    stopped = supervisor.stop(paths.home())
    if stopped is None:
        click.echo("Aucune pile démarrée.")
        return
    click.echo(f"Pile arrêtée (pid {stopped.pid}).")


@click.command("status")
def status_cmd() -> None:
    """État de chaque service de la pile."""
    state = supervisor.read_state(paths.home())
    info = supervisor.health(state) if state else None
    if state is None or info is None:
        click.echo("Pile arrêtée : « segur-bench up » pour la démarrer.", err=True)
        raise SystemExit(exitcodes.BENCH_FAILED)
    click.echo(f"Pile démarrée (pid {state.pid}), plan de contrôle {state.control_url}")
    for name, service in info.get("services", {}).items():
        where = f"port {service['port']}" if service.get("port") else f"mode {state.cards}"
        error = f" : {service['error']}" if service.get("error") else ""
        click.echo(f"  {name:<14} {service.get('state', '?'):<9} {where}{error}")
    if info.get("status") != "ok":
        raise SystemExit(exitcodes.BENCH_FAILED)


@click.command("endpoints")
@click.option(
    "--json", "as_json", is_flag=True, help="Sortie JSON (version 1, voir docs/endpoints.schema.json)."
)
def endpoints_cmd(as_json: bool) -> None:
    """Adresses des services, du plan de contrôle, du LGO et des identifiants exportés."""
    state = supervisor.read_state(paths.home())
    info = supervisor.health(state) if state else None
    if state is None or info is None:
        click.echo("Pile arrêtée : « segur-bench up » pour la démarrer.", err=True)
        raise SystemExit(exitcodes.BENCH_FAILED)
    document = supervisor.endpoints_document(state, info)
    if as_json:
        click.echo(json.dumps(document, indent=2, ensure_ascii=False))
        return
    _print_endpoints(state, info)


COMMANDS = [demo_cmd, up_cmd, down_cmd, status_cmd, endpoints_cmd]
