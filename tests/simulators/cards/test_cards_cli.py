"""`segur-bench cards ...` against a running stack (bench reader), and the APDU benchmark."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from bench import exitcodes
from bench.commands.cards import cards_group
from simulators.cards import DESCRIPTOR
from simulators.core.testing import RunningStack, running_stack


@pytest.fixture(scope="module")
def stack(bench_home: Path) -> Iterator[RunningStack]:
    mp = pytest.MonkeyPatch()
    mp.setenv("SEGUR_BENCH_BENCH_READER", "127.0.0.1:0")
    try:
        with running_stack(bench_home, descriptors=[DESCRIPTOR], cards="bench") as running:
            yield running
    finally:
        mp.undo()


def cli(stack: RunningStack, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cards_group, list(args), env={"SEGUR_BENCH_CONTROL_URL": stack.control_url})
    return result.exit_code, result.output


def test_list_insert_read_remove(stack: RunningStack) -> None:
    code, out = cli(stack, "list")
    assert code == 0
    assert "lecteur 0  « Banc Segur 00 00 »  vitale-garnier" in out and "cpe-preparateur" in out
    code, out = cli(stack, "insert", "0", "vitale-blanchard")
    assert (code, out.strip()) == (
        0,
        "Carte vitale-blanchard insérée dans le lecteur 0 (« Banc Segur 00 00 »).",
    )
    code, out = cli(stack, "read", "0", "--json")
    assert code == 0, out
    info = json.loads(out)
    assert info["type"] == "Vitale" and len(info["beneficiaries"]) == 1
    code, out = cli(stack, "read", "1")
    assert code == 0, out
    assert (
        "Carte CPS n° 0000100001 : Hélène DAUMAS (899700001011)" in out and "profession 21, section A" in out
    )
    code, out = cli(stack, "remove", "0")
    assert (code, out.strip()) == (0, "Lecteur 0 (« Banc Segur 00 00 ») vide.")
    code, out = cli(stack, "read", "0")
    assert code == exitcodes.USAGE and "Aucune carte dans le lecteur 0" in out
    assert cli(stack, "insert", "0", "vitale-garnier")[0] == 0


def test_errors_exit_with_the_agreed_codes(stack: RunningStack) -> None:
    code, out = cli(stack, "insert", "0", "carte-fantome")
    assert code == exitcodes.USAGE and "inconnue du monde" in out
    result = CliRunner().invoke(
        cards_group, ["list"], env={"SEGUR_BENCH_CONTROL_URL": "http://127.0.0.1:9/_bench"}
    )
    assert result.exit_code == exitcodes.BENCH_FAILED and "Plan de contrôle injoignable" in result.output


@pytest.mark.pcsc
def test_bench_command_runs_over_pcsc_and_the_bench_reader() -> None:
    # A subprocess: the PC/SC part binds its process to a private pcscd socket.
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from bench.cli import main; main()",
            "cards",
            "bench",
            "--iterations",
            "20",
            "--transport",
            "pcsc",
            "--transport",
            "bench",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("aller-retour APDU (20 SELECT)") == 2
    assert "lecture Vitale complète (4 bénéficiaires)" in done.stdout
