"""`segur-bench pki ...`: the test PKI (generated once under $SEGUR_BENCH_HOME/pki) and its export."""

from __future__ import annotations

import importlib
import threading
from pathlib import Path
from typing import Any

import click

from bench import exitcodes, paths
from protocols.pki import CLIENTS, TestPKI

PROGRESS_AFTER_S = 1.0


def _ensure() -> TestPKI:
    """Loads (or generates) the PKI; says so when generating takes more than a second."""
    home = paths.sub("pki")
    announce = threading.Timer(
        PROGRESS_AFTER_S,
        lambda: click.echo(f"Génération de la PKI de test dans {home} (première utilisation)…", err=True),
    )
    announce.daemon = True
    announce.start()
    try:
        return TestPKI.ensure(home)
    except OSError as exc:
        click.echo(f"Impossible de préparer la PKI de test dans {home} : {exc}", err=True)
        raise SystemExit(exitcodes.BENCH_FAILED) from exc
    finally:
        announce.cancel()


def _load_default_world() -> Any:
    """The default world; ImportError while the scenarios package does not offer it yet."""
    scenarios = importlib.import_module("scenarios")
    load_world = getattr(scenarios, "load_world", None)
    if load_world is None:
        raise ImportError("scenarios.load_world absent")
    return load_world("default")


def _world_professionals() -> list[tuple[str, str]]:
    try:
        world = _load_default_world()
    except ImportError:
        click.echo(
            "Attention : les scénarios (monde « default ») ne sont pas disponibles ; "
            "export sans certificats de professionnels de santé.",
            err=True,
        )
        return []
    except Exception as exc:  # any loading error of the world is a bench failure, said in French
        click.echo(f"Impossible de charger le monde « default » : {exc}", err=True)
        raise SystemExit(exitcodes.BENCH_FAILED) from exc
    professionals: dict[str, str] = {}
    for professional in world.professionals:
        professionals.setdefault(
            professional.id_nat_ps, f"{professional.first_name} {professional.last_name}"
        )
    return list(professionals.items())


@click.group("pki")
def pki_group() -> None:
    """PKI de test (façon IGC-Santé) : génération et export des certificats."""


@pki_group.command("export")
@click.argument("directory", type=click.Path(path_type=Path))
def export_cmd(directory: Path) -> None:
    """Exporte CA, CRL et certificats clients (PEM, clé, PKCS#12) dans DIRECTORY.

    Les professionnels de santé du monde « default » reçoivent chacun un certificat
    d'authentification et un de signature (ps-<rpps>-auth, ps-<rpps>-sign). Le mot de passe des
    fichiers PKCS#12 est donné dans DIRECTORY/README.txt.
    """
    if directory.exists() and not directory.is_dir():
        click.echo(f"{directory} existe et n'est pas un dossier : choisissez un dossier d'export.", err=True)
        raise SystemExit(exitcodes.USAGE)
    pki = _ensure()
    professionals = _world_professionals()
    try:
        pki.export(directory, professionals)
    except OSError as exc:
        click.echo(f"Impossible d'écrire l'export dans {directory} : {exc}", err=True)
        raise SystemExit(exitcodes.BENCH_FAILED) from exc
    count = len(CLIENTS) + 2 * len(professionals)
    click.echo(f"PKI de test exportée dans {directory} : 3 AC, 3 CRL, {count} certificats clients.")
    click.echo(f"Mot de passe des fichiers PKCS#12 : {pki.P12_PASSWORD} (détails dans README.txt).")


@pki_group.command("show")
def show_cmd() -> None:
    """Affiche les AC, les certificats déjà émis et leur validité."""
    pki = _ensure()
    click.echo(f"PKI de test : {pki.directory}")
    click.echo(f"Mot de passe PKCS#12 : {pki.P12_PASSWORD}")
    click.echo("Autorités de certification :")
    for credential in (pki.root, pki.organisations, pki.personnes):
        cert = credential.cert
        click.echo(
            f"  {cert.subject.rfc4514_string()}\n"
            f"    série {cert.serial_number:x}, valide jusqu'au {cert.not_valid_after_utc:%d/%m/%Y}"
        )
    click.echo("Certificats émis :")
    labels = {"expired": ", expiré (négatif)", "revoked": ", révoqué (négatif)"}
    for key_id, entry in sorted(pki.inventory().items()):
        label = labels.get(entry.get("variant", ""), "")
        click.echo(
            f"  {key_id} : {entry['subject']} (AC {entry['issuer']}, jusqu'au {entry['not_after'][:10]}{label})"
        )
