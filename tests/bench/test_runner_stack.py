"""The socle features through the real stack: `segur-bench up --detach` on a private home and free
ports, then `segur-bench run --target reference` and `--target driver:URL`; each run writes the three
reports, every scenario passes, the HTML shows a SOAP exchange (and, for reference, a screenshot).
`up` starts the reference LGO and publishes it under "lgo" in `endpoints --json`.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bench.paths import repo_root

RUN = "from bench.commands.run import run_cmd; run_cmd(prog_name='segur-bench run')"
CLI = "from bench.cli import main; main()"
SOCLE_SCENARIOS = 7


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def python(
    env: dict[str, str], code: str, *args: str, timeout: float = 240
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        env=env,
        cwd=repo_root(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[tuple[dict[str, str], dict[str, Any]]]:
    env = {
        **os.environ,
        "SEGUR_BENCH_HOME": str(tmp_path / "home"),
        "SEGUR_BENCH_PORT_CONTROL": str(free_port()),
        "SEGUR_BENCH_PORT_INSI": str(free_port()),
        "SEGUR_BENCH_PORT_LGO": str(free_port()),
    }
    for name in ("SEGUR_BENCH_SIM_DATABASE_URL", "SEGUR_BENCH_LGO_DATABASE_URL", "SEGUR_BENCH_DRIVER_TOKEN"):
        env.pop(name, None)
    try:
        up = python(env, CLI, "up", "--detach")
        assert up.returncode == 0, up.stdout + up.stderr
        shown = python(env, CLI, "endpoints", "--json")
        assert shown.returncode == 0, shown.stderr
        endpoints = json.loads(shown.stdout)
        assert endpoints["lgo"]["driver"].endswith("/driver/v1"), endpoints["lgo"]
        yield env, endpoints
    finally:
        python(env, CLI, "down", timeout=120)


def _run(
    env: dict[str, str], endpoints: dict[str, Any], target: str, out: Path
) -> subprocess.CompletedProcess[str]:
    return python(env, RUN, "--target", target, "--tags", "@socle", "--out", str(out), timeout=280)


def _check_run(out: Path, done: subprocess.CompletedProcess[str]) -> tuple[dict[str, Any], str]:
    assert done.returncode == 0, done.stdout + done.stderr
    for name in ("junit.xml", "results.json", "rapport.html"):
        assert (out / name).is_file(), name
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    outcomes = {s["name"]: s["result"] for s in results["scenarios"]}
    assert len(outcomes) == SOCLE_SCENARIOS and set(outcomes.values()) == {"pass"}, outcomes
    progress = [line for line in done.stdout.splitlines() if line.startswith("[")]
    assert len(progress) == SOCLE_SCENARIOS and progress[0].startswith(f"[1/{SOCLE_SCENARIOS}] OK  ")
    html = (out / "rapport.html").read_text(encoding="utf-8")
    assert "&lt;soap:Envelope" in html and "faute SOAP Receiver / siram_500" in html
    assert "rechercherInsAvecTraitsIdentite" in results["services"]["insi"]["operations"]
    return results, html


@pytest.mark.stack
@pytest.mark.browser
@pytest.mark.timeout(900)
def test_socle_against_reference_and_driver(
    stack: tuple[dict[str, str], dict[str, Any]], tmp_path: Path
) -> None:
    env, endpoints = stack

    out = tmp_path / "reference"
    results, html = _check_run(out, _run(env, endpoints, "reference", out))
    assert results["target"] == "reference"
    shots = [shot for s in results["scenarios"] for shot in s["screenshots"] if shot["file"]]
    assert shots and all((out / shot["file"]).is_file() for shot in shots)
    assert "data:image/png;base64," in html

    driver_url = endpoints["lgo"]["driver"]
    out = tmp_path / "driver"
    results, html = _check_run(out, _run(env, endpoints, f"driver:{driver_url}", out))
    assert results["target"] == f"driver:{driver_url}"
    assert "capture d&#39;écran non prise en charge par une cible driver" in html
    assert "data:image/png;base64," not in html
