"""`segur-bench pki export|show` through the real click command."""

from __future__ import annotations

import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from bench.cli import cli
from bench.commands import pki as pki_command


def _world(*professionals: tuple[str, str, str]) -> SimpleNamespace:
    return SimpleNamespace(
        professionals=[
            SimpleNamespace(id_nat_ps=i, first_name=f, last_name=last) for i, f, last in professionals
        ]
    )


def test_export_with_the_world_professionals(
    bench_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SEGUR_BENCH_HOME", str(bench_home))
    world = _world(("810000000001", "Jeanne", "DUPONT"), ("810000000004", "Marc", "PETIT"))
    monkeypatch.setattr(pki_command, "_load_default_world", lambda: world)
    result = CliRunner().invoke(cli, ["pki", "export", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "11 certificats clients" in result.output
    clients = tmp_path / "out" / "clients"
    for name in ("ps-10000000001-auth", "ps-10000000001-sign", "ps-10000000004-auth", "insi-auto-wrong-ca"):
        assert (clients / f"{name}.p12").is_file()
    assert (bench_home / "pki" / "manifest.json").is_file()  # PKI home = $SEGUR_BENCH_HOME/pki
    verify = subprocess.run(
        [
            "openssl",
            "verify",
            "-CAfile",
            str(tmp_path / "out" / "ca" / "chain.pem"),
            str(clients / "insi-auto.pem"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert verify.returncode == 0 and verify.stdout.strip().endswith("OK")


def test_export_without_scenarios_warns_in_french(
    bench_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SEGUR_BENCH_HOME", str(bench_home))

    def missing() -> None:
        raise ImportError("scenarios.load_world absent")

    monkeypatch.setattr(pki_command, "_load_default_world", missing)
    result = CliRunner().invoke(cli, ["pki", "export", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "export sans certificats de professionnels" in result.output
    assert not list((tmp_path / "out" / "clients").glob("ps-*"))
    assert (tmp_path / "out" / "clients" / "insi-auto.key").is_file()


def test_broken_world_is_a_bench_failure(
    bench_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SEGUR_BENCH_HOME", str(bench_home))

    def broken() -> None:
        raise ValueError("professionals.0.rpps : clé invalide")

    monkeypatch.setattr(pki_command, "_load_default_world", broken)
    result = CliRunner().invoke(cli, ["pki", "export", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "Impossible de charger le monde « default »" in result.output


def test_export_into_a_file_is_refused(
    bench_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SEGUR_BENCH_HOME", str(bench_home))
    target = tmp_path / "fichier"
    target.write_text("x", encoding="utf-8")
    result = CliRunner().invoke(cli, ["pki", "export", str(target)])
    assert result.exit_code == 3  # usage error (CONVENTIONS exit codes)
    assert "n'est pas un dossier" in result.output
    assert target.read_text(encoding="utf-8") == "x"


def test_show_lists_cas_and_negative_variants(bench_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEGUR_BENCH_HOME", str(bench_home))
    result = CliRunner().invoke(cli, ["pki", "show"])
    assert result.exit_code == 0, result.output
    assert "TEST AC IGC-SANTE ELEMENTAIRE ORGANISATIONS" in result.output
    assert "clients/insi-auto-revoked" in result.output and "révoqué" in result.output
    assert "Mot de passe PKCS#12" in result.output
